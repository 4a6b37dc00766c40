import AxeBuilder from '@axe-core/playwright'
import type { APIRequestContext, Page } from '@playwright/test'
import { EnvironmentList } from '../src/contract/deployments'
import { expect, test } from './fixtures'

// The Lineage screen on the seeded demo as `npm start` runs it. The graph is drawn on a canvas; assertions read
// its accessible side: the graph as a list (each node named "type label key, state"), the keyboard's node, the
// panel, the find results and the summary.

async function running(request: APIRequestContext, url: string, environment: string, service: string) {
  const response = await request.get(`${url}/api/v1/environments`)
  expect(response.status()).toBe(200)
  const list = EnvironmentList.parse(await response.json())
  const found = list.items.find((item) => item.name === environment)?.services.find((item) => item.service === service)
  if (!found) throw new Error(`the demo runs ${service} in ${environment}`)
  return found.deployment
}

/** The node list for assistive technology: one button per node, named like the node. */
const nodeList = (page: Page) => page.getByRole('region', { name: 'The graph as a list' })

async function openFromList(page: Page, name: RegExp) {
  const button = nodeList(page).getByRole('button', { name }).first()
  // The list is out of view and out of the tab order; a screen reader activates it where it is.
  await button.focus()
  await page.keyboard.press('Enter')
}

const panel = (page: Page) => page.getByRole('complementary')

test('from an artifact page, its lineage runs commit → build → artifact → attestation → deployment → environment', async ({ demoServer: server, demoPage: page, request }) => {
  const deployment = await running(request, server.url, 'production', 'web')
  const digest = deployment.artifacts[0]!.digest
  expect(deployment.flagged).toBe(false)

  await page.goto(`${server.url}/artifacts/${digest}`)
  await page.getByRole('main').getByRole('link', { name: 'Lineage', exact: true }).click()
  await expect(page).toHaveURL(/\/lineage\?from=sha256/)
  await expect(page.getByRole('heading', { level: 1, name: 'Lineage' })).toBeVisible()

  const list = nodeList(page)
  await expect(list.getByRole('button', { name: new RegExp(`^artifact web-dist\\.tar\\.gz sha256:${digest.slice(7, 13)}…, verified`) })).toHaveCount(1)
  for (const [layer, name] of [
    ['Sources', /^source commit \S+@[0-9a-f]{7}\b.*, verified/],
    ['Builds', /^build .*, verified/],
    ['Evidence', /^attestation .*, verified/],
    ['Deployments', /^deployment .*production.*, verified/],
    ['Environments', /^environment production/],
  ] as const) {
    await expect(list.getByRole('region', { name: new RegExp(`^${layer} \\(`) }).getByRole('button', { name }).first()).toBeAttached()
  }
  await expect(page.getByRole('status').filter({ hasText: /nodes, \d+ links: \d+ verified/ })).toBeVisible()

  // Click the deployment: found by its environment, then clicked on the canvas where the graph centred it.
  await page.getByRole('searchbox', { name: 'Find a node' }).fill('production')
  const result = page.locator('.lineage-found').getByRole('button', { name: /^deployment / }).first()
  const deploymentName = await result.textContent()
  await result.click()
  await expect(panel(page).getByRole('heading', { level: 2 })).toHaveText(/^deployment /)
  await expect(panel(page).getByRole('term').filter({ hasText: /^Environment$/ }).locator('xpath=following-sibling::dd')).toHaveText('production')
  expect(deploymentName).toContain('production')
})

test('a rebuild that disagrees is a failed edge, said in words', async ({ demoServer: server, demoPage: page, request }) => {
  const deployment = await running(request, server.url, 'staging', 'api')
  const artifact = deployment.artifacts[0]!
  expect(artifact.provenance.rebuildDisagrees).toBe(true)
  await page.goto(`${server.url}/lineage?from=${artifact.digest}`)
  await expect(nodeList(page).getByRole('button', { name: /^artifact .*a rebuild disagrees/ }).first()).toBeAttached()
  await openFromList(page, /^rebuild .*, failed, rebuild disagrees/)
  await expect(panel(page).getByRole('heading', { level: 2 })).toHaveText(/^rebuild /)
  await expect(panel(page).getByRole('listitem').filter({ hasText: /^failed a rebuild of artifact / })).toHaveCount(1)
  await expect(panel(page).getByText('the rebuild disagrees')).toBeVisible()
})

test('a deployment without verified provenance is flagged in the graph', async ({ demoServer: server, demoPage: page, request }) => {
  const deployment = await running(request, server.url, 'production', 'ledger')
  expect(deployment.flagged).toBe(true)
  await page.goto(`${server.url}/lineage?from=${deployment.id}`)
  await openFromList(page, /^deployment .*deployed without verified provenance/)
  await expect(panel(page).getByText(': deployed without verified provenance')).toBeVisible()
  await expect(panel(page).getByText('no verified path to a source commit')).toBeVisible()
  await expect(page.getByRole('status').filter({ hasText: /\d+ flagged/ })).toBeVisible()
})

test('keyboard only: Tab reaches a node, arrows follow its links, Enter opens its panel; axe finds nothing', async ({ demoServer: server, demoPage: page, request }) => {
  const deployment = await running(request, server.url, 'production', 'web')
  await page.goto(`${server.url}/lineage?from=${deployment.artifacts[0]!.digest}`)
  await expect(nodeList(page).getByRole('button').first()).toBeAttached()
  const graphNode = page.locator('.lineage-current')
  await expect(graphNode).toHaveAttribute('aria-label', /^artifact web-dist\.tar\.gz/)
  for (let presses = 0; presses < 60; presses++) {
    if (await graphNode.evaluate((element) => element === document.activeElement)) break
    await page.keyboard.press('Tab')
  }
  await expect(graphNode).toBeFocused()
  await page.keyboard.press('ArrowLeft')
  await expect(page.locator('.lineage-current')).toHaveAttribute('aria-label', /^build /)
  await expect(page.locator('.lineage-current')).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(panel(page).getByRole('heading', { level: 2 })).toHaveText(/^build /)
  await expect(page).toHaveURL(/selected=build/)

  const results = await new AxeBuilder({ page }).analyze()
  expect(results.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`)).toEqual([])
})
