import AxeBuilder from '@axe-core/playwright'
import { EnvironmentList } from '../src/contract/deployments'
import { DEMO_LAST_DAY } from '../src/contract/overview'
import { expect, test } from './fixtures'

/*
 * The overview at / on the seeded demo in Chromium (the page's clock just after the demo's "now"): each number
 * links to the list it counts, and that list holds as many.
 */

test('the overview’s counts match the lists they link to', async ({ demoServer: server, demoPage: page, request }) => {
  await page.goto(`${server.url}/`)
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()
  const results = await new AxeBuilder({ page }).analyze()
  expect(results.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([])

  // What runs now without verified provenance: as many services as the environments list flags.
  const environments = EnvironmentList.parse(await (await request.get(`${server.url}/api/v1/environments`)).json())
  const flagged = environments.items.flatMap((environment) => environment.services).filter((service) => service.deployment.flagged).length
  expect(flagged).toBeGreaterThan(0)
  const running = page.getByRole('region', { name: 'Deployments without verified provenance' }).getByRole('link', { name: /^Services? running unverified: \d+$/ })
  expect(Number((await running.getAttribute('aria-label'))?.split(': ')[1])).toBe(flagged)
  // It links to the deployment rule's alerts that are not resolved: one per service running unverified, as many rows.
  await running.click()
  await expect(page).toHaveURL(/\/alerts\?rule=deployed-without-verified-provenance&state=unresolved$/)
  await expect(page.getByRole('navigation', { name: 'Alerts by state' }).getByRole('link', { name: new RegExp(`^Not resolved ${flagged}$`) })).toBeVisible()
  const deployed = page.getByRole('region', { name: /^Deployed without verified provenance/ })
  await expect(deployed.getByRole('listitem')).toHaveCount(flagged)
  // The demo's ledger build signed by a key nobody trusts, running in production, is one of them.
  await expect(deployed.getByRole('link', { name: 'ledger.jar deployed to production without verified provenance' })).toBeVisible()
  await page.goto(`${server.url}/`)

  // Failed builds of the last 30 days: the builds list behind the link says "N builds" in its result count.
  const verification = page.getByRole('region', { name: 'Verification, last 30 days' })
  const failed = verification.getByRole('link', { name: /^Failed: \d+$/ })
  const failedCount = Number((await failed.getAttribute('aria-label'))?.split(': ')[1])
  expect(failedCount).toBeGreaterThan(0)
  await failed.click()
  await expect(page).toHaveURL(/\/builds\?status=failed&from=2026-10-29&to=2026-11-27/)
  const rows = page.getByRole('table', { name: 'Builds' }).getByRole('link', { name: /, Failed$/ })
  await expect(rows).toHaveCount(failedCount)

  // Open high-severity alerts: the queue behind the link counts the same.
  await page.goto(`${server.url}/`)
  const high = page.getByRole('region', { name: 'Open alerts' }).getByRole('link', { name: /^High: \d+$/ })
  const highCount = Number((await high.getAttribute('aria-label'))?.split(': ')[1])
  await high.click()
  await expect(page).toHaveURL(/\/alerts\?severity=high/)
  await expect(page.getByRole('navigation', { name: 'Alerts by state' }).getByRole('link', { name: new RegExp(`^Open ${highCount}$`) })).toBeVisible()
})

test('a first visit’s figures are the answer to the page’s preload hint: one request for them, started by the hint', async ({ demoServer: server, page }) => {
  // The page's clock and the server's are this machine's, as a person's and a server's clocks agree on the day: the
  // hint in `/` names the day the page asks for (server/http/first-route-preload.ts).
  const asked: string[] = []
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/v1/overview') asked.push(request.url())
  })
  await page.goto(`${server.url}/`)
  await expect(page.getByRole('link', { name: /^All open: \d+$/ })).toBeVisible()
  const started = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((entry) => new URL(entry.name).pathname === '/api/v1/overview')
      .map((entry) => (entry as PerformanceResourceTiming).initiatorType),
  )
  expect(started).toEqual(['link'])
  expect(asked).toHaveLength(1)
})

test('after the demo’s last day, the overview offers that day’s figures, which a preload hint brings too', async ({ demoServer: server, page }) => {
  // The page's clock is this machine's, after the demo's last day: the windows up to today hold few of its builds.
  await page.goto(`${server.url}/`)
  await page.getByRole('link', { name: `See the overview as of ${DEMO_LAST_DAY}` }).click()
  await expect(page).toHaveURL(`${server.url}/?day=${DEMO_LAST_DAY}`)
  await expect(page.getByRole('heading', { level: 1, name: `Overview as of ${DEMO_LAST_DAY}` })).toBeVisible()
  const week = page.getByRole('region', { name: 'Verification, last 7 days' })
  const verified = week.getByRole('link', { name: /^Verified: \d+$/ })
  // The demo's last week: its builds, counted over the days up to its last one, and the list holds as many.
  const count = Number(((await verified.getAttribute('aria-label')) ?? '').replace(/\D/g, ''))
  expect(count).toBeGreaterThan(10)
  const until = new Date(Date.parse(`${DEMO_LAST_DAY}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10)
  expect(await verified.getAttribute('href')).toContain(`from=${until}&to=${DEMO_LAST_DAY}`)
  await expect(page.getByRole('link', { name: 'Up to today' })).toHaveAttribute('href', '/')

  // Opened afresh, the address's day is what the hint in its HTML names: one request for the figures, by the hint.
  const asked: string[] = []
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/v1/overview') asked.push(new URL(request.url()).searchParams.get('day') ?? '')
  })
  await page.goto(`${server.url}/?day=${DEMO_LAST_DAY}`)
  await expect(week.getByRole('link', { name: /^Verified: \d+$/ })).toBeVisible()
  expect(asked).toEqual([DEMO_LAST_DAY])
})
