import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'
import { AlertDetail, AlertPage } from '../src/contract/alerts'
import { BuildDetail } from '../src/contract/builds'
import { DEMO_TRIAGE_TOKEN } from '../server/demo/seed'
import { expect, test } from './fixtures'

/*
 * The alert queue and triage on the seeded demo in Chromium. The alerts are what the rules found in the demo's
 * builds (its toolchain bumps, unknown keys, unexpected hosts, and the scenarios after its history).
 */

async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze()
  expect(results.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([])
}

test.describe.configure({ mode: 'serial' })

test('a tool-version drift shows what was expected and what was found, with the documents that show it', async ({ demoServer: server, demoPage: page }) => {
  await page.goto(`${server.url}/alerts?rule=unexpected-tool-version&project=acme%2Fweb`)
  const group = page.getByRole('region', { name: /Unexpected tool version/ })
  // How often it was seen and when last, in words that read as a sentence ("last seen yesterday", not "last yesterday").
  await expect(group.getByRole('listitem').filter({ hasText: 'node 21.1.0 where 20.19.0 is pinned' })).toContainText(/\d+ builds? · last seen \S/)
  await group.getByRole('link', { name: 'node 21.1.0 where 20.19.0 is pinned' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'node 21.1.0 where 20.19.0 is pinned' })).toBeVisible()
  const evidence = page.getByRole('region', { name: 'Evidence' })
  await expect(evidence.getByRole('definition').filter({ hasText: /^node 20\.19\.0$/ })).toBeVisible()
  await expect(evidence.getByRole('definition').filter({ hasText: /^node 21\.1\.0 \(from (CI telemetry|the provenance)\)$/ })).toBeVisible()
  await expect(evidence.getByText('pinned in policy acme/web')).toBeVisible()
  // Seen in two builds: the scenario's toolchain bump and the next build of the pipeline.
  await expect(evidence.getByRole('table').getByRole('row')).toHaveCount(3)
  await expect(evidence.getByRole('link', { name: /^provenance of build / })).toBeVisible()
  await expectNoAxeViolations(page)
})

test('a rebuild mismatch seen in several builds says, build by build, the published digest expected and the digest rebuilt', async ({ demoServer: server, demoPage: page, request }) => {
  const queue = AlertPage.parse(await (await request.get(`${server.url}/api/v1/alerts?rule=rebuild-mismatch&limit=100`)).json())
  const alert = queue.items.find((item) => item.occurrences >= 3)
  if (!alert) throw new Error('the demo has a rebuild mismatch seen in three builds or more')
  await page.goto(`${server.url}/alerts/${alert.id}`)
  const evidence = page.getByRole('region', { name: 'Evidence' })
  // The evidence at the top is the newest build's, and says so.
  await expect(evidence.getByRole('term').filter({ hasText: /^Expected \(newest build\)$/ })).toBeVisible()
  const table = evidence.getByRole('table', { name: 'The most recent builds that showed this cause' })
  await expect(table.getByRole('columnheader')).toHaveText(['Build', 'When', 'Expected', 'Found'])
  const rows = table.getByRole('row').filter({ has: page.getByRole('cell') })
  await expect(rows).toHaveCount(Math.min(alert.occurrences, 50))
  // Each row's expected digest is what that build published under the artifact's name, and the rebuilt one differs.
  const name = alert.subject.label.split(' ')[0] ?? ''
  for (const row of (await rows.all()).slice(0, 3)) {
    const [build, , expected, found] = await row.getByRole('cell').allTextContents()
    const buildId = (await row.getByRole('link').getAttribute('href'))?.split('/').pop() ?? ''
    expect(buildId.startsWith(build ?? '-')).toBe(true)
    const detail = BuildDetail.parse(await (await request.get(`${server.url}/api/v1/builds/${buildId}`)).json())
    const published = detail.subjects.find((subject) => subject.name === name)?.digest.sha256
    expect(expected).toBe(`sha256:${published}`)
    expect(found).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(found).not.toBe(expected)
  }
  await expectNoAxeViolations(page)
})

test('every alert title in the queue starts at one line, whatever the width of its severity', async ({ demoServer: server, demoPage: page }) => {
  await page.goto(`${server.url}/alerts`)
  const rows = page.locator('.alert-row')
  await expect(rows.first()).toBeVisible()
  const starts = await rows.evaluateAll((items) =>
    items.map((row) => ({ severity: row.querySelector('.alert-severity')?.textContent ?? '', left: Math.round(row.querySelector('a')?.getBoundingClientRect().left ?? -1) })),
  )
  // The demo's queue has alerts of several severities, whose words differ in width ("! High", "▲ Medium").
  expect(new Set(starts.map((start) => start.severity)).size).toBeGreaterThan(2)
  expect(new Set(starts.map((start) => start.left))).toEqual(new Set([starts[0]?.left]))
})

test('a build page leads to the alerts that build showed, and the queue says it is narrowed to it', async ({ demoServer: server, demoPage: page, request }) => {
  const queue = AlertPage.parse(await (await request.get(`${server.url}/api/v1/alerts?state=unresolved&limit=500`)).json())
  const first = queue.items.find((alert) => alert.subject.kind === 'build')
  if (!first) throw new Error('the demo has unresolved alerts on builds')
  const buildId = first.subject.buildId
  const expected = AlertPage.parse(await (await request.get(`${server.url}/api/v1/alerts?state=unresolved&buildId=${buildId}&limit=500`)).json()).items
  expect(expected.map((alert) => alert.id)).toContain(first.id)
  // Fewer than the whole queue, or narrowing would prove nothing.
  expect(expected.length).toBeLessThan(queue.items.length)

  await page.goto(`${server.url}/builds/${buildId}`)
  await page.getByRole('link', { name: 'Alerts of this build' }).click()
  await expect(page).toHaveURL(new RegExp(`/alerts\\?.*build=${buildId}`))
  await expect(page).toHaveTitle(`Build ${buildId.slice(0, 12)}… · Alerts · Provenance`)
  // One row per alert, each with its selection box named by the alert's title.
  const rows = page.getByRole('checkbox', { name: /^Select / })
  await expect(rows).toHaveCount(expected.length)
  expect((await rows.evaluateAll((boxes) => boxes.map((box) => box.getAttribute('aria-label')))).sort()).toEqual(expected.map((alert) => `Select ${alert.title}`).sort())
  await expect(page.getByText(`Only the alerts that build ${buildId.slice(0, 12)}… showed.`)).toBeVisible()
  await expectNoAxeViolations(page)

  await page.getByRole('link', { name: 'Show the alerts of every build' }).click()
  await expect(page).not.toHaveURL(/build=/)
  await expect(rows).toHaveCount(queue.items.length)
})

test('acknowledging with a reason asks for the triage token, then updates the queue and the history', async ({ demoServer: server, demoPage: page, request }) => {
  const openBefore = AlertPage.parse(await (await request.get(`${server.url}/api/v1/alerts?limit=1`)).json()).counts
  await page.goto(`${server.url}/alerts?rule=unexpected-tool-version&project=acme%2Fweb`)
  await page.getByRole('link', { name: 'node 21.1.0 where 20.19.0 is pinned' }).click()
  // Triage, History and Webhook deliveries are regions of their own, each under its heading.
  const triage = page.getByRole('region', { name: 'Triage' })
  await triage.getByLabel('Reason (optional)').fill('The runner image moved to node 21; the platform team is pinning it back.')
  await triage.getByRole('button', { name: 'Acknowledge' }).click()
  await triage.getByLabel('Triage token').fill(DEMO_TRIAGE_TOKEN)
  await triage.getByRole('button', { name: 'Use token' }).click()
  await expect(page.getByRole('region', { name: 'Webhook deliveries' })).toContainText('None: no webhook is configured')

  const history = page.getByRole('region', { name: 'History' })
  await expect(history.getByRole('listitem').last()).toContainText('Changed open → acknowledged by demo-triage')
  await expect(history.getByRole('listitem').last()).toContainText('The runner image moved to node 21; the platform team is pinning it back.')
  await expect(page.getByRole('banner').getByText('Acknowledged', { exact: true }).or(page.locator('.page-lede').getByText('Acknowledged', { exact: true }))).toBeVisible()

  await page.goto(`${server.url}/alerts`)
  const counts = page.getByRole('navigation', { name: 'Alerts by state' })
  await expect(counts.getByRole('link', { name: new RegExp(`^Open ${openBefore.open - 1}$`) })).toBeVisible()
  await counts.getByRole('link', { name: /^Acknowledged / }).click()
  await expect(page).toHaveURL(/state=acknowledged/)
  await expect(page.getByRole('link', { name: 'node 21.1.0 where 20.19.0 is pinned' })).toBeVisible()
})

test('keyboard triage: select three alerts with j and x, acknowledge them with a; ? lists the shortcuts', async ({ demoServer: server, demoPage: page, request }) => {
  const rule = 'out-of-band-download'
  const before = AlertPage.parse(await (await request.get(`${server.url}/api/v1/alerts?rule=${rule}&limit=500`)).json())
  expect(before.counts.open).toBeGreaterThanOrEqual(3)
  await page.goto(`${server.url}/alerts?rule=${rule}`)
  await page.evaluate((token) => sessionStorage.setItem('provenance-dashboard.triage-token', token), DEMO_TRIAGE_TOKEN)
  const rows = page.getByRole('region', { name: /Out-of-band download/ }).getByRole('listitem')
  await expect(rows.first()).toBeVisible()
  const titles = await rows.evaluateAll((items) => items.slice(0, 3).map((item) => item.querySelector('a')?.textContent ?? ''))

  await page.getByRole('heading', { level: 1, name: 'Alerts' }).click()
  await page.keyboard.press('?')
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
  for (const key of ['j', 'k', 'x', 'a', 'r', 'w', '?']) await expect(dialog.getByRole('term').filter({ hasText: new RegExp(`^${key.replace(/[?]/g, '\\?')}$`) })).toBeVisible()
  await expectNoAxeViolations(page)
  await dialog.getByRole('button', { name: 'Close' }).click()
  await expect(dialog).toBeHidden()

  await page.keyboard.press('x')
  await page.keyboard.press('j')
  await page.keyboard.press('x')
  await page.keyboard.press('j')
  await page.keyboard.press('x')
  await expect(page.getByRole('toolbar', { name: 'Selected alerts' })).toContainText('3 selected')
  await page.keyboard.press('a')
  await expect(page.getByRole('status')).toHaveText('3 alerts acknowledged.')

  const counts = page.getByRole('navigation', { name: 'Alerts by state' })
  await expect(counts.getByRole('link', { name: new RegExp(`^Open ${before.counts.open - 3}$`) })).toBeVisible()
  await expect(counts.getByRole('link', { name: new RegExp(`^Acknowledged ${before.counts.acknowledged + 3}$`) })).toBeVisible()
  await counts.getByRole('link', { name: /^Acknowledged / }).click()
  for (const title of titles) await expect(page.getByRole('link', { name: title, exact: true }).first()).toBeVisible()
  await expectNoAxeViolations(page)
})

test('a waiver that runs out reopens the alert, and its history says so', async ({ demoServer: server, demoPage: page, request }) => {
  // The waiver ends in an hour by the server's clock; the test then moves that clock past it (server.moveClock)
  // rather than waiting, and puts it back afterwards for the tests that follow on this server.
  const [alert] = AlertPage.parse(await (await request.get(`${server.url}/api/v1/alerts?rule=duration-outlier&state=open&limit=1`)).json()).items
  if (alert === undefined) throw new Error('the demo should have an open duration outlier')
  const expiresAt = new Date(Math.ceil((Date.now() + 3_600_000) / 1000) * 1000).toISOString()
  const waived = await request.patch(`${server.url}/api/v1/alerts/${alert.id}`, {
    headers: { authorization: `Bearer ${DEMO_TRIAGE_TOKEN}` },
    data: { state: 'waived', reason: 'The mirror was slow during the migration window.', expiresAt },
  })
  expect(waived.status()).toBe(200)
  expect(AlertDetail.parse(await waived.json())).toMatchObject({ state: 'waived', waiver: { by: 'demo-triage', expiresAt } })

  await page.goto(`${server.url}/alerts/${alert.id}`)
  await expect(page.getByText(/^Waived by demo-triage until .*: The mirror was slow during the migration window\.$/)).toBeVisible()
  await expect(page.locator('.page-lede').getByText('Waived', { exact: true })).toBeVisible()

  // Still waived a minute before it ends.
  const moved = 3_600_000 - 60_000
  server.moveClock(moved)
  try {
    expect(AlertDetail.parse(await (await request.get(`${server.url}/api/v1/alerts/${alert.id}`)).json())).toMatchObject({ state: 'waived' })
    server.moveClock(2 * 60_000)
    await page.reload()
    await expect(page.locator('.page-lede').getByText('Open', { exact: true })).toBeVisible()
    await expect(page.getByText(/^Waived by /)).toBeHidden()
    const last = page.getByRole('region', { name: 'History' }).getByRole('listitem').last()
    await expect(last).toContainText('Waiver ended waived → open by rules')
    await expect(last).toContainText(`the waiver by demo-triage ("The mirror was slow during the migration window.") ended ${expiresAt}`)
    await expectNoAxeViolations(page)
  } finally {
    server.moveClock(-(moved + 2 * 60_000))
  }
})
