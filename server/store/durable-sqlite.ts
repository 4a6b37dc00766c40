import { closeSync, fstatSync, fsync, openSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type Database from 'better-sqlite3'
import {
  CompiledQuery,
  SelectQueryNode,
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type SqliteDatabase,
  type TransactionSettings,
} from 'kysely'

/**
 * Flushes the write-ahead log to disk: `sync` resolves once what was written before the call is durable. `size` is
 * the WAL file's length in bytes (0 before it exists), read after a sync to decide on a checkpoint.
 */
export type SyncLog = { sync: () => Promise<void>; size?: () => number; close: () => void }

/** Copies the WAL back into the database file on a connection of its own, off this thread (see walCheckpointer). */
export type Checkpointer = { request: () => void; close: () => Promise<void> }

/**
 * SQLite whose commits are made durable off the event loop. With `synchronous = FULL` SQLite fsyncs the WAL inside
 * COMMIT, and better-sqlite3 runs COMMIT on the JavaScript thread: for the length of every disk sync (milliseconds,
 * far more on a busy disk) the server could neither read the next request nor verify its signatures, so requests
 * queued behind each other's syncs and the group commit (server/documents/store.ts) had little to group.
 *
 * Here the connection runs with `synchronous = NORMAL` (SQLite writes the WAL at COMMIT but does not sync it) and
 * this driver syncs the WAL file itself, on libuv's thread pool, after every statement that ends a write: a COMMIT
 * or a write outside any transaction. Until that sync is done the statement has not returned and the single
 * connection is not released, so nothing in this process reads data that is not yet on disk, and whoever stored it
 * is answered only once it is: a resolved write is as durable as with FULL. Meanwhile the event loop reads, parses
 * and verifies the next requests, which then share the next commit.
 *
 * Checkpoints leave this thread too. SQLite's automatic checkpoint runs inside the COMMIT that takes the WAL past
 * 1,000 pages: it copies every page back into the database file and syncs that file, on the JavaScript thread (a
 * quarter to two thirds of the COMMIT time of an ingest batch, measured). With a `checkpointer` (walCheckpointer)
 * the connection's automatic checkpoint is off, and after a commit that leaves the WAL over the same size, a worker
 * thread runs the same PASSIVE checkpoint on its own connection. A PASSIVE checkpoint never blocks the writer, and
 * copies only frames already committed; durability does not depend on it (a commit is durable once its WAL frames
 * are synced, above), so crash safety is the same as with the automatic one. Not used by the server yet: with it,
 * HTTP ingest of one document per request measured 85-103/s against 116-123/s without (bench/formats.ts, load 1-9),
 * likely the WAL's truncation making each commit's sync write file metadata too; batches gained within the noise.
 */
export class DurableSqliteDialect extends SqliteDialect {
  readonly #database: Database.Database
  readonly #prepared: SqliteDatabase
  readonly #sync: SyncLog

  /** `prepared` prepares statements for `database` (with a cache, say); `sync` defaults to fsync of its WAL file. */
  readonly #checkpointer: Checkpointer | null

  /**
   * `prepared` prepares statements for `database` (with a cache, say); `sync` defaults to fsync of its WAL file;
   * without a `checkpointer` SQLite checkpoints in the COMMIT, as it does by default.
   */
  constructor(database: Database.Database, prepared: SqliteDatabase, sync: SyncLog = walSync(`${database.name}-wal`), checkpointer: Checkpointer | null = null) {
    super({ database: prepared })
    this.#database = database
    this.#prepared = prepared
    this.#sync = sync
    this.#checkpointer = checkpointer
  }

  override createDriver(): Driver {
    return new DurableSqliteDriver(this.#database, this.#prepared, this.#sync, this.#checkpointer)
  }
}

/** SQLite's own automatic checkpoint threshold (pages), kept: the WAL grows no larger than it did. */
const CHECKPOINT_PAGES = 1000

/**
 * A worker thread with its own connection to the database at `path`, running `PRAGMA wal_checkpoint(PASSIVE)` when
 * asked (at most one at a time; asks while one runs are folded into one more after it).
 */
export function walCheckpointer(path: string): Checkpointer {
  // Plain JavaScript evaluated in the worker, so it runs the same from the sources (tsx, vitest) and from the build;
  // the driver is the one this module loads.
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads')
     const Database = require(workerData.driver)
     const db = new Database(workerData.path)
     db.pragma('busy_timeout = 5000')
     parentPort.on('message', (message) => {
       if (message === 'close') { db.close(); parentPort.close(); return }
       try { db.pragma('wal_checkpoint(PASSIVE)') } catch (error) { console.error('WAL checkpoint failed (the next one tries again):', error) }
       parentPort.postMessage('done')
     })`,
    { eval: true, workerData: { driver, path } },
  )
  worker.unref()
  let running = false
  let again = false
  let closing = false
  const start = () => {
    running = true
    // Keeps the process alive only while a checkpoint runs, so it ends before the connection closes.
    worker.ref()
    worker.postMessage('checkpoint')
  }
  worker.on('message', () => {
    running = false
    // Closing holds the process open until the worker has exited (a checkpoint finishing meanwhile must not let go).
    if (closing) return
    worker.unref()
    if (again) {
      again = false
      start()
    }
  })
  // Checkpoints are an optimisation of the file's layout: a worker that dies leaves the WAL to grow until restart,
  // and says so, rather than taking the server down.
  let alive = true
  worker.on('error', (error) => {
    alive = false
    console.error('the WAL checkpoint worker stopped:', error)
  })
  worker.on('exit', () => {
    alive = false
  })
  return {
    request: () => {
      if (!alive || closing) return
      if (running) again = true
      else start()
    },
    close: async () => {
      if (!alive) return
      closing = true
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
      worker.ref()
      worker.postMessage('close')
      await exited
    },
  }
}

/** fsync of the WAL file through a descriptor opened once the WAL exists (its first write) and kept open. */
export function walSync(path: string): SyncLog {
  let fd: number | undefined
  return {
    sync: () =>
      new Promise<void>((resolve, reject) => {
        // Opened lazily: SQLite creates the WAL file on the first write. The file stays the same while this process
        // holds its connection (SQLite removes it only when the last connection closes), truncations included.
        fd ??= openSync(path, 'r')
        fsync(fd, (error) => (error ? reject(error) : resolve()))
      }),
    size: () => (fd === undefined ? 0 : fstatSync(fd).size),
    close: () => {
      if (fd !== undefined) closeSync(fd)
      fd = undefined
    },
  }
}

class DurableSqliteDriver implements Driver {
  readonly #mutex = new ConnectionMutex()
  readonly #connection: DurableSqliteConnection
  readonly #database: Database.Database
  readonly #checkpointer: Checkpointer | null

  constructor(database: Database.Database, prepared: SqliteDatabase, sync: SyncLog, checkpointer: Checkpointer | null) {
    this.#database = database
    this.#checkpointer = checkpointer
    this.#connection = new DurableSqliteConnection(database, prepared, sync, checkpointer)
  }

  init(): Promise<void> {
    // Without this pragma SQLite would sync the WAL itself, on this thread, in every COMMIT (FULL).
    this.#database.pragma('synchronous = NORMAL')
    if (this.#checkpointer) {
      // The checkpointer's worker checkpoints instead of the COMMIT that crosses the threshold.
      this.#database.pragma('wal_autocheckpoint = 0')
      // When the WAL starts over after a complete checkpoint, the first commit cuts the file to what it wrote, so
      // the file's length is what was written since (without it the file keeps its largest length for good).
      this.#database.pragma('journal_size_limit = 0')
    }
    return Promise.resolve()
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    // One connection, as in Kysely's own SQLite driver: whoever holds it runs alone until it is released.
    await this.#mutex.lock()
    return this.#connection
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'))
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'))
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'))
  }

  releaseConnection(): Promise<void> {
    this.#mutex.unlock()
    return Promise.resolve()
  }

  async destroy(): Promise<void> {
    // The worker's connection first: the last connection to close checkpoints the WAL and removes it.
    await this.#checkpointer?.close()
    this.#connection.close()
  }
}

class DurableSqliteConnection implements DatabaseConnection {
  readonly #database: Database.Database
  readonly #prepared: SqliteDatabase
  readonly #sync: SyncLog
  readonly #checkpointer: Checkpointer | null

  constructor(database: Database.Database, prepared: SqliteDatabase, sync: SyncLog, checkpointer: Checkpointer | null) {
    this.#database = database
    this.#prepared = prepared
    this.#sync = sync
    this.#checkpointer = checkpointer
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#prepared.prepare(compiledQuery.sql)
    const parameters = compiledQuery.parameters as unknown[]
    const wasInTransaction = this.#database.inTransaction
    let result: QueryResult<R>
    if (statement.reader) {
      result = { rows: statement.all(parameters) as R[] }
    } else {
      const { changes, lastInsertRowid } = statement.run(parameters)
      result = { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] }
    }
    // A transaction just ended (COMMIT, also a raw one a migration runs; ROLLBACK syncs nothing new, cheaply), or a
    // statement that writes (INSERT … RETURNING is a reader too) ran on its own and committed as it ran.
    const ended = wasInTransaction && !this.#database.inTransaction
    const wroteAlone = !wasInTransaction && !this.#database.inTransaction && !isReadonly(statement)
    if (ended || wroteAlone) {
      await this.#sync.sync()
      if (this.#checkpointer && (this.#sync.size?.() ?? 0) > CHECKPOINT_PAGES * this.#pageSize()) this.#checkpointer.request()
    }
    return result
  }

  #pageSizeBytes = 0
  #pageSize(): number {
    this.#pageSizeBytes ||= Number(this.#database.pragma('page_size', { simple: true }))
    return this.#pageSizeBytes
  }

  streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiledQuery.query)) throw new Error('SQLite streams select queries only')
    const rows = this.#prepared.prepare(compiledQuery.sql).iterate(compiledQuery.parameters)
    // Row by row as Kysely's own driver streams, each row its own result.
    const iterator: AsyncIterableIterator<QueryResult<R>> = {
      next: () => {
        const next = rows.next()
        return Promise.resolve(next.done === true ? { done: true, value: undefined } : { done: false, value: { rows: [next.value as R] } })
      },
      return: () => {
        rows.return?.()
        return Promise.resolve({ done: true, value: undefined })
      },
      [Symbol.asyncIterator]: () => iterator,
    }
    return iterator
  }

  close(): void {
    this.#prepared.close()
    this.#sync.close()
  }
}

/** better-sqlite3's `readonly`: true when the statement cannot change the database (BEGIN and COMMIT included). */
function isReadonly(statement: ReturnType<SqliteDatabase['prepare']>): boolean {
  return (statement as unknown as { readonly?: boolean }).readonly === true
}

class ConnectionMutex {
  #held: Promise<void> | undefined
  #release: (() => void) | undefined

  async lock(): Promise<void> {
    while (this.#held) await this.#held
    this.#held = new Promise((resolve) => {
      this.#release = resolve
    })
  }

  unlock(): void {
    const release = this.#release
    this.#held = undefined
    this.#release = undefined
    release?.()
  }
}
