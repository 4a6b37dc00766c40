import type { Transaction } from 'kysely'
import { shapesOf } from '../alerts/compiled-shapes'
import { openCheckpoint, signCheckpoint, type LogKey } from './checkpoint'
import { appendLeaf, leafHash, parseRange, rootOf, serialiseRange, type CompactRange } from './merkle'
import type { Db, StoreKind } from '../store/db'
import type { Database } from '../store/schema'

/*
 * The log's rows: its right edge (one `log_state` row), its signed checkpoints, and each document's position.
 * Appends happen inside the transaction that stores the documents (see documents/store.ts), so log order is commit
 * order and a document is never stored outside the tree.
 *
 * Checkpoints are signed as real transparency logs publish signed tree heads: periodically, not per commit. A commit
 * signs one when this process has signed none for CHECKPOINT_EVERY_MS, and reading the checkpoint (GET
 * /api/v1/log/checkpoint, a report archive) signs one for whatever was committed since. So every read sees the
 * whole committed log under a signature, and the stored history holds a checkpoint at least every second of ingest
 * for verify-log to compare against. Durability does not depend on it: the documents and the log's right edge are
 * committed together either way, and the head is signed from that committed edge.
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
      const checkpoint = await currentCheckpoint(db, key)
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
          if (rows.length > 0) await saveLog(trx, log, key, { sign: true })
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
  // Compiled once per dialect, as every ingest commit runs it (server/alerts/compiled-shapes.ts).
  const lock = shapesOf(trx)(`lock log state, ${kind}`, () => {
    const query = trx.selectFrom('log_state').select(['size', 'compact_range']).where('id', '=', 1)
    // SQLite has one writer at a time already; PostgreSQL needs the row lock.
    return kind === 'postgres' ? query.forUpdate() : query
  })
  const row = (await trx.executeQuery<{ size: number; compact_range: string }>(lock.bind([]))).rows[0]
  if (row === undefined) throw new Error('the log state row is missing')
  const range = parseRange(row.compact_range)
  if (range.size !== row.size) throw new Error(`log state is inconsistent: size ${row.size}, compact range of ${range.size}`)
  return { size: row.size, range }
}

function signCheckpointRow(key: LogKey, size: number, root: Buffer) {
  const checkpoint = signCheckpoint(key, size, root)
  return { size, root_hash: root.toString('hex'), note: checkpoint.note }
}

/** A commit signs a checkpoint when this process signed none for this long (reads sign the rest). */
export const CHECKPOINT_EVERY_MS = 1000

/** When this process last signed a checkpoint with a key, by key (the stores of one process share a log key). */
const lastSigned = new WeakMap<LogKey, number>()

/** Writes the log's new right edge, in the transaction that appended to it, and signs it when one is due. */
export async function saveLog(trx: Transaction<Database>, log: LogHead, key: LogKey, { sign = false, now = Date.now() } = {}): Promise<void> {
  const update = shapesOf(trx)('save log state', (slot) =>
    trx
      .updateTable('log_state')
      .set({ size: slot<number>(0), compact_range: slot<string>(1) })
      .where('id', '=', 1),
  )
  await trx.executeQuery(update.bind([log.size, serialiseRange(log.range)]))
  if (!sign && now - (lastSigned.get(key) ?? 0) < CHECKPOINT_EVERY_MS) return
  lastSigned.set(key, now)
  await trx
    .insertInto('checkpoints')
    .values({ ...signCheckpointRow(key, log.size, rootOf(log.range)), created_at: now })
    // Another server may have signed this very head on a read: Ed25519 signatures are deterministic, so its row is this one.
    .onConflict((oc) => oc.column('size').doNothing())
    .execute()
}

type CheckpointRow = { size: number; root_hash: string; note: string }

/**
 * The checkpoint of the whole committed log: the newest signed one when it covers the log's right edge, else one
 * signed now for that edge and kept (so verify-log compares against it too). The edge is read as committed, so what
 * is signed is never a document that could still be rolled back. An empty log's checkpoint is signed but not kept.
 */
async function currentCheckpoint(db: Db, key: LogKey): Promise<CheckpointRow> {
  const latest = await db.selectFrom('checkpoints').select(['size', 'root_hash', 'note']).orderBy('size', 'desc').limit(1).executeTakeFirst()
  const edge = await db.selectFrom('log_state').select(['size', 'compact_range']).where('id', '=', 1).executeTakeFirstOrThrow()
  if (latest !== undefined && latest.size >= edge.size) return latest
  const range = parseRange(edge.compact_range)
  if (range.size !== edge.size) throw new Error(`log state is inconsistent: size ${edge.size}, compact range of ${range.size}`)
  const row = signCheckpointRow(key, edge.size, rootOf(range))
  if (edge.size === 0) return row
  await db
    .insertInto('checkpoints')
    .values({ ...row, created_at: Date.now() })
    .onConflict((oc) => oc.column('size').doNothing())
    .execute()
  return row
}
