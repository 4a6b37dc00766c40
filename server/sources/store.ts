import { sql } from 'kysely'
import { SyncRun } from '../../src/contract/sources'
import { parseJson, type Db } from '../store/db'
import type { FeedEvent } from './oci/events'

/** The stored state of one source, in the server's terms (times in ms). */
export type SourceStateRecord = {
  name: string
  kind: string
  lastSyncAt: number | null
  lastSuccessAt: number | null
  nextSyncAt: number | null
  consecutiveFailures: number
  documentsFound: number
  documentsIngested: number
  lastRun: SyncRun | null
}

export type SourceDocumentRecord = { source: string; documentId: string; origin: string; subject: string | null; created: boolean }

const CHUNK = 200

/**
 * Records where documents came from (`at`: when first seen), on `db` or inside a transaction: the ingest path
 * writes a pulled document's record in the transaction that stores it (server/documents/store.ts), so a server
 * killed between the two cannot leave a document stored whose source never counted it as its own.
 */
export async function insertSourceDocuments(db: Db, entries: readonly SourceDocumentRecord[], at: number): Promise<void> {
  for (let index = 0; index < entries.length; index += CHUNK) {
    const chunk = entries.slice(index, index + CHUNK)
    if (chunk.length === 0) continue
    await db
      .insertInto('source_documents')
      .values(chunk.map((entry) => ({ source: entry.source, document_id: entry.documentId, origin: entry.origin, subject: entry.subject, created: entry.created ? 1 : 0, first_seen_at: at })))
      .onConflict((oc) => oc.columns(['source', 'document_id']).doNothing())
      .execute()
  }
}

export interface SourceRepository {
  state(name: string): Promise<SourceStateRecord | null>
  states(): Promise<SourceStateRecord[]>
  /** Writes the newest run (progress or outcome); when it finished, counts it for backoff and success. */
  saveRun(name: string, kind: string, run: SyncRun, outcome: { finishedAt: number; succeeded: boolean; nextSyncAt: number | null } | null): Promise<void>
  setNextSync(name: string, kind: string, at: number | null): Promise<void>
  /** The cursor values a source stored under these keys. */
  seen(source: string, keys: readonly string[]): Promise<Map<string, string>>
  /** Every cursor of a source under a key prefix (e.g. `etag:`). */
  seenWithPrefix(source: string, prefix: string): Promise<Map<string, string>>
  markSeen(source: string, entries: readonly { key: string; value: string }[], at: number): Promise<void>
  /** Records where documents came from; a document already recorded for the source keeps its first origin. */
  recordDocuments(entries: readonly SourceDocumentRecord[], at: number): Promise<void>
  documentsOf(source: string): Promise<SourceDocumentRecord[]>
  originsOf(documentId: string): Promise<SourceDocumentRecord[]>
  /** Digests (`sha256:<hex>`, `sha512:<hex>`) of artifacts built from a source repository, newest builds first. */
  knownDigests(repoUrl: string, limit: number): Promise<string[]>
  /** Stores received change-feed events in one transaction; an event id already stored is skipped (a retried delivery). */
  recordEvents(source: string, events: readonly (FeedEvent & { id: string; action: string })[], at: number): Promise<{ stored: number; duplicates: number }>
  /** The newest stored event's sequence number (0: none yet). */
  lastEventSeq(source: string): Promise<number>
  /** Events after `afterSeq` up to `upToSeq`, in the order received. */
  eventsBetween(source: string, afterSeq: number, upToSeq: number): Promise<FeedEvent[]>
  /** How many events are stored after `afterSeq` (waiting for a sync). */
  countEventsAfter(source: string, afterSeq: number): Promise<number>
  /** Drops events a sync has read (up to `upToSeq`): what they said is stored in the documents and cursors. */
  pruneEvents(source: string, upToSeq: number): Promise<void>
}


export function sourceRepository(db: Db): SourceRepository {
  const read = (
    row: {
      name: string
      kind: string
      last_sync_at: number | null
      last_success_at: number | null
      next_sync_at: number | null
      consecutive_failures: number
      last_run: string | null
    },
    totals: { found: number; created: number } | undefined,
  ): SourceStateRecord => {
    // A run stored by an older build that no longer parses reads as none rather than failing the list.
    const run = row.last_run === null ? null : SyncRun.safeParse(parseJson(row.last_run))
    return {
      name: row.name,
      kind: row.kind,
      lastSyncAt: row.last_sync_at,
      lastSuccessAt: row.last_success_at,
      nextSyncAt: row.next_sync_at,
      consecutiveFailures: Number(row.consecutive_failures),
      documentsFound: totals?.found ?? 0,
      documentsIngested: totals?.created ?? 0,
      lastRun: run?.success ? run.data : null,
    }
  }
  const ensure = async (name: string, kind: string) => {
    await db
      .insertInto('source_state')
      .values({ name, kind, consecutive_failures: 0, last_run: null, last_sync_at: null, last_success_at: null, next_sync_at: null })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute()
  }
  // Totals are counted from where documents came from, so a sync killed between two progress saves loses nothing.
  const totals = async (name?: string) => {
    let query = db
      .selectFrom('source_documents')
      .select(['source', sql<number>`count(*)`.as('found'), sql<number>`coalesce(sum(created), 0)`.as('created')])
      .groupBy('source')
    if (name !== undefined) query = query.where('source', '=', name)
    const rows = await query.execute()
    return new Map(rows.map((row) => [row.source, { found: Number(row.found), created: Number(row.created) }]))
  }
  return {
    state: async (name) => {
      const row = await db.selectFrom('source_state').selectAll().where('name', '=', name).executeTakeFirst()
      return row ? read(row, (await totals(name)).get(name)) : null
    },
    states: async () => {
      const counts = await totals()
      return (await db.selectFrom('source_state').selectAll().execute()).map((row) => read(row, counts.get(row.name)))
    },
    saveRun: async (name, kind, run, outcome) => {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('source_state')
          .values({ name, kind, consecutive_failures: 0, last_run: null, last_sync_at: null, last_success_at: null, next_sync_at: null })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute()
        const startedAt = Date.parse(run.startedAt)
        let update = trx.updateTable('source_state').set({ kind, last_run: JSON.stringify(run), last_sync_at: startedAt })
        if (outcome !== null) {
          update = update.set({
            next_sync_at: outcome.nextSyncAt,
            consecutive_failures: outcome.succeeded ? 0 : sql<number>`consecutive_failures + 1`,
            ...(outcome.succeeded ? { last_success_at: outcome.finishedAt } : {}),
          })
        }
        await update.where('name', '=', name).execute()
      })
    },
    setNextSync: async (name, kind, at) => {
      await ensure(name, kind)
      await db.updateTable('source_state').set({ next_sync_at: at }).where('name', '=', name).execute()
    },
    seen: async (source, keys) => {
      const out = new Map<string, string>()
      for (let index = 0; index < keys.length; index += CHUNK) {
        const chunk = keys.slice(index, index + CHUNK)
        const rows = await db.selectFrom('source_seen').select(['key', 'value']).where('source', '=', source).where('key', 'in', chunk).execute()
        for (const row of rows) out.set(row.key, row.value)
      }
      return out
    },
    seenWithPrefix: async (source, prefix) => {
      // A range on the primary key rather than LIKE, whose escaping and collation differ between the engines.
      const rows = await db
        .selectFrom('source_seen')
        .select(['key', 'value'])
        .where('source', '=', source)
        .where('key', '>=', prefix)
        .where('key', '<', `${prefix}\uffff`)
        .execute()
      return new Map(rows.map((row) => [row.key, row.value]))
    },
    markSeen: async (source, entries, at) => {
      for (let index = 0; index < entries.length; index += CHUNK) {
        const chunk = entries.slice(index, index + CHUNK)
        if (chunk.length === 0) continue
        await db
          .insertInto('source_seen')
          .values(chunk.map((entry) => ({ source, key: entry.key, value: entry.value, seen_at: at })))
          .onConflict((oc) => oc.columns(['source', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), seen_at: eb.ref('excluded.seen_at') })))
          .execute()
      }
    },
    recordDocuments: (entries, at) => insertSourceDocuments(db, entries, at),
    documentsOf: async (source) =>
      (await db.selectFrom('source_documents').select(['source', 'document_id', 'origin', 'subject', 'created']).where('source', '=', source).orderBy('first_seen_at').orderBy('document_id').execute()).map(
        (row) => ({ source: row.source, documentId: row.document_id, origin: row.origin, subject: row.subject, created: row.created === 1 }),
      ),
    originsOf: async (documentId) =>
      (await db.selectFrom('source_documents').select(['source', 'document_id', 'origin', 'subject', 'created']).where('document_id', '=', documentId).orderBy('source').execute()).map((row) => ({
        source: row.source,
        documentId: row.document_id,
        origin: row.origin,
        subject: row.subject,
        created: row.created === 1,
      })),
    knownDigests: async (repoUrl, limit) => {
      const url = repoUrl.toLowerCase().replace(/\/+$/, '')
      const rows = await db
        .selectFrom('subjects')
        .innerJoin('builds', 'builds.id', 'subjects.build_id')
        .select(['subjects.digest_algorithm as algorithm', 'subjects.digest_value as value'])
        .where(sql<string>`lower(builds.source_repo)`, 'in', [url, `${url}.git`, `git+${url}`, `git+${url}.git`])
        .where('subjects.digest_algorithm', 'in', ['sha256', 'sha512'])
        .orderBy('builds.time', 'desc')
        .limit(limit * 2)
        .execute()
      const out = new Set<string>()
      for (const row of rows) if (row.algorithm !== null && row.value !== null && out.size < limit) out.add(`${row.algorithm}:${row.value.toLowerCase()}`)
      return [...out]
    },
    recordEvents: async (source, events, at) => {
      if (events.length === 0) return { stored: 0, duplicates: 0 }
      return db.transaction().execute(async (trx) => {
        let stored = 0
        for (let index = 0; index < events.length; index += CHUNK) {
          const chunk = events.slice(index, index + CHUNK)
          const rows = await trx
            .insertInto('source_events')
            .values(
              chunk.map((event) => ({
                source,
                event_id: event.id,
                action: event.action,
                repository: event.repository,
                tag: event.tag,
                digest: event.digest,
                media_type: event.mediaType,
                received_at: at,
              })),
            )
            .onConflict((oc) => oc.columns(['source', 'event_id']).doNothing())
            .returning('seq')
            .execute()
          stored += rows.length
        }
        return { stored, duplicates: events.length - stored }
      })
    },
    lastEventSeq: async (source) => {
      const row = await db.selectFrom('source_events').select(sql<number | null>`max(seq)`.as('seq')).where('source', '=', source).executeTakeFirst()
      return Number(row?.seq ?? 0)
    },
    eventsBetween: async (source, afterSeq, upToSeq) =>
      (
        await db
          .selectFrom('source_events')
          .select(['repository', 'tag', 'digest', 'media_type'])
          .where('source', '=', source)
          .where('seq', '>', afterSeq)
          .where('seq', '<=', upToSeq)
          .orderBy('seq')
          .execute()
      ).map((row) => ({ repository: row.repository, tag: row.tag, digest: row.digest, mediaType: row.media_type })),
    countEventsAfter: async (source, afterSeq) => {
      const row = await db.selectFrom('source_events').select(sql<number>`count(*)`.as('n')).where('source', '=', source).where('seq', '>', afterSeq).executeTakeFirst()
      return Number(row?.n ?? 0)
    },
    pruneEvents: async (source, upToSeq) => {
      await db.deleteFrom('source_events').where('source', '=', source).where('seq', '<=', upToSeq).execute()
    },
  }
}
