import AxeBuilder from '@axe-core/playwright'
import type { APIRequestContext, Page } from '@playwright/test'
import { BuildDetail, BuildPage } from '../src/contract/builds'
import { ReproducibilitySummary } from '../src/contract/reproducibility'
import { SignaturePage } from '../src/contract/signatures'
import { expect, test } from './fixtures'

// Every test here reads the seeded demo (builds, CI telemetry and independent rebuilds) as `npm start` runs it,
// through a page whose clock stands at the demo's "now".

async function getJson<T>(request: APIRequestContext, url: string, parse: (value: unknown) => T): Promise<T> {
  const response = await request.get(url)
  expect(response.status(), url).toBe(200)
  return parse(await response.json())
}

async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze()
  expect(results.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([])
}

test('from the reproducibility matrix, open a mismatching rebuild and read which rebuilder disagreed', async ({ demoServer: server, demoPage: page, request }) => {
  const summary = await getJson(request, `${server.url}/api/v1/reproducibility`, (value) => ReproducibilitySummary.parse(value))
  const project = summary.items.find((item) => item.mismatched > 0)?.project
  if (!project) throw new Error('the demo has no mismatching rebuild')
  await page.goto(`${server.url}/reproducibility?project=${encodeURIComponent(project)}&range=90`)
  await expect(page.getByRole('figure', { name: /^\d+% of [\d,]+ rebuilds matched in the last 90 days/ })).toBeVisible()

  const matrix = page.getByRole('table', { name: `Rebuilder verdicts for ${project}` })
  await expect(matrix).toBeVisible()
  await expect(matrix.getByText(/^\d of \d rebuilders? agrees?$/).first()).toBeVisible()
  const cell = matrix.getByRole('link', { name: /: mismatch for / }).first()
  // The rebuilder as the matrix names it (its URL without the scheme), to find on the artifact page.
  let rebuilder = ''
  if ((await cell.count()) === 0) {
    // None among the latest artifacts: the chart's periods reach further back.
    await page.getByRole('button', { name: /^.+: \d+ mismatched of \d+$/ }).first().click()
  } else {
    rebuilder = ((await cell.getAttribute('aria-label')) ?? '').split(':')[0] ?? ''
    await cell.click()
  }
  const mismatch = page.getByRole('article', { name: /^Mismatch: .+ disagrees$/ })
  await expect(mismatch).toBeVisible()
  await expect(mismatch).toBeFocused()
  await expect(mismatch.getByRole('heading', { level: 3 })).toContainText(rebuilder)
  await expect(page.getByRole('table', { name: 'Rebuilds and their verdicts' }).getByText('Disagrees (different digest)').first()).toBeVisible()
  await expect(mismatch.getByText('Expected (published)')).toBeVisible()
  await expect(mismatch.getByText('Rebuilt')).toBeVisible()
})

test('a red bar of the history chart leads to a mismatching rebuild', async ({ demoServer: server, demoPage: page }) => {
  await page.goto(`${server.url}/reproducibility?project=acme%2Fapi&range=90`)
  const chart = page.getByRole('figure', { name: /rebuilds matched in the last 90 days/ })
  const bars = chart.getByRole('img', { name: /^Mismatched, .+: \d+ of \d+ rebuilds$/ })
  await expect(bars.first()).toBeVisible()
  await bars.last().click()
  await expect(page).toHaveURL(/\/artifacts\/sha256:[0-9a-f]{64}#rebuild-[0-9a-f]{64}$/)
  await expect(page.getByRole('article', { name: /^Mismatch: .+ disagrees$/ })).toBeVisible()
})

test('open a failed signature and read the failing check with expected versus found', async ({ demoServer: server, demoPage: page, request }) => {
  const failed = await getJson(request, `${server.url}/api/v1/signatures?status=failed&limit=1`, (value) => SignaturePage.parse(value))
  expect(failed.counts.failed).toBeGreaterThan(0)
  await page.goto(`${server.url}/signatures?status=failed`)
  await expect(page.getByRole('navigation', { name: 'Counts by status' }).getByRole('link', { name: `Failed ${failed.counts.failed.toLocaleString('en')}` })).toBeVisible()
  const table = page.getByRole('table', { name: 'Signatures' })
  await table.getByRole('link', { name: /^Failed: open the .+ check of/ }).first().click()

  await expect(page).toHaveURL(/#check-[a-z-]+/)
  const check = decodeURIComponent(new URL(page.url()).hash.replace('#check-', ''))
  const row = page.getByRole('table', { name: /^Checks/ }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: check, exact: true }) })
  await expect(row).toBeFocused()
  await expect(row).toHaveAttribute('id', `check-${check}`)
  await expect(row).toContainText('Failed')
  await expect(row.getByText('Expected', { exact: true })).toBeVisible()
  await expect(row.getByText('Found', { exact: true })).toBeVisible()
  await expect(page.getByRole('region', { name: 'Verification' }).getByText('First failure:')).toBeVisible()
  // The raw record is one click away.
  await row.getByText('Technical detail').click()
  await expect(row.getByLabel(`The ${check} check as recorded`)).toContainText(`"name": "${check}"`)
})

test('compare a build with the previous one and see the changed tool version', async ({ demoServer: server, demoPage: page, request }) => {
  // Find, through the API, a build whose toolchain moved on from the project's previous build.
  const builds = await getJson(request, `${server.url}/api/v1/builds?project=acme%2Fweb&limit=200`, (value) => BuildPage.parse(value))
  const details: BuildDetail[] = []
  let pair: { previous: BuildDetail; build: BuildDetail; tool: string } | null = null
  for (const summary of builds.items) {
    const detail = await getJson(request, `${server.url}/api/v1/builds/${summary.id}`, (value) => BuildDetail.parse(value))
    const newer = details.at(-1)
    details.push(detail)
    if (!newer) continue
    const versions = (build: BuildDetail) => new Map(build.resolvedDependencies.flatMap((dependency) => {
      const match = /^pkg:generic\/([^@]+)@(.+)$/.exec(dependency.uri ?? '')
      return match?.[1] && match[2] ? [[match[1], match[2]] as const] : []
    }))
    const before = versions(detail)
    const changed = [...versions(newer)].find(([name, version]) => before.has(name) && before.get(name) !== version)
    if (changed) {
      pair = { previous: detail, build: newer, tool: changed[0] }
      break
    }
  }
  if (!pair) throw new Error('no tool version change among the newest acme/web builds')

  await page.goto(`${server.url}/builds/${pair.build.id}`)
  await page.getByRole('link', { name: 'Compare with previous' }).click()
  await expect(page).toHaveURL(new RegExp(`/builds/compare\\?a=${pair.previous.id}&b=${pair.build.id}$`))
  const tools = page.getByRole('region', { name: /^Tool versions/ })
  await expect(tools.getByText(/^\d+ changed$/)).toBeVisible()
  const row = tools.getByRole('row', { name: new RegExp(`^${pair.tool} `) })
  await expect(row.getByText('Changed')).toBeVisible()
})

test('search a digest prefix and land on its artifact', async ({ demoServer: server, demoPage: page, request }) => {
  const builds = await getJson(request, `${server.url}/api/v1/builds?limit=1`, (value) => BuildPage.parse(value))
  const subject = builds.items[0]?.subjects[0]
  const sha256 = subject?.digest.sha256
  if (!subject || !sha256) throw new Error('no artifact')
  await page.goto(`${server.url}/builds`)
  await page.getByRole('table', { name: 'Builds' }).waitFor()
  await page.keyboard.press('/')
  await expect(page.getByRole('searchbox', { name: /^Search digests/ })).toBeFocused()
  await page.keyboard.type(sha256.slice(0, 14))
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(`${server.url}/artifacts/sha256:${sha256}`)
  await expect(page.getByRole('heading', { level: 1, name: subject.name })).toBeVisible()
  await expect(page.getByRole('region', { name: 'Produced by' })).toBeVisible()
})

test('every new screen has no axe violations', async ({ demoServer: server, demoPage: page, request }) => {
  test.setTimeout(120_000)
  const builds = await getJson(request, `${server.url}/api/v1/builds?project=acme%2Fcli&limit=2`, (value) => BuildPage.parse(value))
  const [b, a] = builds.items
  const digest = b?.subjects[0]?.digest.sha256
  if (!a || !b || !digest) throw new Error('not enough demo builds')
  const screens: [string, RegExp | string][] = [
    [`/artifacts`, 'Artifacts'],
    [`/artifacts/sha256:${digest}`, 'Produced by'],
    ['/signatures', 'Showing'],
    ['/reproducibility?project=acme%2Fcli', 'Rebuilders × artifacts'],
    [`/builds/compare?a=${a.id}&b=${b.id}`, 'Tool versions'],
    [`/builds/${b.id}`, 'CI timeline'],
    [`/search?q=cli`, 'matches for'],
  ]
  for (const [url, text] of screens) {
    await page.goto(`${server.url}${url}`)
    await expect(page.getByText(text).first()).toBeVisible()
    // The chart draws after its own chunk arrives.
    if (url.startsWith('/reproducibility')) await expect(page.getByRole('img', { name: /^(Matched|Mismatched), / }).first()).toBeVisible()
    await expectNoAxeViolations(page)
  }
})
