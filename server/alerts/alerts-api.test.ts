import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AlertDetail, AlertPage, alertRules, type Alert } from '../../src/contract/alerts'
import { BuildPage } from '../../src/contract/builds'
import { EnvironmentList } from '../../src/contract/deployments'
import { Overview } from '../../src/contract/overview'
import { createApp } from '../app'
import type { Config } from '../config'
import { demoConfig, seedDemo } from '../demo/seed'
import { tempStore } from '../testing/documents'
import type { Store } from '../store/types'

/*
 * The alert queue and triage over HTTP, on demo data evaluated by the rules (nothing inserted by hand), with a
 * clock the test moves so a waiver can run out.
 */

const TRIAGE_TOKEN = 'triage-secret'
const INGEST_TOKEN = 'ingest-only-secret'
const sha = (text: string) => createHash('sha256').update(text).digest('hex')

let store: Store
let dispose: () => Promise<void>
let clock = Date.UTC(2026, 10, 28, 9)
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  ;({ store, dispose } = await tempStore())
  const base = demoConfig()
  const config: Config = {
    ...base,
    tokens: [...base.tokens, { name: 'security-oncall', sha256: sha(TRIAGE_TOKEN), scopes: ['read', 'triage'] }, { name: 'ci-bot', sha256: sha(INGEST_TOKEN), scopes: ['ingest'] }],
  }
  await seedDemo(store, config, 400)
  app = createApp({ store, config, version: 'test', demo: true, now: () => clock })
}, 120_000)
afterAll(async () => dispose())

const list = async (query = '') => AlertPage.parse(await (await app.request(`/api/v1/alerts${query}`)).json())
const detail = async (id: string) => AlertDetail.parse(await (await app.request(`/api/v1/alerts/${id}`)).json())
const patch = (id: string, body: unknown, token: string | null = TRIAGE_TOKEN) =>
  app.request(`/api/v1/alerts/${id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

async function toolAlert(): Promise<Alert> {
  const page = await list('?rule=unexpected-tool-version&state=open&limit=500')
  const alert = page.items[0]
  if (!alert) throw new Error('the demo should have an unexpected tool version')
  return alert
}

describe('the queue', () => {
  it('lists what the rules found in the demo, with counts per state', async () => {
    const page = await list('?limit=500')
    const rules = new Set(page.items.map((alert) => alert.rule))
    // The demo's builds carry toolchain bumps, unknown keys, broken signatures, unexpected hosts and rebuilds that
    // disagree; its scenarios (demo/alerts-scenarios.ts) add the rest.
    for (const rule of alertRules) expect(rules).toContain(rule)
    // Fresh from the rules everything is open, except a service that ran something unverified and has since been
    // replaced by a verified release: that deployment alert is resolved by the rules.
    expect(page.counts.open).toBe(page.items.filter((alert) => alert.state === 'open').length)
    expect(page.counts.open + page.counts.resolved).toBe(page.items.length)
    expect(new Set(page.items.filter((alert) => alert.state === 'resolved').map((alert) => alert.rule))).toEqual(new Set(page.counts.resolved > 0 ? ['deployed-without-verified-provenance'] : []))
    const tool = page.items.find((alert) => alert.rule === 'unexpected-tool-version')
    expect(tool?.evidence.basis).toMatch(/^pinned in policy /)
    expect(tool?.evidence.found).toMatch(/^(node|go|rustc|java|buildah|python) \S+ \(from /)
  })
  it('explains the scenarios as a person would: expected versus found, from which documents', async () => {
    const page = await list('?project=acme%2Fweb&rule=unexpected-tool-version&limit=500')
    const node = page.items.find((alert) => alert.cause === 'node@21.1.0')
    expect(node).toMatchObject({ severity: 'medium', occurrences: 2, title: 'node 21.1.0 where 20.19.0 is pinned', evidence: { expected: 'node 20.19.0', basis: 'pinned in policy acme/web' } })
    expect(node?.evidence.found).toMatch(/^node 21\.1\.0 \(from (CI telemetry|the provenance)\)$/)
    const builder = (await list('?rule=builder-changed')).items[0]
    expect(builder).toMatchObject({ project: 'acme/cli', evidence: { found: 'https://github.com/acme/cli/.github/workflows/release-self-hosted.yml@refs/heads/main' } })
    expect(builder?.evidence.expected).toMatch(/generator_generic_slsa3\.yml/)
    const signer = (await list('?rule=signer-identity&project=payments%2Fledger')).items.find((alert) => alert.cause.startsWith('changed '))
    expect(signer?.evidence).toMatchObject({ expected: 'signed by demo-release-ed25519', found: 'signed by demo-release-p256' })
    const slow = (await list('?rule=duration-outlier')).items[0]
    expect(slow).toMatchObject({ project: 'platform/base-image', cause: 'slower' })
    expect(slow?.evidence.found).toMatch(/^180\.0 min/)
    expect((await list('?rule=dependency-drift')).items.map((alert) => `${alert.project} ${alert.cause}`)).toEqual(['acme/api new pkg:generic/upx'])
    for (const document of node?.evidence.documents ?? []) expect((await app.request(`/api/v1/documents/${document.id}`)).status).toBe(200)
  })

  it('keeps one alert per cause, counting each build that showed it', async () => {
    const page = await list('?rule=unexpected-tool-version&limit=500')
    expect(new Set(page.items.map((alert) => `${alert.project} ${alert.cause}`)).size).toBe(page.items.length)
    expect(page.items.some((alert) => alert.occurrences > 1)).toBe(true)
    const alert = page.items.find((item) => item.occurrences > 1)
    expect((await detail(alert?.id ?? '')).recentOccurrences).toHaveLength(Math.min(alert?.occurrences ?? 0, 50))
  })
  it('sorts by severity, pages by cursor without repeats, and filters', async () => {
    const first = await list('?limit=5')
    const weights = first.items.map((alert) => ['low', 'medium', 'high', 'critical'].indexOf(alert.severity))
    expect(weights).toEqual([...weights].sort((a, b) => b - a))
    const second = await list(`?limit=5&cursor=${first.nextCursor ?? ''}`)
    expect(second.items.map((alert) => alert.id).filter((id) => first.items.some((alert) => alert.id === id))).toEqual([])
    const critical = await list('?severity=critical&limit=500')
    expect(critical.items.every((alert) => alert.severity === 'critical')).toBe(true)
    expect((await app.request('/api/v1/alerts?sort=loudest')).status).toBe(400)
    expect((await app.request('/api/v1/alerts?cursor=nonsense')).status).toBe(400)
  })
})

describe('triage', () => {
  it('refuses a missing token, a token without scope triage, and bad input, leaving the alert unchanged', async () => {
    const alert = await toolAlert()
    const before = await detail(alert.id)
    const cases: [Response, number, string, string][] = [
      [await patch(alert.id, { state: 'acknowledged' }, null), 401, 'unauthenticated', 'header.authorization'],
      [await patch(alert.id, { state: 'acknowledged' }, INGEST_TOKEN), 403, 'insufficient-scope', 'header.authorization'],
      [await patch(alert.id, { state: 'fixed' }), 400, 'invalid-body', 'body.state'],
      [await patch(alert.id, '{not json'), 400, 'invalid-json', 'body'],
      [await patch(alert.id, { state: 'waived', expiresAt: new Date(clock + 86_400_000).toISOString() }), 400, 'waiver-needs-reason', 'body.reason'],
      [await patch(alert.id, { state: 'waived', reason: 'vendor pin' }), 400, 'waiver-needs-expiry', 'body.expiresAt'],
      [await patch(alert.id, { state: 'open' }), 409, 'no-change', 'body.state'],
    ]
    for (const [response, status, code, path] of cases) {
      expect(response.status).toBe(status)
      const body = (await response.json()) as { error: { code: string; message: string; path?: string } }
      expect(body.error).toMatchObject({ code, path })
      expect(body.error.message.length).toBeGreaterThan(10)
    }
    expect(await detail(alert.id)).toEqual(before)
    expect((await patch('0'.repeat(24), { state: 'acknowledged' })).status).toBe(404)
  })

  it('acknowledges with a reason, then refuses a transition the lifecycle does not allow', async () => {
    const alert = await toolAlert()
    const response = await patch(alert.id, { state: 'acknowledged', reason: 'runner image bumped node; checking with the platform team' })
    expect(response.status).toBe(200)
    const acknowledged = AlertDetail.parse(await response.json())
    expect(acknowledged.state).toBe('acknowledged')
    expect(acknowledged.history.at(-1)).toEqual({
      at: new Date(clock).toISOString(),
      actor: 'security-oncall',
      kind: 'transition',
      from: 'open',
      to: 'acknowledged',
      reason: 'runner image bumped node; checking with the platform team',
    })
    expect((await list(`?state=acknowledged&rule=unexpected-tool-version`)).items.map((item) => item.id)).toContain(alert.id)
    expect((await patch(alert.id, { state: 'resolved' })).status).toBe(200)
    const refused = await patch(alert.id, { state: 'acknowledged' })
    expect(refused.status).toBe(409)
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe('an alert that is resolved cannot become acknowledged; it can become open')
  })

  it('reopens a waived alert when its waiver runs out', async () => {
    const alert = await toolAlert()
    const expiresAt = new Date(clock + 2 * 86_400_000).toISOString()
    expect((await patch(alert.id, { state: 'waived', reason: 'accepted until the runner update lands', expiresAt })).status).toBe(200)
    clock += 86_400_000
    expect((await detail(alert.id)).state).toBe('waived')
    clock += 86_400_000
    const reopened = await detail(alert.id)
    expect(reopened.state).toBe('open')
    expect(reopened.waiver).toBeNull()
    expect(reopened.history.at(-1)).toMatchObject({ actor: 'rules', kind: 'waiver-expired', from: 'waived', to: 'open' })
  })
})

describe('the overview', () => {
  it('counts what the lists it links to hold', async () => {
    const overview = Overview.parse(await (await app.request('/api/v1/overview?day=2026-11-27')).json())
    const window = overview.verification.last30.window
    expect(window).toEqual({ from: '2026-10-29', to: '2026-11-27' })
    const countBuilds = async (status: string) => {
      let total = 0
      let cursor: string | null = null
      do {
        const page = BuildPage.parse(await (await app.request(`/api/v1/builds?status=${status}&from=${window.from}T00:00:00Z&to=2026-11-28T00:00:00Z&limit=500${cursor ? `&cursor=${cursor}` : ''}`)).json())
        total += page.items.length
        cursor = page.nextCursor
      } while (cursor)
      return total
    }
    for (const status of ['verified', 'failed', 'untrusted'] as const) expect(overview.verification.last30.counts[status]).toBe(await countBuilds(status))
    expect(overview.verification.last30.counts.verified).toBeGreaterThan(0)
    for (const severity of ['critical', 'high', 'medium', 'low'] as const) {
      expect(overview.openAlerts[severity]).toBe((await list(`?severity=${severity}&limit=1`)).counts.open)
    }
    expect(overview.daily).toHaveLength(30)
    expect(overview.daily.reduce((sum, day) => sum + day.builds, 0)).toBe(Object.values(overview.verification.last30.counts).reduce((sum, count) => sum + count, 0))
    expect(overview.recentFailures.every((build) => build.status === 'failed')).toBe(true)
    // What runs now without verified provenance, as the environments list (what runs now) flags it.
    const environments = EnvironmentList.parse(await (await app.request('/api/v1/environments')).json())
    const flagged = environments.items.flatMap((environment) => environment.services).filter((service) => service.deployment.flagged).length
    expect(overview.unverifiedDeployments).toBe(flagged)
    // The same services are the deployment rule's alerts that are not resolved; the ledger build signed by a key
    // nobody trusts, running in production (demo/deployments.ts), is one of them.
    const deployed = await list('?rule=deployed-without-verified-provenance&limit=500')
    expect(deployed.counts.open + deployed.counts.acknowledged + deployed.counts.waived).toBe(flagged)
    expect(deployed.items.find((alert) => alert.cause === 'production/ledger')).toMatchObject({ project: 'payments/ledger', state: 'open', severity: 'high', subject: { kind: 'deployment' } })
    expect((await app.request('/api/v1/overview?day=yesterday')).status).toBe(400)
  })
})
