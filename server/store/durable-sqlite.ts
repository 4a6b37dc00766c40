import { closeSync, fsync, openSync } from 'node:fs'
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

/** Flushes the write-ahead log to disk: `sync` resolves once what was written before the call is durable. */
export type SyncLog = { sync: () => Promise<void>; close: () => void }

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
 * A transaction may ask for PostgreSQL's `set local synchronous_commit = off` (UNSYNCED_COMMIT): its COMMIT is then
 * not synced here, as PostgreSQL's is not. Like there, a crash may lose it, never a later synced commit (the WAL is
 * synced whole, in order), and whatever syncs next makes it durable. For data that is worked out again from what is
 * durable (the alert rules' findings with their position: server/alerts/engine.ts).
 */
export class DurableSqliteDialect extends SqliteDialect {
  readonly #database: Database.Database
  readonly #prepared: SqliteDatabase
  readonly #sync: SyncLog

  /** `prepared` prepares statements for `database` (with a cache, say); `sync` defaults to fsync of its WAL file. */
  constructor(database: Database.Database, prepared: SqliteDatabase, sync: SyncLog = walSync(`${database.name}-wal`)) {
    super({ database: prepared })
    this.#database = database
    this.#prepared = prepared
    this.#sync = sync
  }

  override createDriver(): Driver {
    return new DurableSqliteDriver(this.#database, this.#prepared, this.#sync)
  }
}

/**
 * PostgreSQL's statement for a transaction whose commit need not wait for the disk. Sent inside a transaction on
 * either engine: PostgreSQL runs it, and the SQLite connection below takes it as the same request without running it.
 */
export const UNSYNCED_COMMIT = 'set local synchronous_commit = off'

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

  constructor(database: Database.Database, prepared: SqliteDatabase, sync: SyncLog) {
    this.#database = database
    this.#connection = new DurableSqliteConnection(database, prepared, sync)
  }

  init(): Promise<void> {
    // Without this pragma SQLite would sync the WAL itself, on this thread, in every COMMIT (FULL).
    this.#database.pragma('synchronous = NORMAL')
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

  destroy(): Promise<void> {
    this.#connection.close()
    return Promise.resolve()
  }
}

class DurableSqliteConnection implements DatabaseConnection {
  readonly #database: Database.Database
  readonly #prepared: SqliteDatabase
  readonly #sync: SyncLog
  /** The open transaction asked for UNSYNCED_COMMIT. */
  #unsynced = false

  constructor(database: Database.Database, prepared: SqliteDatabase, sync: SyncLog) {
    this.#database = database
    this.#prepared = prepared
    this.#sync = sync
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    if (compiledQuery.sql === UNSYNCED_COMMIT) {
      // Outside a transaction PostgreSQL ignores it too (with a warning): a lone write is synced as ever.
      if (this.#database.inTransaction) this.#unsynced = true
      return { rows: [] }
    }
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
    const unsynced = ended && this.#unsynced
    if (ended) this.#unsynced = false
    if ((ended && !unsynced) || wroteAlone) await this.#sync.sync()
    return result
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
