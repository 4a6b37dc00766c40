import { describe, expect, it } from 'vitest'
import { AlertDetail, AlertPage, alertRules } from '../../src/contract/alerts'
import { Overview } from '../../src/contract/overview'
import { alertHandlers } from './alerts'
import { getResponse } from 'msw'

const ask = async (path: string, init?: RequestInit) => {
  const origin = 'http://mocks.test'
  const response = await getResponse(alertHandlers, new Request(`${origin}${path}`, init), { baseUrl: origin })
  if (!response) throw new Error(`no mock answers ${path}`)
  return response
}

describe('alert mocks', () => {
  it('answer the queue from the rules over the demo, every rule at least once', async () => {
    const page = AlertPage.parse(await (await ask('/api/v1/alerts?limit=500')).json())
    expect(new Set(page.items.map((alert) => alert.rule))).toEqual(new Set(alertRules))
    const node = page.items.find((alert) => alert.project === 'acme/web' && alert.cause === 'node@21.1.0')
    expect(node).toMatchObject({ occurrences: 2, evidence: { expected: 'node 20.19.0', basis: 'pinned in policy acme/web' } })
    // The first answer builds the demo's index and evaluates every build: slow on a loaded machine.
  }, 180_000)
  it('triage in memory with the same rules as the server', async () => {
    const page = AlertPage.parse(await (await ask('/api/v1/alerts?rule=duration-outlier')).json())
    const id = page.items[0]?.id ?? ''
    const patch = (body: unknown, token = true) =>
      ask(`/api/v1/alerts/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json', ...(token ? { authorization: 'Bearer x' } : {}) }, body: JSON.stringify(body) })
    expect((await patch({ state: 'acknowledged' }, false)).status).toBe(401)
    expect((await patch({ state: 'waived', reason: 'slow mirror' })).status).toBe(400)
    const response = await patch({ state: 'acknowledged', reason: 'looking' })
    expect(response.status).toBe(200)
    expect(AlertDetail.parse(await response.json()).history.at(-1)).toMatchObject({ actor: 'dev token', from: 'open', to: 'acknowledged', reason: 'looking' })
  })
})

describe('overview mock', () => {
  it('counts open alerts as the queue does and builds over whole days', async () => {
    const { overviewHandlers } = await import('./overview')
    const origin = 'http://mocks.test'
    const answer = await getResponse(overviewHandlers, new Request(`${origin}/api/v1/overview?day=2026-11-27`), { baseUrl: origin })
    const overview = Overview.parse(await answer?.json())
    const queue = AlertPage.parse(await (await ask('/api/v1/alerts?limit=1')).json())
    expect(Object.values(overview.openAlerts).reduce((sum, count) => sum + count, 0)).toBe(queue.counts.open)
    expect(overview.verification.last30.window).toEqual({ from: '2026-10-29', to: '2026-11-27' })
    expect(overview.daily.reduce((sum, day) => sum + day.builds, 0)).toBe(Object.values(overview.verification.last30.counts).reduce((sum, count) => sum + count, 0))
    expect(overview.verification.last30.counts.verified).toBeGreaterThan(300)
    // The demo runs a ledger build no trusted key signed in production and an api hotfix without provenance.
    const { demoDeploymentsDb } = await import('../data/lineage-deployments')
    const flagged = demoDeploymentsDb().environments().items.flatMap((environment) => environment.services.filter((service) => service.deployment.flagged).map((service) => `${environment.name}/${service.service}`))
    expect(flagged.length).toBeGreaterThan(0)
    expect(overview.unverifiedDeployments).toBe(flagged.length)
  })
})
