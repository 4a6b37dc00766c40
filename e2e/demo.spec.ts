import { ProjectList } from '../src/contract/builds'
import { expect, test } from './fixtures'

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
