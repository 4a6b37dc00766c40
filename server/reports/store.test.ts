import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ReportJob } from '../../src/contract/reports'
import { openStore } from '../store/store'
import { engineStores } from '../store/testing/engines'
import { STALE_MS } from './store'

/* Reports kept in the database on both engines: listed newest first by page, finished, failed, and read as failed when whatever made them stopped. */

const engines = engineStores('reports_store')
const T0 = Date.parse('2026-11-20T00:00:00Z')

const job = (id: string, createdAt: number, overrides: Partial<ReportJob> = {}): ReportJob => ({
  id,
  scope: { kind: 'environment', environment: 'production' },
  asOf: new Date(T0).toISOString(),
  state: 'running',
  progress: { done: 0, total: 0 },
  createdAt: new Date(createdAt).toISOString(),
  createdBy: { token: 'ci', scopes: ['read'] },
  summary: null,
  files: [],
  error: null,
  ...overrides,
})
const summary = { artifacts: 1, verifiedProvenance: 1, unverifiedProvenance: [], withoutProvenance: [], unknown: [], reproduced: 0, openAlerts: 0, waivedAlerts: 0, lines: ['As of …, 1 of 1 artifact has verified provenance.'] }
const id = (n: number) => n.toString(16).padStart(32, '0')

describe.each(['sqlite', 'postgres'] as const)('reports store on %s', (kind) => {
  it('keeps a finished report with its archive, and pages the list newest first', async () => {
    const store = await engines.fresh(kind)
    try {
      for (let n = 1; n <= 5; n++) await store.reports.create(job(id(n), T0 + (n % 3) * 1000), T0)
      expect(await store.reports.archiveInRow(id(1))).toBeNull()
      await store.reports.progress(id(1), { done: 1, total: 2 }, T0 + 10)
      expect((await store.reports.get(id(1), T0 + 20))?.progress).toEqual({ done: 1, total: 2 })
      const archive = Uint8Array.from([1, 2, 3, 250])
      const files = [{ name: `report-${id(1)}.tar`, format: 'archive' as const, href: `/api/v1/reports/${id(1)}/archive`, bytes: 4 }]
      await store.reports.finish(id(1), { summary, files, archive, progress: { done: 2, total: 2 } }, T0 + 30)
      expect(await store.reports.get(id(1), T0 + 40)).toMatchObject({ state: 'done', summary, files, progress: { done: 2, total: 2 }, createdBy: { token: 'ci', scopes: ['read'] } })
      expect(await store.reports.archiveInRow(id(1))).toEqual(Buffer.from(archive))

      // Created at T0+1000 (1, 4), T0+2000 (2, 5), T0 (3): newest first, ties by id descending.
      const first = await store.reports.list({ limit: 2 }, T0 + 40)
      expect(first.items.map((item) => item.id)).toEqual([id(5), id(2)])
      const second = await store.reports.list({ limit: 2, cursor: first.nextCursor! }, T0 + 40)
      expect(second.items.map((item) => item.id)).toEqual([id(4), id(1)])
      const third = await store.reports.list({ limit: 2, cursor: second.nextCursor! }, T0 + 40)
      expect(third).toEqual({ items: [expect.objectContaining({ id: id(3) })], nextCursor: null })
    } finally {
      await store.close()
    }
  }, 60_000)

  it('says a report failed, and why; a running one left untouched for a minute reads as failed', async () => {
    const store = await engines.fresh(kind)
    try {
      await store.reports.create(job(id(1), T0), T0)
      await store.reports.fail(id(1), 'the server failed to make the report', T0 + 5)
      expect(await store.reports.get(id(1), T0 + 10)).toMatchObject({ state: 'failed', error: 'the server failed to make the report' })

      await store.reports.create(job(id(2), T0), T0)
      expect((await store.reports.get(id(2), T0 + STALE_MS))?.state).toBe('running')
      const stale = await store.reports.get(id(2), T0 + STALE_MS + 1)
      expect(stale?.state).toBe('failed')
      expect(stale?.error).toContain('stopped before it was done')
      // Progress is the maker saying it is alive: the report runs again.
      await store.reports.progress(id(2), { done: 1, total: 3 }, T0 + STALE_MS)
      expect((await store.reports.get(id(2), T0 + STALE_MS + 1))?.state).toBe('running')
    } finally {
      await store.close()
    }
  }, 60_000)
})

describe('reports across a restart', () => {
  it('are still listed, with their archive, when the store is opened again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'reports-restart-'))
    try {
      const before = await openStore({ dataDir })
      await before.reports.create(job(id(7), T0), T0)
      await before.reports.finish(id(7), { summary, files: [], archive: Uint8Array.from([9, 9]), progress: { done: 1, total: 1 } }, T0)
      await before.close()
      const after = await openStore({ dataDir })
      try {
        expect((await after.reports.list({ limit: 10 }, T0)).items.map((item) => [item.id, item.state])).toEqual([[id(7), 'done']])
        expect(await after.reports.archiveInRow(id(7))).toEqual(Buffer.from([9, 9]))
      } finally {
        await after.close()
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 60_000)
})
