import { createHash } from 'node:crypto'
import { z } from 'zod'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiErrorBody } from '../../src/contract/common'
import { DEPLOYMENT_PREDICATE_TYPE, DeploymentIngestResponse, type DeploymentInputJson } from '../../src/contract/deployments'
import { LineageAmbiguous, LineageGraph, type LineageEdge, type LineageNode } from '../../src/contract/lineage'
import { createApp } from '../app'
import { buildConfig } from '../config'
import { signEnvelope } from '../demo/seed'
import { slsaV1Statement } from '../testing/documents'
import type { Store } from '../store/types'
import { tempStore } from '../testing/documents'
import { commits, digests, FIXTURE_INGESTED_AT, keys, REBUILDER_2, seedResources } from '../testing/resource-fixture'

/* GET /api/v1/lineage over HTTP on the resource fixture's builds and rebuilds, with deployments recorded on top. */

const hex = (seed: string) => createHash('sha256').update(seed).digest('hex')
const tokenHash = (secret: string) => createHash('sha256').update(secret).digest('hex')
const config = buildConfig(
  {
    trust: { keys: [keys.ci, keys.rb1, keys.rb2].map((key) => ({ id: key.id, publicKeyPem: key.publicKeyPem })) },
    tokens: [{ name: 'deployer', sha256: tokenHash('ingest-secret'), scopes: ['ingest'] }],
  },
  'lineage test config',
)
const headers = { authorization: 'Bearer ingest-secret', 'content-type': 'application/json' }

let store: Store
let dispose: () => Promise<void>
let app: ReturnType<typeof createApp>
let buildIds: Record<string, string>
const deploymentIds: Record<string, string> = {}
const dependantDigests = { 'user-1': createHash('sha256').update('user-1').digest('hex'), 'user-2': createHash('sha256').update('user-2').digest('hex') }
const dependantIds: Record<string, string> = {}

const deployment = (digest: string, environment: string, day: number): DeploymentInputJson => ({
  artifacts: [{ digest: `sha256:${digest}`, name: 'app-linux-amd64' }],
  environment: { name: environment },
  service: 'app',
  deployedAt: new Date(Date.UTC(2026, 10, day, 12)).toISOString(),
  system: { name: 'argo-cd' },
})

beforeAll(async () => {
  ;({ store, dispose } = await tempStore())
  ;({ buildIds } = await seedResources(store, config))
  app = createApp({ store, config, version: '0.0.0-test', demo: false, now: () => FIXTURE_INGESTED_AT })
  // d1 promoted from staging to production; d3 (provenance signed by an untrusted key) to staging; d2 to perf 15 times.
  const lines = [deployment(digests.d1, 'staging', 3), deployment(digests.d1, 'production', 4), deployment(digests.d3, 'staging', 5)]
  for (let run = 0; run < 15; run++) lines.push({ ...deployment(digests.d2, 'perf', 6), deployedAt: new Date(Date.UTC(2026, 10, 6, run)).toISOString() })
  const response = await app.request('/api/v1/deployments', { method: 'POST', body: lines.map((line) => JSON.stringify(line)).join('\n'), headers: { ...headers, 'content-type': 'application/x-ndjson' } })
  const body = DeploymentIngestResponse.parse(await response.json())
  deploymentIds.staging = body.deployments[0]?.id ?? ''
  deploymentIds.production = body.deployments[1]?.id ?? ''
  // d5 deployed by a pipeline that signs what it deploys.
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'app-linux-amd64', digest: { sha256: digests.d5 } }],
    predicateType: DEPLOYMENT_PREDICATE_TYPE,
    predicate: { environment: { name: 'production' }, service: 'app', deployedAt: '2026-11-15T12:00:00Z', system: { name: 'flux' } },
  }
  await app.request('/api/v1/attestations', { method: 'POST', body: JSON.stringify(signEnvelope(statement, keys.ci)), headers })
  // Two builds of a service that use example/lib's release as an input: one signed by the trusted key, one by a
  // key nothing trusts. Their provenance lists lib's digest among its resolved dependencies (upper-cased once).
  for (const [label, key, sha256] of [['user-1', keys.ci, digests.lib], ['user-2', keys.rogue, digests.lib.toUpperCase()]] as const) {
    const base = slsaV1Statement({ subjectName: `${label}.tar.gz`, sha256: dependantDigests[label], repo: 'https://github.com/example/service', commit: 'f'.repeat(40) })
    const definition = base.predicate.buildDefinition
    const user = { ...base, predicate: { ...base.predicate, buildDefinition: { ...definition, resolvedDependencies: [...definition.resolvedDependencies, { uri: 'pkg:generic/lib.tar.gz', digest: { sha256 } }] } } }
    const envelope = signEnvelope(user, key)
    const posted = await app.request('/api/v1/attestations', { method: 'POST', body: JSON.stringify(envelope), headers })
    expect(posted.status).toBe(201)
    dependantIds[label] = createHash('sha256').update(JSON.stringify(envelope)).digest('hex')
  }
})
afterAll(async () => dispose())

async function graph(query: string): Promise<LineageGraph> {
  const response = await app.request(`/api/v1/lineage?${query}`)
  const body: unknown = await response.json()
  expect(response.status, JSON.stringify(body).slice(0, 400)).toBe(200)
  return LineageGraph.parse(body)
}

async function problem(query: string, status: number) {
  const response = await app.request(`/api/v1/lineage?${query}`)
  const body: unknown = await response.json()
  expect(response.status, JSON.stringify(body)).toBe(status)
  return ApiErrorBody.parse(body).error
}

const node = (g: LineageGraph, id: string): LineageNode | undefined => g.nodes.find((candidate) => candidate.id === id)
const edge = (g: LineageGraph, type: LineageEdge['type'], from: string, to: string) => g.edges.find((candidate) => candidate.type === type && candidate.from === from && candidate.to === to)

describe('GET /api/v1/lineage', () => {
  it('from an artifact: its commit and build upstream, its rebuilds, deployments and environments downstream, each edge judged', async () => {
    const g = await graph(`from=sha256:${digests.d1}&depth=2`)
    expect(g).toMatchObject({ root: `artifact:sha256:${digests.d1}`, resolvedAs: 'digest', depth: 2, direction: 'both' })
    const artifact = `artifact:sha256:${digests.d1}`
    const build = `build:${buildIds.b1}`
    const commit = `commit:${commits.first}`
    expect(edge(g, 'produced', build, artifact)).toMatchObject({ state: 'verified' })
    expect(edge(g, 'built-from', commit, build)).toMatchObject({ state: 'verified' })
    expect(node(g, commit)).toMatchObject({ type: 'commit', label: `example/app@${commits.first.slice(0, 7)}`, distance: 2, state: 'verified' })
    // One rebuilder agreed, the other produced a different digest: a failed edge that says so.
    const rebuilds = g.edges.filter((candidate) => candidate.type === 'rebuilt-as' && candidate.from === artifact)
    expect(rebuilds.map((candidate) => candidate.state).sort()).toEqual(['failed', 'verified'])
    expect(rebuilds.find((candidate) => candidate.state === 'failed')?.reason).toContain(`rebuild by ${REBUILDER_2} produced sha256:`)
    expect(node(g, artifact)).toMatchObject({ state: 'failed', facts: { verifiedPath: true, rebuildDisagrees: true, deployedWithoutVerifiedProvenance: false } })
    // Deployed to staging and production, posted with a token: recorded, not signed.
    const staging = `deployment:${deploymentIds.staging}`
    expect(edge(g, 'deployed-to', artifact, staging)).toMatchObject({ state: 'unverified', reason: 'recorded with an ingest token, not signed' })
    expect(edge(g, 'deployed-to', staging, 'environment:staging')).toBeDefined()
    expect(node(g, staging)).toMatchObject({ type: 'deployment', facts: { environment: 'staging', service: 'app', current: false, flagged: false } })
    expect(node(g, `deployment:${deploymentIds.production}`)).toMatchObject({ facts: { environment: 'production' } })
    expect(node(g, 'environment:production')).toMatchObject({ distance: 2, key: 'production' })
    // Every edge joins two nodes (or a node and a group) of the graph.
    const ids = new Set([...g.nodes.map((candidate) => candidate.id), ...g.groups.map((group) => group.id)])
    for (const each of g.edges) expect(ids.has(each.from) && ids.has(each.to), each.id).toBe(true)
  })

  it('says where depth cut the graph', async () => {
    const g = await graph(`from=sha256:${digests.d1}&depth=1&direction=up`)
    expect(g.nodes.map((candidate) => candidate.type).sort()).toEqual(['artifact', 'build', 'rebuild', 'rebuild'])
    expect(node(g, `build:${buildIds.b1}`)?.more).toBe(true)
    expect(g.truncated).toMatchObject({ cut: true })
    expect(g.truncated.at).toContainEqual({ node: `build:${buildIds.b1}`, reason: 'depth' })
    const whole = await graph(`from=sha256:${digests.d1}&depth=6&direction=up`)
    expect(whole.truncated.cut).toBe(false)
  })

  it('from a build signed by an untrusted key: produced is unverified, and its deployment is flagged', async () => {
    const g = await graph(`from=${buildIds.b3}&direction=down&depth=3`)
    expect(g.resolvedAs).toBe('build')
    const artifact = `artifact:sha256:${digests.d3}`
    expect(edge(g, 'produced', `build:${buildIds.b3}`, artifact)).toMatchObject({ state: 'unverified', reason: 'listed as a subject; provenance signed by a key nothing trusted vouches for' })
    expect(node(g, artifact)).toMatchObject({ state: 'unverified', facts: { deployedWithoutVerifiedProvenance: true } })
    expect(g.nodes.find((candidate) => candidate.type === 'deployment')).toMatchObject({ state: 'unverified', facts: { flagged: true } })
    expect(node(g, 'environment:staging')).toMatchObject({ facts: { flagged: 1 } })
  })

  it('from a commit prefix, a deployment id and an environment', async () => {
    const fromCommit = await graph(`from=${commits.first.slice(0, 7)}&direction=down&depth=1`)
    expect(fromCommit.resolvedAs).toBe('commit')
    expect(fromCommit.nodes.filter((candidate) => candidate.type === 'build').map((candidate) => candidate.key).sort()).toEqual([buildIds.b1, buildIds.b2].sort())

    const fromDeployment = await graph(`from=${deploymentIds.production}&depth=3&direction=up`)
    expect(fromDeployment.resolvedAs).toBe('deployment')
    expect(fromDeployment.nodes.map((candidate) => candidate.type)).toEqual(expect.arrayContaining(['deployment', 'artifact', 'build', 'commit']))

    const fromEnvironment = await graph('from=env:production&depth=2&direction=up')
    expect(fromEnvironment.resolvedAs).toBe('environment')
    // The signed deployment of d5 comes with its attestation, which is verified.
    const signed = fromEnvironment.nodes.find((candidate) => candidate.type === 'deployment' && candidate.facts.recordedBy === 'attestation')
    expect(signed).toBeDefined()
    const d5 = `artifact:sha256:${digests.d5}`
    expect(edge(fromEnvironment, 'deployed-to', d5, signed?.id ?? '')).toMatchObject({ state: 'verified', reason: 'deployment attestation verified' })
  })

  it('groups a large neighbourhood and expands it with the cursor it returns', async () => {
    const g = await graph(`from=sha256:${digests.d2}&direction=down&depth=1`)
    const group = g.groups.find((candidate) => candidate.memberType === 'deployment')
    expect(group).toMatchObject({ anchor: `artifact:sha256:${digests.d2}`, edgeType: 'deployed-to', count: 15, shown: 3, verified: 0, unverified: 15 })
    expect(group?.label).toBe('15 deployments of app-linux-amd64, 0% signed')
    expect(g.nodes.filter((candidate) => candidate.type === 'deployment')).toHaveLength(3)
    expect(edge(g, 'deployed-to', `artifact:sha256:${digests.d2}`, group?.id ?? '')).toMatchObject({ state: 'unverified' })
    expect(g.truncated.at).toContainEqual({ node: `artifact:sha256:${digests.d2}`, reason: 'grouped' })

    const expanded = await graph(`from=sha256:${digests.d2}&direction=down&depth=1&expand=${group?.expandCursor ?? ''}`)
    const after = expanded.groups.find((candidate) => candidate.memberType === 'deployment')
    expect(after).toMatchObject({ count: 15, shown: 15, expandCursor: null })
    expect(expanded.nodes.filter((candidate) => candidate.type === 'deployment')).toHaveLength(15)
  })

  it('walks depends-on down from an artifact to the builds that used it, and up from such a build to the same edge', async () => {
    const lib = `artifact:sha256:${digests.lib}`
    const down = await graph(`from=sha256:${digests.lib}&direction=down&depth=2`)
    const users = down.edges.filter((candidate) => candidate.type === 'depends-on')
    expect(users.map((candidate) => [candidate.from, candidate.to, candidate.state]).sort()).toEqual(
      [
        [lib, `build:${dependantIds['user-1']}`, 'verified'],
        [lib, `build:${dependantIds['user-2']}`, 'unverified'],
      ].sort(),
    )
    expect(edge(down, 'depends-on', lib, `build:${dependantIds['user-2']}`)?.reason).toBe('a resolved dependency; provenance signed by a key nothing trusted vouches for')
    // On from each dependant to what it produced, never up to the dependant's commit or lib's own build.
    expect(node(down, `artifact:sha256:${dependantDigests['user-1']}`)).toMatchObject({ distance: 2 })
    expect(down.nodes.some((candidate) => candidate.type === 'commit' || candidate.key === buildIds.lib)).toBe(false)

    const up = await graph(`from=${dependantIds['user-1']}&direction=up&depth=2`)
    expect(edge(up, 'depends-on', lib, `build:${dependantIds['user-1']}`)).toMatchObject({ state: 'verified' })
    expect(node(up, `build:${buildIds.lib}`)).toMatchObject({ distance: 2 })
  })

  it('answers 404 naming what was looked up, 409 listing the candidates, 400 for depth and malformed input', async () => {
    const unknown = await problem(`from=sha256:${'0'.repeat(64)}`, 404)
    expect(unknown).toMatchObject({ code: 'not-found', path: 'query.from' })
    expect(unknown.message).toContain(`sha256:${'0'.repeat(64)}`)
    expect((await problem('from=0123456789abcdef', 404)).message).toBe('nothing matches from=0123456789abcdef: looked up as a commit prefix or an artifact digest prefix')
    expect((await problem('from=env:nowhere', 404)).message).toContain('"nowhere"')

    const response = await app.request('/api/v1/lineage?from=abababababab')
    expect(response.status).toBe(409)
    const ambiguous = LineageAmbiguous.parse(await response.json()).error
    expect(ambiguous.candidates.map((candidate) => candidate.key).sort()).toEqual([`sha256:${digests.twin1}`, `sha256:${digests.twin2}`].sort())
    expect(ambiguous.message).toContain('is a prefix of 2 artifact digests')

    for (const depth of ['0', '7', 'two']) expect(await problem(`from=sha256:${digests.d1}&depth=${depth}`, 400)).toMatchObject({ code: 'invalid-query', path: 'query.depth' })
    expect(await problem(`from=sha256:${digests.d1}&direction=sideways`, 400)).toMatchObject({ path: 'query.direction' })
    expect(await problem('from=not a digest', 400)).toMatchObject({ path: 'query.from' })
    expect(await problem('depth=2', 400)).toMatchObject({ path: 'query.from' })
    expect(await problem(`from=sha256:${digests.d1}&expand=bm90LWEtY3Vyc29y`, 400)).toMatchObject({ path: 'query.expand' })
  })

  it('attaches the VSAs naming an artifact, its newest gate decisions and where each document was pulled from', async () => {
    const digest = `sha256:${digests.d4}`
    const vsa = (result: 'PASSED' | 'FAILED', time: string) => ({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'app-darwin-arm64', digest: { sha256: digests.d4 } }],
      predicateType: 'https://slsa.dev/verification_summary/v1',
      predicate: { verifier: { id: 'https://verifier.example' }, timeVerified: time, policy: { uri: 'https://policy.example/release' }, verificationResult: result, verifiedLevels: ['SLSA_BUILD_LEVEL_3'] },
    })
    const signed = signEnvelope(vsa('PASSED', '2026-11-20T00:00:00Z'), keys.ci)
    const unsigned = vsa('FAILED', '2026-11-21T00:00:00Z')
    for (const body of [signed, unsigned]) expect((await app.request('/api/v1/attestations', { method: 'POST', body: JSON.stringify(body), headers })).status).toBe(201)
    const signedId = createHash('sha256').update(JSON.stringify(signed)).digest('hex')
    const unsignedId = createHash('sha256').update(JSON.stringify(unsigned)).digest('hex')

    const before = await graph(`from=${digest}&depth=1`)
    const buildKey = before.nodes.find((node) => node.type === 'build')?.key ?? ''
    const detail = z.object({ document: z.object({ id: z.string() }) }).parse(await (await app.request(`/api/v1/builds/${buildKey}`)).json())
    // A registry source pulled the provenance and the signed VSA.
    await store.sources.setNextSync('ghcr', 'oci', null)
    await store.sources.recordDocuments(
      [detail.document.id, signedId].map((documentId) => ({ source: 'ghcr', documentId, origin: `https://ghcr.example/v2/acme/app/blobs/sha256:${documentId}`, subject: digest, created: true })),
      Date.UTC(2026, 10, 22),
    )
    for (const [index, decision] of (['allow', 'deny'] as const).entries()) {
      await store.gates.record({
        id: hex(`gate-${index}`),
        decidedAt: new Date(Date.UTC(2026, 10, 23, index)).toISOString(),
        askedBy: 'release-pipeline',
        decision,
        policy: 'release',
        environment: 'production',
        artifacts: [{ digest, decision, reasons: [{ rule: 'attestations-present', ok: decision === 'allow', expected: 'a verified VSA', actual: decision === 'allow' ? 'one' : 'none', evidence: [] }] }],
        recorded: true,
        projects: { [digest]: 'app' },
      })
    }

    const after = await graph(`from=${digest}&depth=1`)
    const attests = (id: string) => after.edges.find((edge) => edge.type === 'attests' && edge.from === `artifact:${digest}` && edge.to === `attestation:${id}`)
    expect(attests(signedId)).toMatchObject({ state: 'verified', reason: expect.stringMatching(/^VSA from https:\/\/verifier\.example verified .*it says PASSED \(SLSA_BUILD_LEVEL_3\)$/) })
    expect(attests(unsignedId)).toMatchObject({ state: 'unverified', reason: 'VSA from https://verifier.example not signed; it says FAILED (SLSA_BUILD_LEVEL_3)' })
    const node = (id: string) => after.nodes.find((candidate) => candidate.id === id)
    const pulledFrom = { source: 'ghcr', kind: 'oci', at: '2026-11-22T00:00:00.000Z' }
    expect(node(`attestation:${signedId}`)).toMatchObject({
      label: 'VSA PASSED SLSA_BUILD_LEVEL_3',
      facts: { status: 'verified', vsa: { verifierId: 'https://verifier.example', result: 'PASSED', policyUri: 'https://policy.example/release', timeVerified: '2026-11-20T00:00:00.000Z' }, pulledFrom },
    })
    expect(node(`attestation:${unsignedId}`)?.facts).not.toHaveProperty('pulledFrom')
    expect(node(`build:${buildKey}`)?.facts).toMatchObject({ pulledFrom: { ...pulledFrom, url: `https://ghcr.example/v2/acme/app/blobs/sha256:${detail.document.id}` } })
    const artifact = node(`artifact:${digest}`)
    expect(artifact?.type === 'artifact' ? artifact.facts.gateDecisions?.map((decision) => [decision.decision, decision.failed, decision.href]) : null).toEqual([
      ['deny', ['attestations-present'], `/api/v1/gate/decisions?digest=${encodeURIComponent(digest)}`],
      ['allow', [], `/api/v1/gate/decisions?digest=${encodeURIComponent(digest)}`],
    ])
  })
})
