import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArtifactDetail } from '../../src/contract/artifacts'
import { IngestResponse } from '../../src/contract/attestations'
import { ApiErrorBody } from '../../src/contract/common'
import { DEPLOYMENT_PREDICATE_TYPE, Deployment, DeploymentIngestResponse, DeploymentPage, DeploymentQuery, EnvironmentList, type DeploymentInputJson } from '../../src/contract/deployments'
import { createApp } from '../app'
import { buildConfig } from '../config'
import { signEnvelope } from '../demo/seed'
import type { Store } from '../store/types'
import { tempStore } from '../testing/documents'
import { digests, FIXTURE_INGESTED_AT, keys, seedResources } from '../testing/resource-fixture'

/* POST and GET /api/v1/deployments and GET /api/v1/environments over HTTP, on the resource fixture's builds. */

const tokenHash = (secret: string) => createHash('sha256').update(secret).digest('hex')
const config = buildConfig(
  {
    trust: { keys: [keys.ci, keys.rb1, keys.rb2].map((key) => ({ id: key.id, publicKeyPem: key.publicKeyPem })) },
    tokens: [{ name: 'deployer', sha256: tokenHash('ingest-secret'), scopes: ['ingest'] }],
  },
  'deployment test config',
)
const headers = { authorization: 'Bearer ingest-secret', 'content-type': 'application/json' }

let store: Store
let dispose: () => Promise<void>
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  ;({ store, dispose } = await tempStore())
  await seedResources(store, config)
  app = createApp({ store, config, version: '0.0.0-test', demo: false, now: () => FIXTURE_INGESTED_AT })
})
afterAll(async () => dispose())

const post = (body: string, extra: Record<string, string> = {}) => app.request('/api/v1/deployments', { method: 'POST', body, headers: { ...headers, ...extra } })
const errorOf = async (response: Response) => ApiErrorBody.parse(await response.json()).error

const deployment = (overrides: Partial<DeploymentInputJson> = {}): DeploymentInputJson => ({
  artifacts: [{ digest: `sha256:${digests.d1}`, name: 'app-linux-amd64' }],
  environment: { name: 'staging', cluster: 'eu-1' },
  deployedAt: '2026-11-10T09:00:00Z',
  system: { name: 'argo-cd', runUrl: 'https://deploy.example/runs/1' },
  ...overrides,
})

describe('POST /api/v1/deployments', () => {
  it('stores a deployment once: the same body again answers 200 with the stored record', async () => {
    const first = await post(JSON.stringify(deployment()))
    expect(first.status).toBe(201)
    const created = DeploymentIngestResponse.parse(await first.json())
    const [entry] = created.deployments
    expect(entry).toMatchObject({ created: true })
    expect(entry?.deployment).toMatchObject({
      environment: { name: 'staging', cluster: 'eu-1', namespace: null },
      service: 'app-linux-amd64',
      project: 'example/app',
      recordedBy: 'api',
      signature: null,
      flagged: false,
      system: { name: 'argo-cd', runUrl: 'https://deploy.example/runs/1' },
    })
    expect(entry?.deployment.artifacts[0]?.provenance).toMatchObject({ status: 'verified', verifiedPath: true, sourceCommit: 'c'.repeat(40), rebuildDisagrees: true })

    const again = await post(JSON.stringify(deployment()))
    expect(again.status).toBe(200)
    const repeated = DeploymentIngestResponse.parse(await again.json())
    expect(repeated.deployments[0]).toMatchObject({ id: entry?.id, created: false })
    expect((await store.deployments.list(DeploymentQuery.parse({ limit: 50 }))).items.filter((item) => item.id === entry?.id)).toHaveLength(1)
  })

  it('flags a deployment of a digest whose provenance is signed by an untrusted key', async () => {
    const response = await post(JSON.stringify(deployment({ artifacts: [{ digest: `sha256:${digests.d3}` }], environment: { name: 'production' } })))
    const body = DeploymentIngestResponse.parse(await response.json())
    const stored = body.deployments[0]?.deployment
    expect(stored?.flagged).toBe(true)
    expect(stored?.artifacts[0]?.provenance).toMatchObject({ status: 'untrusted', verifiedPath: false, reason: 'provenance signed by a key nothing trusted vouches for' })
    // Neither a service nor an artifact name given: the service is the project of the build listing the digest.
    expect(stored?.service).toBe('example/app')
  })

  it('stores the good lines of a JSONL body and lists each bad one with its line and field', async () => {
    const lines = [
      JSON.stringify(deployment({ environment: { name: 'staging' }, deployedAt: '2026-11-11T09:00:00Z' })),
      JSON.stringify({ ...deployment(), environment: { cluster: 'x' } }),
      '{"artifacts": [',
      JSON.stringify(deployment({ artifacts: [{ digest: 'sha256:abc' }] })),
    ]
    const response = await post(lines.join('\n'), { 'content-type': 'application/x-ndjson' })
    expect(response.status).toBe(201)
    const body = DeploymentIngestResponse.parse(await response.json())
    expect(body.deployments.map((entry) => entry.line)).toEqual([1])
    expect(body.errors.map(({ line, code, path }) => ({ line, code, path }))).toEqual([
      { line: 2, code: 'invalid-deployment', path: 'line 2: $.environment.name' },
      { line: 3, code: 'invalid-json', path: 'line 3: $' },
      { line: 4, code: 'invalid-deployment', path: 'line 4: $.artifacts.0.digest' },
    ])
    expect(body.errors[2]?.message).toContain('followed by 64 hex characters')
  })

  it('answers 422 naming the field for one bad deployment, 400 for broken JSON or an empty body, 415 and 401 otherwise', async () => {
    const missing = await post(JSON.stringify({ ...deployment(), deployedAt: 'yesterday' }))
    expect(missing.status).toBe(422)
    expect(await errorOf(missing)).toMatchObject({ code: 'invalid-deployment', path: '$.deployedAt' })
    const none = await post(JSON.stringify({ ...deployment(), artifacts: [] }))
    expect(await errorOf(none)).toMatchObject({ code: 'invalid-deployment', path: '$.artifacts', message: '$.artifacts: a deployment deploys at least one artifact' })
    const broken = await post('{"artifacts":')
    expect(broken.status).toBe(400)
    expect((await errorOf(broken)).code).toBe('invalid-json')
    expect((await post('')).status).toBe(400)
    expect((await post('environment=production', { 'content-type': 'text/plain' })).status).toBe(415)
    const anonymous = await app.request('/api/v1/deployments', { method: 'POST', body: JSON.stringify(deployment()), headers: { 'content-type': 'application/json' } })
    expect(anonymous.status).toBe(401)
    expect((await store.deployments.list(DeploymentQuery.parse({ limit: 50, environment: 'nowhere' }))).items).toEqual([])
  })

  it('replaces an earlier deployment, which then says what replaced it; an unknown one is refused naming replaces', async () => {
    const earlier = DeploymentIngestResponse.parse(await (await post(JSON.stringify(deployment({ environment: { name: 'qa' }, artifacts: [{ digest: `sha256:${digests.d4}` }] })))).json())
    const earlierId = earlier.deployments[0]?.id ?? ''
    const fix = await post(JSON.stringify(deployment({ environment: { name: 'qa' }, artifacts: [{ digest: `sha256:${digests.d5}` }], replaces: earlierId })))
    expect(fix.status).toBe(201)
    const replaced = Deployment.parse(await (await app.request(`/api/v1/deployments/${earlierId}`)).json())
    const fixId = DeploymentIngestResponse.parse(await fix.json()).deployments[0]?.id
    expect(replaced.replacedBy).toBe(fixId)

    const unknown = await post(JSON.stringify(deployment({ replaces: 'f'.repeat(64) })))
    expect(unknown.status).toBe(422)
    expect(await errorOf(unknown)).toMatchObject({ code: 'unknown-replaces', path: '$.replaces' })
  })

  it('records a deployment signed as an in-toto Statement through the attestation ingest, with its verdict', async () => {
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'app-linux-amd64', digest: { sha256: digests.d5 } }],
      predicateType: DEPLOYMENT_PREDICATE_TYPE,
      predicate: { environment: { name: 'production', region: 'eu-west-1' }, service: 'app', deployedAt: '2026-11-12T10:00:00Z', system: { name: 'flux' } },
    }
    const response = await app.request('/api/v1/attestations', { method: 'POST', body: JSON.stringify(signEnvelope(statement, keys.ci)), headers })
    expect(response.status).toBe(201)
    const ingested = IngestResponse.parse(await response.json())
    const documentId = ingested.documents[0]?.id ?? ''
    expect(ingested.documents[0]?.verification.status).toBe('verified')
    const stored = Deployment.parse(await (await app.request(`/api/v1/deployments/${documentId}`)).json())
    expect(stored).toMatchObject({ recordedBy: 'attestation', documentId, signature: 'verified', service: 'app', environment: { name: 'production', region: 'eu-west-1' } })

    const bad = { ...statement, predicate: { ...statement.predicate, environment: {} } }
    const refused = await app.request('/api/v1/attestations', { method: 'POST', body: JSON.stringify(signEnvelope(bad, keys.ci)), headers })
    expect(refused.status).toBe(422)
    expect(await errorOf(refused)).toMatchObject({ code: 'invalid-deployment', path: '$.payload.predicate.environment.name' })
  })
})

describe('GET /api/v1/deployments and /api/v1/environments', () => {
  it('filters by environment, digest, flag and time, newest first, paged by cursor', async () => {
    const staging = DeploymentPage.parse(await (await app.request('/api/v1/deployments?environment=staging')).json())
    expect(staging.items.length).toBeGreaterThanOrEqual(2)
    expect(staging.items.every((item) => item.environment.name === 'staging')).toBe(true)
    const times = staging.items.map((item) => item.deployedAt)
    expect([...times].sort().reverse()).toEqual(times)

    const byDigest = DeploymentPage.parse(await (await app.request(`/api/v1/deployments?digest=${digests.d3}`)).json())
    expect(byDigest.items.map((item) => item.artifacts[0]?.digest)).toEqual([`sha256:${digests.d3}`])
    const flagged = DeploymentPage.parse(await (await app.request('/api/v1/deployments?flagged=true')).json())
    expect(flagged.items.length).toBeGreaterThan(0)
    expect(flagged.items.every((item) => item.flagged)).toBe(true)
    const late = DeploymentPage.parse(await (await app.request('/api/v1/deployments?from=2026-11-11T00:00:00Z')).json())
    expect(late.items.every((item) => item.deployedAt >= '2026-11-11T00:00:00.000Z')).toBe(true)

    const all = DeploymentPage.parse(await (await app.request('/api/v1/deployments?limit=500')).json())
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: DeploymentPage = DeploymentPage.parse(await (await app.request(`/api/v1/deployments?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json())
      seen.push(...page.items.map((item) => item.id))
      cursor = page.nextCursor
    } while (cursor !== null)
    expect(seen).toEqual(all.items.map((item) => item.id))

    const bad = await app.request('/api/v1/deployments?cursor=nonsense!')
    expect(bad.status).toBe(400)
    expect(await errorOf(bad)).toMatchObject({ path: 'query.cursor' })
    expect(await errorOf(await app.request('/api/v1/deployments?digest=abc'))).toMatchObject({ code: 'invalid-query', path: 'query.digest' })
    expect((await app.request(`/api/v1/deployments/${'0'.repeat(64)}`)).status).toBe(404)
  })

  it('says what runs now per environment and service, flagging what has no verified path to a commit', async () => {
    const environments = EnvironmentList.parse(await (await app.request('/api/v1/environments')).json())
    const production = environments.items.find((item) => item.name === 'production')
    expect(production?.services.map((service) => service.service).sort()).toEqual(['app', 'example/app'])
    const untrusted = production?.services.find((service) => service.service === 'example/app')
    expect(untrusted?.deployment.flagged).toBe(true)
    expect(production?.flagged).toBe(1)
    // In qa the later deployment replaced the earlier one: only it runs.
    const qa = environments.items.find((item) => item.name === 'qa')
    expect(qa?.services).toHaveLength(1)
    expect(qa?.services[0]?.deployment.artifacts[0]?.digest).toBe(`sha256:${digests.d5}`)
    expect(qa?.services[0]?.deployments).toBe(2)
  })

  it('lists the deployments of an artifact on its page, flagged when its provenance does not verify', async () => {
    const untrusted = ArtifactDetail.parse(await (await app.request(`/api/v1/artifacts/sha256:${digests.d3}`)).json())
    expect(untrusted.deployments).toEqual([expect.objectContaining({ environment: 'production', service: 'example/app', current: true, flagged: true })])
    const verified = ArtifactDetail.parse(await (await app.request(`/api/v1/artifacts/sha256:${digests.d1}`)).json())
    expect(verified.deployments.map((deployment) => [deployment.environment, deployment.flagged])).toEqual([
      ['staging', false],
      ['staging', false],
    ])
  })
})
