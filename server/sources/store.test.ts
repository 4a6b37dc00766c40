import { describe, expect, it } from 'vitest'
import type { SyncRun } from '../../src/contract/sources'
import { signEnvelope } from '../demo/seed'
import { ingestBody } from '../ingest/ingest'
import { engineStores } from '../store/testing/engines'
import { newKey, slsaV1Statement } from '../testing/documents'

const engines = engineStores('sources_store')
const key = newKey('release', 'ed25519')

const run = (overrides: Partial<SyncRun> = {}): SyncRun => ({
  id: 'run-1',
  state: 'running',
  trigger: 'on-demand',
  startedAt: '2026-11-01T10:00:00.000Z',
  finishedAt: null,
  phase: 'starting',
  done: 0,
  total: 0,
  documentsFound: 0,
  documentsIngested: 0,
  telemetryRuns: 0,
  unchanged: 0,
  errors: [],
  ...overrides,
})

describe.each(['sqlite', 'postgres'] as const)('sources store on %s', (kind) => {
  it('keeps the newest run and counts failures in a row', async () => {
    const store = await engines.fresh(kind)
    try {
      expect(await store.sources.state('reg')).toBeNull()
      await store.sources.saveRun('reg', 'oci', run({ documentsFound: 3 }), null)
      expect((await store.sources.state('reg'))?.lastRun?.documentsFound).toBe(3)
      await store.sources.saveRun('reg', 'oci', run({ state: 'failed', documentsFound: 3, documentsIngested: 2 }), { finishedAt: 1000, succeeded: false, nextSyncAt: 2000 })
      await store.sources.saveRun('reg', 'oci', run({ id: 'run-2', state: 'failed', documentsFound: 1 }), { finishedAt: 3000, succeeded: false, nextSyncAt: 4000 })
      let state = await store.sources.state('reg')
      expect(state).toMatchObject({ consecutiveFailures: 2, lastSuccessAt: null, nextSyncAt: 4000 })
      expect(state?.lastRun?.id).toBe('run-2')
      await store.sources.saveRun('reg', 'oci', run({ id: 'run-3', state: 'succeeded' }), { finishedAt: 5000, succeeded: true, nextSyncAt: 6000 })
      state = await store.sources.state('reg')
      expect(state).toMatchObject({ consecutiveFailures: 0, lastSuccessAt: 5000, nextSyncAt: 6000 })
    } finally {
      await store.close()
    }
  }, 30_000)

  it('remembers cursors by key and prefix, records origins once and counts from them, and finds digests known from a repository', async () => {
    const store = await engines.fresh(kind)
    try {
      await store.sources.markSeen('reg', [{ key: 'refs:a@sha256:1', value: 'x' }, { key: 'refs:b@sha256:2', value: 'y' }, { key: 'tag:a:1', value: 'z' }], 1)
      await store.sources.markSeen('reg', [{ key: 'refs:a@sha256:1', value: 'x2' }], 2)
      await store.sources.markSeen('other', [{ key: 'refs:a@sha256:1', value: 'other' }], 2)
      expect(Object.fromEntries(await store.sources.seenWithPrefix('reg', 'refs:'))).toEqual({ 'refs:a@sha256:1': 'x2', 'refs:b@sha256:2': 'y' })
      expect(Object.fromEntries(await store.sources.seen('reg', ['tag:a:1', 'missing']))).toEqual({ 'tag:a:1': 'z' })

      const digest = 'd'.repeat(64)
      const envelope = Buffer.from(JSON.stringify(signEnvelope(slsaV1Statement({ sha256: digest, repo: 'https://github.com/Acme/Web' }), key)))
      const pushed = await ingestBody(store, envelope, 'application/json', { keys: [], now: () => 1 })
      if (!pushed.ok) throw new Error(pushed.error.message)
      const id = pushed.body.documents[0]?.id ?? ''
      await store.sources.saveRun('reg', 'oci', run(), null)
      await store.sources.recordDocuments([{ source: 'reg', documentId: id, origin: 'http://r/v2/a/blobs/sha256:1', subject: `sha256:${digest}`, created: true }], 1)
      await store.sources.recordDocuments([{ source: 'reg', documentId: id, origin: 'http://r/elsewhere', subject: null, created: false }], 2)
      await store.sources.recordDocuments([{ source: 'other', documentId: id, origin: 'http://o/', subject: null, created: false }], 2)
      expect(await store.sources.originsOf(id)).toEqual([
        { source: 'other', documentId: id, origin: 'http://o/', subject: null, created: false },
        { source: 'reg', documentId: id, origin: 'http://r/v2/a/blobs/sha256:1', subject: `sha256:${digest}`, created: true },
      ])
      expect(await store.sources.state('reg')).toMatchObject({ documentsFound: 1, documentsIngested: 1 })
      expect((await store.sources.states()).map((state) => [state.name, state.documentsFound, state.documentsIngested])).toEqual([['reg', 1, 1]])
      expect(await store.sources.knownDigests('https://github.com/acme/web', 10)).toEqual([`sha256:${digest}`])
      expect(await store.sources.knownDigests('https://github.com/acme/other', 10)).toEqual([])
    } finally {
      await store.close()
    }
  }, 30_000)

  it('stores change-feed events once by id, reads them in order between two sequence numbers, counts and prunes them', async () => {
    const store = await engines.fresh(kind)
    try {
      const event = (id: string, tag: string | null) => ({ id, action: 'push', repository: 'acme/web', tag, digest: `sha256:${id.padStart(64, '0')}`, mediaType: 'application/vnd.oci.image.manifest.v1+json' })
      expect(await store.sources.lastEventSeq('reg')).toBe(0)
      expect(await store.sources.recordEvents('reg', [event('1', '1.0'), event('2', null)], 10)).toEqual({ stored: 2, duplicates: 0 })
      const afterFirst = await store.sources.lastEventSeq('reg')
      // A retried delivery: the same ids again, with one new.
      expect(await store.sources.recordEvents('reg', [event('2', null), event('3', 'sha256-abc.att')], 11)).toEqual({ stored: 1, duplicates: 1 })
      await store.sources.recordEvents('other', [event('1', '1.0')], 12)
      const last = await store.sources.lastEventSeq('reg')
      const all = await store.sources.eventsBetween('reg', 0, last)
      expect(all.map((row) => row.tag)).toEqual(['1.0', null, 'sha256-abc.att'])
      expect(all[1]).toEqual({ repository: 'acme/web', tag: null, digest: `sha256:${'2'.padStart(64, '0')}`, mediaType: 'application/vnd.oci.image.manifest.v1+json' })
      expect((await store.sources.eventsBetween('reg', afterFirst, last)).map((row) => row.tag)).toEqual(['sha256-abc.att'])
      expect((await store.sources.eventsBetween('reg', 0, afterFirst)).map((row) => row.tag)).toEqual(['1.0', null])
      expect(await store.sources.countEventsAfter('reg', afterFirst)).toBe(1)
      await store.sources.pruneEvents('reg', afterFirst)
      expect((await store.sources.eventsBetween('reg', 0, last)).map((row) => row.tag)).toEqual(['sha256-abc.att'])
      expect(await store.sources.countEventsAfter('other', 0)).toBe(1)
    } finally {
      await store.close()
    }
  }, 30_000)
})
