import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AlertDetail, AlertPage, DEPLOYMENT_RULE } from '../../src/contract/alerts'
import { DeploymentIngestResponse, type DeploymentInputJson } from '../../src/contract/deployments'
import { Overview } from '../../src/contract/overview'
import { AlertQuery } from '../../src/contract/alerts'
import { createApp } from '../app'
import { buildConfig } from '../config'
import { signEnvelope } from '../demo/seed'
import type { Store } from '../store/types'
import { newKey, slsaV1Statement, tempStore } from '../testing/documents'

/*
 * The deployment rule over HTTP: a deployment whose digest has no verified path back to a source commit raises an
 * alert when it is posted (before any read asks), the same service deployed so again adds to that alert, and the
 * alert is resolved by the rules once what runs there verifies, whether because its provenance arrived later or
 * because a verified release replaced it.
 */

const sha = (text: string) => createHash('sha256').update(text).digest('hex')
const trusted = newKey('release', 'ecdsa-p256')
const rogue = newKey('rogue', 'ecdsa-p256')
const config = buildConfig(
  {
    trust: { keys: [{ id: trusted.id, publicKeyPem: trusted.publicKeyPem }] },
    tokens: [
      { name: 'deployer', sha256: sha('ingest-secret'), scopes: ['ingest'] },
      { name: 'oncall', sha256: sha('triage-secret'), scopes: ['read', 'triage'] },
    ],
  },
  'deployment alert test config',
)
const digest = { hotfix: sha('hotfix'), release: sha('release'), late: sha('late'), rogue: sha('rogue') }

let store: Store
let dispose: () => Promise<void>
let clock = Date.UTC(2026, 10, 20, 12)
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  ;({ store, dispose } = await tempStore())
  app = createApp({ store, config, version: '0.0.0-test', demo: false, now: () => clock })
})
afterAll(async () => dispose())

const ingestHeaders = { authorization: 'Bearer ingest-secret', 'content-type': 'application/json' }
const deploy = async (sha256: string, at: string, environment = 'production') => {
  clock += 60_000
  const input: DeploymentInputJson = { artifacts: [{ digest: `sha256:${sha256}`, name: 'api-linux-amd64' }], environment: { name: environment }, service: 'api', project: 'acme/api', deployedAt: at, system: { name: 'argo-cd' } }
  const response = await app.request('/api/v1/deployments', { method: 'POST', headers: ingestHeaders, body: JSON.stringify(input) })
  expect(response.status).toBe(201)
  const id = DeploymentIngestResponse.parse(await response.json()).deployments[0]?.id
  if (id === undefined) throw new Error('no deployment recorded')
  return id
}
const provenance = async (sha256: string, key = trusted) => {
  clock += 60_000
  const envelope = signEnvelope(slsaV1Statement({ sha256, subjectName: 'api-linux-amd64', repo: 'https://github.com/acme/api', commit: sha256.slice(0, 40) }), key)
  const response = await app.request('/api/v1/attestations', { method: 'POST', headers: ingestHeaders, body: JSON.stringify(envelope) })
  expect(response.status).toBe(201)
}
const alerts = async (query = '') => AlertPage.parse(await (await app.request(`/api/v1/alerts?rule=${DEPLOYMENT_RULE}${query}`)).json())
const detail = async (id: string) => AlertDetail.parse(await (await app.request(`/api/v1/alerts/${id}`)).json())
const unverifiedRunning = async () => Overview.parse(await (await app.request('/api/v1/overview')).json()).unverifiedDeployments

describe('deployed without verified provenance', () => {
  it('is raised when the deployment is posted, naming the deployment and why its digest is not proven', async () => {
    const hotfix = await deploy(digest.hotfix, '2026-11-19T08:00:00Z')
    // Straight from the store, without a read that would evaluate first: the ingest request did it.
    const filed = await store.alerts.list(AlertQuery.parse({ rule: DEPLOYMENT_RULE }))
    expect(filed.items).toHaveLength(1)
    const [alert] = filed.items
    expect(alert).toMatchObject({
      rule: DEPLOYMENT_RULE,
      severity: 'high',
      project: 'acme/api',
      cause: 'production/api',
      state: 'open',
      occurrences: 1,
      title: 'api-linux-amd64 deployed to production without verified provenance',
      subject: { kind: 'deployment', id: hotfix },
      evidence: { expected: 'every deployed digest traced by verified provenance to a source commit', found: `api-linux-amd64 sha256:${digest.hotfix.slice(0, 12)}…: no provenance names this digest`, documents: [] },
    })
    expect(await unverifiedRunning()).toBe(1)
  })

  it('adds a second unverified deployment of the service to the same alert, and raises one per environment', async () => {
    await deploy(digest.rogue, '2026-11-19T09:00:00Z')
    await provenance(digest.rogue, rogue)
    await deploy(digest.rogue, '2026-11-19T07:00:00Z', 'staging')
    const page = await alerts()
    expect(page.items.map((alert) => [alert.cause, alert.occurrences])).toEqual([
      ['production/api', 2],
      ['staging/api', 1],
    ])
    const production = await detail(page.items[0]?.id ?? '')
    expect(production.evidence.found).toBe(`api-linux-amd64 sha256:${digest.rogue.slice(0, 12)}…: provenance signed by a key nothing trusted vouches for`)
    // The provenance that fails to prove the digest is cited, and each deployment is one occurrence.
    expect(production.evidence.documents.map((document) => document.label)).toEqual([expect.stringMatching(/^provenance of api-linux-amd64 \(build [0-9a-f]{12}\)$/)])
    expect(production.recentOccurrences).toHaveLength(2)
    expect(await unverifiedRunning()).toBe(2)
  })

  it('is resolved by the rules when a verified release replaces what ran, and reopens when an unverified one follows', async () => {
    await provenance(digest.release)
    await deploy(digest.release, '2026-11-19T10:00:00Z')
    const [production] = (await alerts('&project=acme%2Fapi')).items.filter((alert) => alert.cause === 'production/api')
    expect(production?.state).toBe('resolved')
    const history = (await detail(production?.id ?? '')).history
    expect(history.at(-1)).toMatchObject({ actor: 'rules', kind: 'cleared', from: 'open', to: 'resolved' })
    expect(history.at(-1)?.reason).toMatch(/^api in production now runs api-linux-amd64 sha256:[0-9a-f]{12}…, whose provenance verifies: provenance verified, built from acme\/api@/)
    expect(await unverifiedRunning()).toBe(1)

    await deploy(digest.late, '2026-11-19T11:00:00Z')
    const reopened = await detail(production?.id ?? '')
    expect(reopened).toMatchObject({ state: 'open', occurrences: 3 })
    expect(reopened.history.at(-1)).toMatchObject({ kind: 'reopened', from: 'resolved', to: 'open' })
  })

  it('is resolved when provenance that verifies arrives later for the digest that runs', async () => {
    await provenance(digest.late)
    const [production] = (await alerts()).items.filter((alert) => alert.cause === 'production/api')
    expect(production?.state).toBe('resolved')
    expect((await detail(production?.id ?? '')).history.at(-1)?.reason).toMatch(/now runs api-linux-amd64 sha256:[0-9a-f]{12}…, whose provenance verifies/)
    // Staging still runs the digest signed by the untrusted key: its alert stays open, and the overview agrees.
    const page = await alerts('&state=open')
    expect(page.items.map((alert) => alert.cause)).toEqual(['staging/api'])
    expect(page.counts).toMatchObject({ open: 1, resolved: 1 })
    expect(await unverifiedRunning()).toBe(page.counts.open + page.counts.acknowledged + page.counts.waived)
  })

  it('is not raised at all when the rule is off in the project’s policy', async () => {
    const quiet = buildConfig(
      {
        trust: { keys: [{ id: trusted.id, publicKeyPem: trusted.publicKeyPem }] },
        tokens: [{ name: 'deployer', sha256: sha('ingest-secret'), scopes: ['ingest'] }],
        policies: [{ name: 'acme/api', repositories: ['https://github.com/acme/*'], alerts: { rules: { [DEPLOYMENT_RULE]: { enabled: false } } } }],
      },
      'quiet config',
    )
    const other = await tempStore()
    try {
      const quietApp = createApp({ store: other.store, config: quiet, version: '0.0.0-test', demo: false, now: () => clock })
      const envelope = signEnvelope(slsaV1Statement({ sha256: digest.rogue, subjectName: 'api-linux-amd64', repo: 'https://github.com/acme/api' }), rogue)
      expect((await quietApp.request('/api/v1/attestations', { method: 'POST', headers: ingestHeaders, body: JSON.stringify(envelope) })).status).toBe(201)
      const input: DeploymentInputJson = { artifacts: [{ digest: `sha256:${digest.rogue}` }], environment: { name: 'production' }, service: 'api', deployedAt: '2026-11-19T09:00:00Z', system: { name: 'argo-cd' } }
      expect((await quietApp.request('/api/v1/deployments', { method: 'POST', headers: ingestHeaders, body: JSON.stringify(input) })).status).toBe(201)
      const page = AlertPage.parse(await (await quietApp.request(`/api/v1/alerts?rule=${DEPLOYMENT_RULE}`)).json())
      expect(page.items).toEqual([])
      expect(Overview.parse(await (await quietApp.request('/api/v1/overview')).json()).unverifiedDeployments).toBe(1)
    } finally {
      await other.dispose()
    }
  })
})
