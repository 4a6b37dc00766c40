import type { Transaction } from 'kysely'
import { openCheckpoint, signCheckpoint, type LogKey } from './checkpoint'
import { appendLeaf, emptyRange, leafHash, parseRange, rootOf, serialiseRange, type CompactRange } from './merkle'
import type { Db, StoreKind } from '../store/db'
import type { Database } from '../store/schema'

/*
 * The log's rows: its right edge (one `log_state` row), a signed checkpoint per ingest transaction, and each
 * document's position. Appends happen inside the transaction that stores the documents (see documents/store.ts),
 * so log order is commit order and a document is never stored outside the tree.
 */

/** The latest signed tree head of the document log. */
export type LogCheckpoint = { origin: string; size: number; rootHash: string; note: string; publicKeyPem: string }

export type LogEntry = { index: number; id: string; raw: Uint8Array; seq: number }

export interface LogRepository {
  /** The log's public key (PEM), for checking checkpoints offline. */
  readonly publicKeyPem: string
  checkpoint(): Promise<LogCheckpoint>
  checkpoints(): Promise<{ size: number; rootHash: string; note: string }[]>
  /** Log entries from `fromIndex` on, in log order. */
  entries(fromIndex: number, limit: number): Promise<LogEntry[]>
  countUnlogged(): Promise<number>
  /** Appends documents stored before the log existed, oldest first, so every document is in the tree. */
  catchUp(): Promise<void>
}

export function logRepository(db: Db, kind: StoreKind, key: LogKey): LogRepository {
  return {
    publicKeyPem: key.publicKeyPem,
    checkpoint: async () => {
      const row = await db.selectFrom('checkpoints').selectAll().orderBy('size', 'desc').limit(1).executeTakeFirst()
      const checkpoint = row ?? { ...signCheckpointRow(key, 0, rootOf(emptyRange())), created_at: 0 }
      return { origin: key.name, size: checkpoint.size, rootHash: checkpoint.root_hash, note: checkpoint.note, publicKeyPem: key.publicKeyPem }
    },
    checkpoints: async () => {
      const rows = await db.selectFrom('checkpoints').selectAll().orderBy('size').execute()
      return rows.map((row) => ({ size: row.size, rootHash: row.root_hash, note: row.note }))
    },
    entries: async (fromIndex, limit) => {
      const rows = await db.selectFrom('documents').select(['log_index', 'id', 'raw', 'seq']).where('log_index', '>=', fromIndex).orderBy('log_index').limit(limit).execute()
      return rows.map((row) => ({ index: row.log_index ?? -1, id: row.id, raw: Uint8Array.from(row.raw), seq: row.seq }))
    },
    countUnlogged: async () => {
      const row = await db.selectFrom('documents').select((eb) => eb.fn.countAll<number>().as('count')).where('log_index', 'is', null).executeTakeFirstOrThrow()
      return Number(row.count)
    },
    catchUp: async () => {
      for (;;) {
        const appended = await db.transaction().execute(async (trx) => {
          const log = await lockLog(trx, kind)
          const rows = await trx.selectFrom('documents').select(['seq', 'id']).where('log_index', 'is', null).orderBy('seq').limit(5000).execute()
          for (const row of rows) {
            await trx.updateTable('documents').set({ log_index: log.size }).where('seq', '=', row.seq).execute()
            appendDocument(log, row.id)
          }
          if (rows.length > 0) await saveLog(trx, log, key)
          return rows.length
        })
        if (appended === 0) return
      }
    },
  }
}

/** The setting that names the one key this store's log is signed with, claimed by the first server to open it. */
const LOG_PUBLIC_KEY = 'log.public-key'

/** The configured log key is not the key the log was signed with: starting would fork the record's signatures. */
export class LogKeyMismatchError extends Error {
  override readonly name = 'LogKeyMismatchError'
}

/**
 * Makes sure every checkpoint of this store is signed with one key. The first server to open the store records
 * its public key (insert-if-absent, so two servers starting together on an empty database cannot both win);
 * every later start compares, and a store signed before the key was recorded is checked against its newest
 * checkpoint. Several servers on one database must therefore share the key file (LOG_KEY_FILE), never each
 * generate their own.
 */
export async function claimLogKey(db: Db, key: LogKey): Promise<void> {
  const latest = await db.selectFrom('checkpoints').select(['size', 'note']).orderBy('size', 'desc').limit(1).executeTakeFirst()
  if (latest !== undefined && openCheckpoint(latest.note, key) === null) {
    throw new LogKeyMismatchError(
      `the log in this store was signed (up to size ${latest.size}) by ${latest.note.split('\n')[0] ?? 'another key'}, ` +
        `but this server's log key is ${key.name}: every server on one store must sign with the same log key`,
    )
  }
  await db.insertInto('settings').values({ key: LOG_PUBLIC_KEY, value: key.publicKeyPem }).onConflict((oc) => oc.column('key').doNothing()).execute()
  const claimed = await db.selectFrom('settings').select('value').where('key', '=', LOG_PUBLIC_KEY).executeTakeFirstOrThrow()
  if (claimed.value !== key.publicKeyPem) {
    throw new LogKeyMismatchError(
      `this store's log is signed with another key (its public key, recorded by the first server, is\n${claimed.value.trim()}\n), ` +
        `but this server's log key is ${key.name}: every server on one store must sign with the same log key`,
    )
  }
}

export type LogHead = { size: number; range: CompactRange }

const logLeaf = (documentId: string) => leafHash(Buffer.from(documentId, 'hex'))

/** Adds a document's leaf to the log's right edge (in memory; `saveLog` writes it). */
export function appendDocument(log: LogHead, documentId: string): void {
  log.range = appendLeaf(log.range, logLeaf(documentId))
  log.size = log.range.size
}

export async function lockLog(trx: Transaction<Database>, kind: StoreKind): Promise<LogHead> {
  let query = trx.selectFrom('log_state').selectAll().where('id', '=', 1)
  // SQLite has one writer at a time already; PostgreSQL needs the row lock.
  if (kind === 'postgres') query = query.forUpdate()
  const row = await query.executeTakeFirstOrThrow()
  const range = parseRange(row.compact_range)
  if (range.size !== row.size) throw new Error(`log state is inconsistent: size ${row.size}, compact range of ${range.size}`)
  return { size: row.size, range }
}

function signCheckpointRow(key: LogKey, size: number, root: Buffer) {
  const checkpoint = signCheckpoint(key, size, root)
  return { size, root_hash: root.toString('hex'), note: checkpoint.note }
}

export async function saveLog(trx: Transaction<Database>, log: LogHead, key: LogKey): Promise<void> {
  await trx.updateTable('log_state').set({ size: log.size, compact_range: serialiseRange(log.range) }).where('id', '=', 1).execute()
  await trx
    .insertInto('checkpoints')
    .values({ ...signCheckpointRow(key, log.size, rootOf(log.range)), created_at: Date.now() })
    .execute()
}
