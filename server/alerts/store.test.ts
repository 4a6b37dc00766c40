import { describe, expect, it } from 'vitest'
import { AlertQuery, type AlertPage } from '../../src/contract/alerts'
import type { Finding } from '../../domain/alerts/rules'
import { demoBuilds } from '../../demo/model'
import { ingestContext } from '../config'
import { demoConfig, demoEnvelope } from '../demo/seed'
import { ingestBody } from '../ingest/ingest'
import { engineStores } from '../store/testing/engines'
import type { StoreKind } from '../store/db'

/*
 * The alert store on SQLite and PostgreSQL: findings filed as one alert per cause, occurrences counted once per
 * build, the queue's orders and cursor, counts per state, triage refused without a change, waivers that end and
 * causes that recur after being resolved. Both engines must give the same answers.
 */

const { fresh } = engineStores('alert-store')

const hex = (n: number, length = 64) => n.toString(16).padStart(length, '0')
const T0 = Date.UTC(2026, 5, 1)

function finding(project: string, cause: string, severity: Finding['severity'], build: number): Finding {
  return {
    rule: 'out-of-band-download',
    severity,
    project,
    cause,
    title: `contacted ${cause}`,
    subject: { kind: 'build', id: hex(build), buildId: hex(build), label: `${project} build ${build}` },
    evidence: { expected: 'allow-listed hosts', found: cause, basis: 'allowedHosts', documents: [{ id: hex(build), label: 'provenance' }] },
  }
}
const occurrence = (build: number) => ({ buildId: hex(build), documentId: hex(build), at: T0 + build * 60_000, expected: `expected in build ${build}`, found: `in build ${build}` })
const query = (input: Record<string, unknown> = {}) => AlertQuery.parse(input)

const answers: Record<StoreKind, unknown[]> = { sqlite: [], postgres: [] }

describe.each(['sqlite', 'postgres'] as const)('alert store on %s', (kind) => {
  it('files findings, counts each build once, orders, pages and triages alike', async () => {
    const store = await fresh(kind)
    try {
      const items = [
        { finding: finding('acme/web', 'host a.example', 'high', 1), occurrence: occurrence(1) },
        { finding: finding('acme/web', 'host a.example', 'high', 2), occurrence: occurrence(2) },
        { finding: finding('acme/web', 'host b.example', 'low', 3), occurrence: occurrence(3) },
        { finding: finding('acme/api', 'host c.example', 'critical', 4), occurrence: occurrence(4) },
        { finding: finding('acme/api', 'host d.example', 'medium', 5), occurrence: occurrence(5) },
      ]
      const created = await store.alerts.record(items, T0)
      expect(created.map((alert) => alert.cause)).toEqual(['host a.example', 'host b.example', 'host c.example', 'host d.example'])
      // The same builds again (a re-evaluation) add nothing.
      expect(await store.alerts.record(items, T0 + 1)).toEqual([])

      const all = await store.alerts.list(query())
      expect(all.items.map((alert) => [alert.cause, alert.severity, alert.occurrences])).toEqual([
        ['host c.example', 'critical', 1],
        ['host a.example', 'high', 2],
        ['host d.example', 'medium', 1],
        ['host b.example', 'low', 1],
      ])
      expect(all.counts).toEqual({ open: 4, acknowledged: 0, resolved: 0, waived: 0 })
      const recent = await store.alerts.list(query({ sort: 'recent' }))
      expect(recent.items.map((alert) => alert.cause)).toEqual(['host d.example', 'host c.example', 'host b.example', 'host a.example'])

      const pages: AlertPage[] = []
      let cursor: string | undefined
      do {
        const page = await store.alerts.list(query({ limit: 1, ...(cursor ? { cursor } : {}) }))
        pages.push(page)
        cursor = page.nextCursor ?? undefined
      } while (cursor)
      expect(pages.flatMap((page) => page.items.map((alert) => alert.cause))).toEqual(all.items.map((alert) => alert.cause))
      await expect(store.alerts.list(query({ cursor: 'bm90LWEtY3Vyc29y' }))).rejects.toThrow(/cursor/)

      const a = all.items.find((alert) => alert.cause === 'host a.example')!
      expect((await store.alerts.list(query({ buildId: hex(2) }))).items.map((alert) => alert.id)).toEqual([a.id])
      // Each build with what it was expected to show and what it showed, not only the newest build's expectation.
      expect((await store.alerts.get(a.id))?.recentOccurrences.map((entry) => [entry.buildId, entry.expected, entry.found])).toEqual([
        [hex(2), 'expected in build 2', 'in build 2'],
        [hex(1), 'expected in build 1', 'in build 1'],
      ])

      const refused = await store.alerts.transition(a.id, { state: 'waived', reason: 'mirror' }, 'alice', T0 + 10)
      expect(refused).toMatchObject({ ok: false, code: 'waiver-needs-expiry' })
      expect((await store.alerts.get(a.id))?.state).toBe('open')

      expect(await store.alerts.transition(a.id, { state: 'resolved', reason: 'mirror removed' }, 'alice', T0 + 20)).toMatchObject({ ok: true, alert: { state: 'resolved' } })
      expect((await store.alerts.list(query({ state: 'resolved' }))).items.map((alert) => alert.id)).toEqual([a.id])
      // The cause shows again in a new build: reopened, with why.
      await store.alerts.record([{ finding: finding('acme/web', 'host a.example', 'high', 9), occurrence: occurrence(9) }], T0 + 30)
      const reopened = await store.alerts.get(a.id)
      expect(reopened).toMatchObject({ state: 'open', occurrences: 3 })
      expect(reopened?.history.map((entry) => [entry.kind, entry.actor, entry.from, entry.to])).toEqual([
        ['created', 'rules', null, 'open'],
        ['transition', 'alice', 'open', 'resolved'],
        ['reopened', 'rules', 'resolved', 'open'],
      ])

      const c = all.items.find((alert) => alert.cause === 'host c.example')!
      const expiresAt = new Date(T0 + 86_400_000).toISOString()
      expect(await store.alerts.transition(c.id, { state: 'waived', reason: 'known scanner', expiresAt }, 'bob', T0 + 40)).toMatchObject({ ok: true })
      expect(await store.alerts.expireWaivers(T0 + 86_399_999)).toBe(0)
      expect(await store.alerts.expireWaivers(T0 + 86_400_000)).toBe(1)
      expect((await store.alerts.get(c.id))?.history.at(-1)).toMatchObject({ kind: 'waiver-expired', to: 'open' })
      expect(await store.alerts.openBySeverity()).toEqual({ critical: 1, high: 1, medium: 1, low: 1 })

      expect(await store.alerts.clearAbsent(new Set([a.id, c.id]), 'policy changed', T0 + 50)).toBe(2)
      expect((await store.alerts.list(query())).counts).toEqual({ open: 2, acknowledged: 0, resolved: 2, waived: 0 })

      answers[kind].push(await store.alerts.list(query({ limit: 500 })), await store.alerts.get(a.id))
    } finally {
      await store.close()
    }
  }, 60_000)

  it('reads the work since a position, which kinds of record are stored, and writes the marks in one statement', async () => {
    const store = await fresh(kind)
    try {
      const none = { rebuilds: false, telemetry: false, deployments: false }
      expect(await store.alerts.storedKinds()).toEqual(none)
      // Asked without a verdict mark, verdict changes are said to be there (the caller reads them); with one, they are looked for.
      expect(await store.alerts.pending(0, 0, 10)).toEqual({ buildIds: [], seq: 0, telemetry: 0, more: false, stored: none, verdictChanges: true })
      expect((await store.alerts.pending(0, 0, 10, 0)).verdictChanges).toBe(false)
      const config = demoConfig()
      const outcome = await ingestBody(store, Buffer.from(demoBuilds(3, 3).map((build) => JSON.stringify(demoEnvelope(build))).join('\n')), 'application/x-ndjson', ingestContext(config))
      if (!outcome.ok) throw new Error(outcome.error.message)
      const builds = outcome.body.documents.flatMap((document) => (document.buildId ? [document.buildId] : []))
      expect(builds).toHaveLength(3)
      // A limit cuts the page short: two documents, their builds, and more to come.
      const first = await store.alerts.pending(0, 0, 2)
      expect(first.more).toBe(true)
      expect(first.buildIds).toHaveLength(2)
      const rest = await store.alerts.pending(first.seq, 0, 10)
      expect(rest.more).toBe(false)
      expect([...first.buildIds, ...rest.buildIds].sort()).toEqual([...builds].sort())
      expect(rest.stored).toEqual(none)
      expect(await store.alerts.pending(rest.seq, 0, 10)).toMatchObject({ buildIds: [], seq: rest.seq, more: false })

      // Nothing to file and no mark: no transaction, nothing written.
      expect(await store.alerts.record([], T0)).toEqual([])
      await store.alerts.record([], T0, { 'alerts.seq': '7', 'alerts.telemetry': '3' })
      await store.alerts.record([], T0, { 'alerts.seq': '9', 'alerts.telemetry': '3' })
      expect(await store.alerts.marks(['alerts.seq', 'alerts.telemetry', 'alerts.policy'])).toEqual({ 'alerts.seq': '9', 'alerts.telemetry': '3', 'alerts.policy': null })

      // Filed without waiting for the disk (as evaluation files): the engine's own statement for it runs, and the
      // findings and their marks are read back at once, in the same transaction's all-or-nothing.
      const unsynced = await store.alerts.record([{ finding: finding('acme/web', 'host e.example', 'high', 6), occurrence: occurrence(6) }], T0, { 'alerts.seq': '11' }, { synced: false })
      expect(unsynced.map((alert) => alert.cause)).toEqual(['host e.example'])
      expect((await store.alerts.list(query({ buildId: hex(6) }))).items.map((alert) => [alert.cause, alert.occurrences])).toEqual([['host e.example', 1]])
      expect(await store.alerts.marks(['alerts.seq'])).toEqual({ 'alerts.seq': '11' })
    } finally {
      await store.close()
    }
  }, 60_000)
})

describe('both engines', () => {
  it('gave the same answers', () => {
    expect(answers.postgres).toEqual(answers.sqlite)
    expect(answers.sqlite.length).toBe(2)
  })
})
