import { getResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { ApiErrorBody } from '../../src/contract/common'
import { DeploymentPage, EnvironmentList } from '../../src/contract/deployments'
import { LineageGraph } from '../../src/contract/lineage'
import { DEMO_UNPROVEN_DIGEST } from '../../demo/deployments'
import { deploymentHandlers } from './deployments'
import { lineageHandlers } from './lineage'

const ask = async (path: string) => {
  const origin = 'http://mocks.test'
  const response = await getResponse([...deploymentHandlers, ...lineageHandlers], new Request(`${origin}${path}`), { baseUrl: origin })
  if (!response) throw new Error(`no mock answers ${path}`)
  return response
}

describe('deployment and lineage mocks over the demo', () => {
  it('say what runs now: the ledger in production is flagged, api in staging has a rebuild that disagrees', async () => {
    const environments = EnvironmentList.parse(await (await ask('/api/v1/environments')).json())
    expect(environments.items.map((environment) => environment.name)).toEqual(['production', 'staging'])
    const production = environments.items.find((environment) => environment.name === 'production')
    const ledger = production?.services.find((service) => service.service === 'ledger')
    expect(ledger?.deployment.flagged).toBe(true)
    expect(ledger?.deployment.artifacts[0]?.provenance.verifiedPath).toBe(false)
    const staging = environments.items.find((environment) => environment.name === 'staging')
    expect(staging?.services.find((service) => service.service === 'api')?.deployment.artifacts[0]?.provenance).toMatchObject({ verifiedPath: true, rebuildDisagrees: true })
    const flagged = DeploymentPage.parse(await (await ask('/api/v1/deployments?flagged=true&limit=500')).json())
    expect(flagged.items.some((deployment) => deployment.artifacts[0]?.digest === DEMO_UNPROVEN_DIGEST)).toBe(true)
  }, 120_000)

  it('walk the lineage with the server rules: a signed production deployment back to its commit, and a failed rebuild edge', async () => {
    const signed = DeploymentPage.parse(await (await ask('/api/v1/deployments?environment=production&service=web&limit=1')).json()).items[0]
    expect(signed?.recordedBy).toBe('attestation')
    const graph = LineageGraph.parse(await (await ask(`/api/v1/lineage?from=${signed?.artifacts[0]?.digest ?? ''}&depth=3`)).json())
    const types = new Set(graph.nodes.map((node) => node.type))
    for (const type of ['commit', 'build', 'artifact', 'attestation', 'deployment', 'environment'] as const) expect(types.has(type), type).toBe(true)
    expect(graph.edges.find((edge) => edge.type === 'attests' && edge.to === `deployment:${signed?.id ?? ''}`)).toMatchObject({ state: 'verified' })

    const disputed = EnvironmentList.parse(await (await ask('/api/v1/environments')).json()).items.find((environment) => environment.name === 'staging')?.services.find((service) => service.service === 'api')
    const around = LineageGraph.parse(await (await ask(`/api/v1/lineage?from=${disputed?.deployment.id ?? ''}&direction=up&depth=2`)).json())
    expect(around.edges.some((edge) => edge.type === 'rebuilt-as' && edge.state === 'failed')).toBe(true)

    const environment = LineageGraph.parse(await (await ask('/api/v1/lineage?from=env:staging&depth=1')).json())
    expect(environment.groups[0]).toMatchObject({ memberType: 'deployment', shown: 3 })
    expect(environment.groups[0]?.count).toBeGreaterThan(12)
  }, 120_000)

  it('answer bad input as the server does', async () => {
    const unknown = await ask(`/api/v1/lineage?from=sha256:${'0'.repeat(64)}`)
    expect(unknown.status).toBe(404)
    expect(ApiErrorBody.parse(await unknown.json()).error.path).toBe('query.from')
    // A 12-character prefix of a digest only a deployment names still finds it.
    const byPrefix = LineageGraph.parse(await (await ask(`/api/v1/lineage?from=${DEMO_UNPROVEN_DIGEST.slice(7, 19)}&depth=1`)).json())
    expect(byPrefix).toMatchObject({ resolvedAs: 'digest-prefix', root: `artifact:${DEMO_UNPROVEN_DIGEST}` })
    expect(byPrefix.nodes[0]).toMatchObject({ state: 'unverified', facts: { provenance: 'none', deployedWithoutVerifiedProvenance: true } })
    const depth = await ask('/api/v1/lineage?from=abcdef1&depth=9')
    expect(depth.status).toBe(400)
    expect(ApiErrorBody.parse(await depth.json()).error).toMatchObject({ code: 'invalid-query', path: 'query.depth' })
  })
})
