import AxeBuilder from '@axe-core/playwright'
import type { APIRequestContext, Page, Worker as PageWorker } from '@playwright/test'
import { EnvironmentList } from '../src/contract/deployments'
import { LineageGraph } from '../src/contract/lineage'
import { signEnvelope } from '../server/demo/seed'
import { attachCosignAttestations, provenanceEnvelope, pushImage } from '../server/sources/oci/fixtures'
import { startRegistry } from '../server/store/testing/registry'
import { startServer, type RunningServer } from '../server/testing/run-server'
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

async function lineage(request: APIRequestContext, url: string, query: string) {
  const response = await request.get(`${url}/api/v1/lineage?${query}`)
  expect(response.status()).toBe(200)
  return LineageGraph.parse(await response.json())
}

/** What the summary counts for an answer: its nodes plus a node per group whose members are not all drawn. */
const counted = (graph: LineageGraph) => {
  const shownGroups = graph.groups.filter((group) => group.shown < group.count).length
  return `${graph.nodes.length + shownGroups} nodes, ${graph.edges.length} links`
}

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
  // The tab names where the graph starts.
  await expect(page).toHaveTitle('web-dist.tar.gz · Lineage · Provenance')

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

test('answers are read and laid out in the two Web Workers, the answers checked against the contract there', async ({ demoServer: server, demoPage: page, request }) => {
  const deployment = await running(request, server.url, 'production', 'web')
  const workers: PageWorker[] = []
  const closed: string[] = []
  page.on('worker', (worker) => {
    workers.push(worker)
    worker.on('close', () => closed.push(worker.url()))
  })
  await page.goto(`${server.url}/lineage?from=${deployment.id}`)
  await expect(nodeList(page).getByRole('button', { name: /^deployment / }).first()).toBeAttached()
  expect(workers).toHaveLength(2)
  const names = await Promise.all(workers.map((worker) => worker.evaluate(() => self.name)))
  expect([...names].sort()).toEqual(['lineage-answers', 'lineage-layout'])
  // The answer worker checks against the contract itself: an answer without the graph's fields comes back as the
  // contract error naming the first field missing, from zod in the worker (loaded from the page's contract chunk).
  const answers = workers[names.indexOf('lineage-answers')]!
  const reply = await answers.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const scope = self as unknown as { postMessage: (message: unknown) => void }
        const post = scope.postMessage.bind(self)
        scope.postMessage = (message) => {
          scope.postMessage = post
          resolve(JSON.stringify(message))
        }
        const bytes = new TextEncoder().encode('{"nodes":"none"}').buffer
        self.dispatchEvent(new MessageEvent('message', { data: { id: -1, key: 'probe', bytes, base: null, status: 200, endpoint: '/api/v1/lineage' } }))
      }),
  )
  expect(reply).toContain('"apiError"')
  expect(reply).toContain('does not match the API contract')
  expect(reply).toContain('"path":"root"')
  // A worker that fails to start is terminated, and the page reads and lays out on its own thread instead.
  expect(closed).toEqual([])
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

test('Refresh states shows a node’s new state in the list, the keyboard’s node and the open panel, and back again', async ({ demoServer: server, demoPage: page, request }) => {
  const deployment = await running(request, server.url, 'production', 'web')
  const digest = deployment.artifacts[0]!.digest
  // The demo's verdicts do not change while a test runs, so the answers after the first are the server's own with
  // this artifact's verdict changed, as a re-verification that failed it would change them; everything else is as served.
  let failIt = false
  await page.route('**/api/v1/lineage?**', async (route) => {
    const response = await route.fetch()
    const graph = LineageGraph.parse(await response.json())
    const nodes = graph.nodes.map((node) => (failIt && node.type === 'artifact' && node.facts.digest === digest ? { ...node, state: 'failed' as const, facts: { ...node.facts, provenance: 'failed' as const } } : node))
    await route.fulfill({ response, json: { ...graph, nodes } })
  })
  await page.goto(`${server.url}/lineage?from=${digest}`)
  const name = (state: string) => new RegExp(`^artifact web-dist\\.tar\\.gz sha256:${digest.slice(7, 13)}…, ${state}`)
  const listed = (state: string) => nodeList(page).getByRole('button', { name: name(state) })
  await expect(listed('verified')).toHaveCount(1)
  await openFromList(page, name('verified'))
  const provenance = panel(page).getByRole('term').filter({ hasText: /^Provenance$/ }).locator('xpath=following-sibling::dd')
  await expect(panel(page).getByRole('heading', { level: 2 })).toHaveText(/^artifact web-dist\.tar\.gz/)
  await expect(provenance).toHaveText('verified')
  const others = await nodeList(page).getByRole('button', { name: /, verified/ }).count()

  failIt = true
  const refresh = page.getByRole('toolbar', { name: 'Graph view' }).getByRole('button', { name: 'Refresh states' })
  await refresh.click()
  await expect(listed('failed')).toHaveCount(1)
  await expect(listed('verified')).toHaveCount(0)
  await expect(page.locator('.lineage-current')).toHaveAttribute('aria-label', name('failed'))
  // The panel's first paragraph says the node's state in words.
  await expect(panel(page).getByRole('paragraph').first()).toHaveText(/^failed/)
  await expect(provenance).toHaveText('failed')
  // Only that node changed: every other verified node still reads verified.
  await expect(nodeList(page).getByRole('button', { name: /, verified/ })).toHaveCount(others - 1)

  // A second refresh (patched against the first refresh's answer) brings it back.
  failIt = false
  await expect(refresh).toBeEnabled()
  await refresh.click()
  await expect(listed('verified')).toHaveCount(1)
  await expect(provenance).toHaveText('verified')
  await expect(panel(page).getByRole('paragraph').first()).toHaveText(/^verified/)
  await expect(page.locator('.lineage-current')).toHaveAttribute('aria-label', name('verified'))
  await expect(nodeList(page).getByRole('button', { name: /, verified/ })).toHaveCount(others)
})

test('the start page offers each environment, with what runs there, as a place to start', async ({ demoServer: server, demoPage: page, request }) => {
  const environments = EnvironmentList.parse(await (await request.get(`${server.url}/api/v1/environments`)).json()).items
  expect(environments.length).toBeGreaterThan(1)
  await page.goto(`${server.url}/lineage`)
  const intro = page.getByRole('region', { name: 'Start from anything' })
  const items = intro.getByRole('listitem')
  await expect(items).toHaveText(
    environments.map(
      (environment) =>
        `${environment.name} ${environment.services.length} service${environment.services.length === 1 ? '' : 's'}${environment.flagged > 0 ? `, ${environment.flagged} without verified provenance` : ''}`,
    ),
  )
  await intro.getByRole('link', { name: 'production', exact: true }).click()
  await expect(page).toHaveURL(`${server.url}/lineage?from=env%3Aproduction`)
  const before = await lineage(request, server.url, 'from=env:production')
  await expect(page.getByRole('status').filter({ hasText: / nodes, \d+ links/ })).toContainText(counted(before))
})

test('expanding a group adds its members to the graph', async ({ demoServer: server, demoPage: page, request }) => {
  // Production's deployments outnumber what one node lists, so the environment starts with them grouped.
  const before = await lineage(request, server.url, 'from=env:production')
  const group = before.groups.find((candidate) => candidate.memberType === 'deployment')
  if (!group?.expandCursor) throw new Error('the demo groups the deployments to production')
  const after = await lineage(request, server.url, `from=env:production&expand=${group.expandCursor}`)
  const deploymentsAfter = after.nodes.filter((node) => node.type === 'deployment').length
  const grown = after.groups.find((candidate) => candidate.id === group.id)
  expect(deploymentsAfter).toBeGreaterThan(before.nodes.filter((node) => node.type === 'deployment').length)
  // A member the first answer had none like (by its name in the list).
  const member = after.nodes.find((node) => node.type === 'deployment' && !before.nodes.some((other) => other.label === node.label))
  if (!member) throw new Error('the expansion shows a deployment of another day or service')

  await page.goto(`${server.url}/lineage?from=env:production`)
  const summary = page.getByRole('status').filter({ hasText: / nodes, \d+ links/ })
  await expect(summary).toContainText(counted(before))
  await expect(summary).toContainText('1 group of neighbours')
  const deployments = nodeList(page).getByRole('region', { name: /^Deployments \(/ })
  const memberButton = deployments.getByRole('button', { name: new RegExp(`^deployment ${escape(member.label)} `) })
  await expect(memberButton).toHaveCount(0)

  await openFromList(page, new RegExp(`^group ${escape(group.label)}`))
  await expect(panel(page).getByRole('heading', { level: 2 })).toHaveText(`group ${group.label}`)
  await expect(panel(page).getByText(`${group.count} in all, ${group.shown} shown`)).toBeVisible()
  await panel(page).getByRole('button', { name: 'Expand group' }).click()

  await expect(page).toHaveURL(new RegExp(`expand=${group.expandCursor}`))
  await expect(summary).toContainText(counted(after))
  // Every deployment of the answer is a node of the list (plus the group while members remain hidden).
  const stillGrouped = grown !== undefined && grown.shown < grown.count ? 1 : 0
  await expect(nodeList(page).getByRole('region', { name: `Deployments (${deploymentsAfter + stillGrouped})` })).toBeAttached()
  await expect(memberButton.first()).toBeAttached()
  // The panel stays on the group and says how many it now shows.
  await expect(panel(page).getByText(`${group.count} in all, ${grown?.shown ?? group.count} shown`)).toBeVisible()
})

test('a node clicked on the canvas opens its panel, also after the panel was closed; a drag pans', async ({ demoServer: server, demoPage: page, request }) => {
  const deployment = await running(request, server.url, 'production', 'ledger')
  await page.goto(`${server.url}/lineage?from=env:production`)
  await expect(nodeList(page).getByRole('button').first()).toBeAttached()

  // Find centres the node on the canvas (and opens it); close the panel, then click the node where it is drawn.
  await page.getByRole('searchbox', { name: 'Find a node' }).fill(deployment.id.slice(0, 12))
  await page.locator('.lineage-found').getByRole('button', { name: /^deployment ledger / }).first().click()
  const heading = panel(page).getByRole('heading', { level: 2 })
  await expect(heading).toHaveText(/^deployment ledger to production/)
  const title = (await heading.textContent()) ?? ''
  await panel(page).getByRole('button', { name: 'Close' }).click()
  await expect(panel(page)).toHaveCount(0)
  await expect(page).not.toHaveURL(/selected=/)

  // The canvas keeps its centre as it widens into the panel's place, so the node is in the middle.
  const canvas = page.locator('canvas.lineage-canvas-surface')
  await canvas.scrollIntoViewIfNeeded()
  const box = await canvas.boundingBox()
  if (!box) throw new Error('the canvas is drawn')
  // Playwright checks that the canvas itself (not an element over it) receives the click.
  await canvas.click({ position: { x: box.width / 2, y: box.height / 2 } })
  await expect(heading).toHaveText(title)
  await expect(page).toHaveURL(new RegExp(`selected=deployment%3A${deployment.id}`))
  await expect(panel(page).getByText('no verified path to a source commit')).toBeVisible()

  // A press that moves is a pan, not a click: the view moves by the drag and no panel opens.
  await panel(page).getByRole('button', { name: 'Close' }).click()
  await expect(panel(page)).toHaveCount(0)
  const [x0, y0, scale] = (await settledView(page)).split(',').map(Number) as [number, number, number]
  const wide = await canvas.boundingBox()
  if (!wide) throw new Error('the canvas is drawn')
  await page.mouse.move(wide.x + wide.width / 2, wide.y + wide.height / 2)
  await page.mouse.down()
  await page.mouse.move(wide.x + wide.width / 2 - 120, wide.y + wide.height / 2 - 40, { steps: 8 })
  await page.mouse.up()
  const [x1, y1] = (await settledView(page)).split(',').map(Number) as [number, number]
  expect(Math.abs(x1 - (x0 + 120 / scale))).toBeLessThanOrEqual(2)
  expect(Math.abs(y1 - (y0 + 40 / scale))).toBeLessThanOrEqual(2)
  await expect(panel(page)).toHaveCount(0)
})

test('a wide, short graph sits in the middle of the miniature, inside the whole rectangle of the view', async ({ demoServer: server, demoPage: page, request }) => {
  const response = await request.get(`${server.url}/api/v1/builds?project=acme%2Fcli&status=failed&limit=1`)
  const build = ((await response.json()) as { items: { id: string }[] }).items[0]
  if (!build) throw new Error('the demo has a failed acme/cli build')
  // One build: its commit, itself and its three artifacts side by side, far wider than tall.
  await page.goto(`${server.url}/lineage?from=${build.id}`)
  await expect(nodeList(page).getByRole('button').first()).toBeAttached()
  // Which rows of the miniature hold a node's box, and which the view's rectangle (its blue outline).
  const read = () => page.locator('canvas.lineage-minimap').evaluate((canvas: HTMLCanvasElement) => {
    const { width, height } = canvas
    const pixels = canvas.getContext('2d')?.getImageData(0, 0, width, height).data ?? new Uint8ClampedArray()
    const near = (at: number, [r, g, b]: number[]) => Math.abs(pixels[at]! - r!) + Math.abs(pixels[at + 1]! - g!) + Math.abs(pixels[at + 2]! - b!) < 30
    const nodes: number[] = []
    const outline: number[] = []
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const at = (y * width + x) * 4
        if (near(at, [0xc0, 0x24, 0x1b]) || near(at, [0x7a, 0xa9, 0x8c]) || near(at, [0x8d, 0x97, 0xa3])) nodes.push(y)
        if (near(at, [0x1f, 0x5f, 0xa8])) outline.push(y)
      }
    }
    return { height, nodes: [Math.min(...nodes), Math.max(...nodes)], outline: [Math.min(...outline), Math.max(...outline)] }
  })
  // Drawn once the layout is done.
  await expect.poll(async () => (await read()).outline[0]).toBeLessThan(Infinity)
  const rows = await read()
  const [nodesTop, nodesBottom] = rows.nodes as [number, number]
  const [outlineTop, outlineBottom] = rows.outline as [number, number]
  // Centred: as much room above the nodes as below them.
  expect(Math.abs(nodesTop - (rows.height - 1 - nodesBottom))).toBeLessThanOrEqual(4)
  // The view's rectangle is drawn whole (neither edge cut off) and holds every node.
  expect(outlineTop).toBeGreaterThan(0)
  expect(outlineBottom).toBeLessThan(rows.height - 1)
  expect(outlineTop).toBeLessThan(nodesTop)
  expect(outlineBottom).toBeGreaterThan(nodesBottom)
})

/** The viewport the URL holds once the canvas has stopped reporting changes (it reports 250 ms after the last). */
async function settledView(page: Page): Promise<string> {
  const view = () => new URL(page.url()).searchParams.get('view')
  for (let tries = 0; tries < 40; tries++) {
    const seen = view()
    await page.waitForTimeout(400)
    if (seen !== null && seen === view()) return seen
  }
  throw new Error(`the viewport in the URL did not settle (${view()})`)
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

test('an image pulled from a registry: its VSA is a proven node, the registry is where its evidence came from, and its gate decision is on the artifact', async ({ guardedPage: page }) => {
  test.setTimeout(180_000)
  const registry = await startRegistry()
  let server: RunningServer | null = null
  try {
    server = await startServer({
      config: {
        sources: [{ name: 'test-registry', kind: 'oci', url: registry.url, repositories: [{ name: 'acme/web' }], intervalSeconds: 3600, concurrency: 1 }],
        policies: [{ name: 'release', repositories: ['https://github.com/acme/*'], gate: { requiredAttestations: ['slsa-provenance', 'vsa'] } }],
      },
    })
    const running = server
    const image = await pushImage(registry, 'acme/web', '1.0')
    const vsa = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'acme/web', digest: { sha256: image.digest.replace(/^sha256:/, '') } }],
      predicateType: 'https://slsa.dev/verification_summary/v1',
      predicate: { verifier: { id: 'https://verifier.example' }, timeVerified: '2026-11-20T00:00:00Z', policy: { uri: 'https://policy.example/release' }, verificationResult: 'PASSED', verifiedLevels: ['SLSA_BUILD_LEVEL_3'] },
    }
    await attachCosignAttestations(registry, 'acme/web', image.digest, [provenanceEnvelope(running.key, image.digest, 'acme/web'), Buffer.from(JSON.stringify(signEnvelope(vsa, running.key)))])

    // Sync (the scheduler's own first sync may be running: then it is asked again until it starts one).
    const graphOf = async () => {
      const response = await fetch(`${running.url}/api/v1/lineage?from=${image.digest}&depth=2`)
      return response.status === 200 ? LineageGraph.parse(await response.json()) : null
    }
    await expect
      .poll(async () => {
        await fetch(`${running.url}/api/v1/sources/test-registry/sync`, { method: 'POST', headers: { authorization: `Bearer ${running.ingestToken}` } })
        return (await graphOf())?.nodes.some((node) => node.type === 'attestation' && node.facts.vsa !== undefined && node.facts.pulledFrom !== undefined) ?? false
      }, { timeout: 90_000, intervals: [2_000] })
      .toBe(true)
    const asked = await fetch(`${running.url}/api/v1/gate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${running.ingestToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ digests: [image.digest], policy: 'release', environment: 'production' }),
    })
    const answer = (await asked.json()) as { decision: 'allow' | 'deny' }
    expect(asked.status, JSON.stringify(answer)).toBe(200)
    const decision = answer.decision

    const graph = await graphOf()
    const vsaNode = graph?.nodes.find((node) => node.type === 'attestation' && node.facts.vsa !== undefined)
    expect(graph?.edges.find((edge) => edge.to === vsaNode?.id)).toMatchObject({ type: 'attests', from: `artifact:${image.digest}`, state: 'verified' })
    expect(graph?.nodes.find((node) => node.type === 'build')?.facts).toMatchObject({ pulledFrom: { source: 'test-registry', kind: 'oci' } })

    await page.goto(`${running.url}/lineage?from=${image.digest}&depth=2`)
    await openFromList(page, /^attestation VSA PASSED SLSA_BUILD_LEVEL_3 .*, verified/)
    const side = panel(page)
    await expect(side.getByRole('heading', { level: 2 })).toHaveText(/^attestation VSA PASSED/)
    await expect(side.getByRole('term').filter({ hasText: /^Verifier’s verdict$/ }).locator('xpath=following-sibling::dd')).toHaveText('PASSED at SLSA_BUILD_LEVEL_3')
    await expect(side.getByRole('term').filter({ hasText: /^Pulled from$/ }).locator('xpath=following-sibling::dd')).toContainText('test-registry (OCI registry)')
    await expect(side.getByText(/VSA from https:\/\/verifier\.example verified .*it says PASSED \(SLSA_BUILD_LEVEL_3\)/)).toBeVisible()

    await openFromList(page, /^artifact /)
    const decisions = panel(page).getByRole('region', { name: 'Release gate decisions' })
    await expect(decisions.getByRole('listitem')).toHaveCount(1)
    await expect(decisions.getByRole('listitem')).toContainText(`${decision === 'allow' ? 'Allowed' : 'Denied'} by policy release for production`)
    await decisions.getByRole('link', { name: 'All gate decisions for this artifact' }).click()
    await expect(page).toHaveURL(new RegExp(`/artifacts/.*#gate-decisions$`))
    await expect(page.getByRole('region', { name: 'Release gate decisions' })).toBeVisible()
  } finally {
    await server?.stop()
    await registry.stop()
  }
})

test('showing more neighbours of a node at the edge adds its neighbourhood to the graph, and keeps it there', async ({ demoServer: server, demoPage: page, request }) => {
  const deployment = await running(request, server.url, 'production', 'web')
  const digest = deployment.artifacts[0]!.digest
  const first = await lineage(request, server.url, `from=${digest}&depth=1&direction=both`)
  // A node the first answer cut (it has neighbours beyond the depth), and one of those neighbours.
  const edge = first.nodes.find((node) => node.more && node.type !== 'environment')
  if (!edge) throw new Error('the demo cuts a depth-1 lineage of an artifact at some node')
  const around = await lineage(request, server.url, `from=${encodeURIComponent(edge.key)}&depth=1&direction=both`)
  const added = around.nodes.find((node) => !first.nodes.some((other) => other.id === node.id))
  if (!added) throw new Error('the cut node has neighbours the first answer lacks')

  await page.goto(`${server.url}/lineage?from=${digest}&depth=1`)
  const summary = page.getByRole('status').filter({ hasText: / nodes, \d+ links/ })
  await expect(summary).toContainText(counted(first))
  const addedButton = nodeList(page).getByRole('button', { name: new RegExp(` ${escape(added.label)}\\b`) })
  await expect(addedButton).toHaveCount(0)

  await openFromList(page, new RegExp(` ${escape(edge.label)}\\b`))
  await panel(page).getByRole('button', { name: 'Show more neighbours' }).click()
  await expect(page).toHaveURL(/[?&]more=/)
  await expect(addedButton.first()).toBeAttached()
  const nodes = async () => Number((await summary.textContent())?.match(/^(\d+) nodes/)?.[1])
  expect(await nodes()).toBeGreaterThan(first.nodes.length)
  // A refresh of the states keeps the neighbourhood drawn.
  await page.getByRole('button', { name: 'Refresh states' }).click()
  await expect(page.getByText('Updating…')).toHaveAttribute('data-active', 'false')
  await expect(addedButton.first()).toBeAttached()
})
