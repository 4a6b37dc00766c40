import { test as base } from '@playwright/test'
import { ProjectList } from '../src/contract/builds'
import { startServer, type RunningServer } from '../server/testing/run-server'
import { expect } from './fixtures'

// The server as `npm start` runs it: no config, an empty store, so it seeds the demo.
const test = base.extend<object, { demoServer: RunningServer }>({
  demoServer: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the fixtures argument to be destructured
    async ({}, use) => {
      const server = await startServer({ demo: true })
      await use(server)
      await server.stop()
    },
    { scope: 'worker', timeout: 120_000 },
  ],
})

test('the seeded demo shows at least 1,500 builds across at least 5 projects, filterable by status in the URL', async ({ demoServer: server, page, request }) => {
  const projects = ProjectList.parse(await (await request.get(`${server.url}/api/v1/projects`)).json())
  expect(projects.items.length).toBeGreaterThanOrEqual(5)
  expect(projects.items.reduce((sum, project) => sum + project.builds, 0)).toBeGreaterThanOrEqual(1500)

  await page.goto(`${server.url}/`)
  await expect(page.getByRole('navigation').getByRole('link', { name: 'Builds' })).toBeVisible()
  await page.goto(`${server.url}/builds?status=failed`)
  const links = page.getByRole('table', { name: 'Builds' }).getByRole('link', { name: /build/ })
  await expect(links.first()).toBeVisible()
  for (const name of await links.evaluateAll((found) => found.slice(0, 10).map((link) => link.getAttribute('aria-label') ?? ''))) {
    expect(name).toMatch(/, Failed$/)
  }
  // The failed demo builds are the ones whose signature was altered after signing.
  await expect(page.getByRole('table', { name: 'Builds' })).toContainText('Failed: envelope-signature')
})
