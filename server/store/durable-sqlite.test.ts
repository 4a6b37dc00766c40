import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { CompiledQuery, Kysely, sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { DurableSqliteDialect, UNSYNCED_COMMIT, walSync, type SyncLog } from './durable-sqlite'
import { withStatementCache } from './statement-cache'

type Tables = { notes: { id: number; text: string } }

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A store over a fresh file whose WAL syncs are counted and, while `hold` is set, wait to be let through. */
function open(sync?: SyncLog) {
  const dir = mkdtempSync(join(tmpdir(), 'durable-sqlite-'))
  dirs.push(dir)
  const path = join(dir, 'test.db')
  const database = new SqliteDatabase(path)
  database.pragma('journal_mode = WAL')
  const db = new Kysely<Tables>({ dialect: new DurableSqliteDialect(database, withStatementCache(database), sync) })
  return { db, database, path }
}

/** A sync that records each call and finishes only when the test says so. */
function heldSync() {
  const pending: (() => void)[] = []
  let calls = 0
  const sync: SyncLog = {
    sync: () => {
      calls++
      return new Promise<void>((resolve) => pending.push(resolve))
    },
    close: () => undefined,
  }
  return {
    sync,
    calls: () => calls,
    release: () => {
      for (const resolve of pending.splice(0)) resolve()
    },
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('SQLite commits synced off the event loop', () => {
  it('answers a transaction only once its commit is synced, and no other query runs before then', async () => {
    const held = heldSync()
    const { db, database } = open(held.sync)
    const creating = sql`create table notes (id integer primary key, text text not null)`.execute(db)
    await settle()
    held.release()
    await creating
    const before = held.calls()

    let stored = false
    const writing = db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('notes').values({ id: 1, text: 'first' }).execute()
        await trx.insertInto('notes').values({ id: 2, text: 'second' }).execute()
      })
      .then(() => {
        stored = true
      })
    let read: number | undefined
    const reading = db
      .selectFrom('notes')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow()
      .then((row) => {
        read = Number(row.count)
      })
    await settle()
    await settle()
    // Committed by SQLite, not yet synced: the writer is not answered and the reader still waits for the connection.
    expect(database.inTransaction).toBe(false)
    expect(held.calls()).toBe(before + 1)
    expect(stored).toBe(false)
    expect(read).toBeUndefined()

    held.release()
    await writing
    await reading
    expect(stored).toBe(true)
    expect(read).toBe(2)
    // One sync for the whole transaction (none for its statements, none for the read).
    expect(held.calls()).toBe(before + 1)
    await db.destroy()
  })

  it('syncs a write made outside a transaction, including an INSERT … RETURNING, and never a read', async () => {
    const held = heldSync()
    const { db } = open(held.sync)
    const creating = sql`create table notes (id integer primary key, text text not null)`.execute(db)
    await settle()
    held.release()
    await creating
    const afterCreate = held.calls()
    expect(afterCreate).toBe(1)

    const inserting = db.insertInto('notes').values({ id: 1, text: 'alone' }).returning('id').executeTakeFirstOrThrow()
    await settle()
    expect(held.calls()).toBe(afterCreate + 1)
    held.release()
    expect((await inserting).id).toBe(1)

    const rows = await db.selectFrom('notes').selectAll().execute()
    expect(rows).toEqual([{ id: 1, text: 'alone' }])
    expect(held.calls()).toBe(afterCreate + 1)
    await db.destroy()
  })

  it('runs with synchronous = NORMAL, since it syncs the log itself', async () => {
    const { db, database } = open()
    await db.selectFrom(sql`(select 1)`.as('one')).selectAll().execute()
    // 1 = NORMAL (FULL is 2): SQLite leaves the sync to this dialect.
    expect(database.pragma('synchronous', { simple: true })).toBe(1)
    await db.destroy()
  })

  it('keeps what was committed through the real WAL sync, read back by another connection', async () => {
    const { db, path } = open()
    await sql`create table notes (id integer primary key, text text not null)`.execute(db)
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('notes').values({ id: 7, text: 'kept' }).execute()
    })
    const other = new SqliteDatabase(path, { readonly: true })
    expect(other.prepare('select text from notes where id = 7').get()).toEqual({ text: 'kept' })
    other.close()
    await db.destroy()
  })

  it('streams a select row by row, and can stop early', async () => {
    const { db } = open()
    await sql`create table notes (id integer primary key, text text not null)`.execute(db)
    await db.insertInto('notes').values([1, 2, 3].map((id) => ({ id, text: `note ${id}` }))).execute()
    const seen: number[] = []
    for await (const row of db.selectFrom('notes').select('id').orderBy('id').stream()) {
      seen.push(row.id)
      if (row.id === 2) break
    }
    expect(seen).toEqual([1, 2])
    // Stopping early released the connection: the next query runs.
    expect(await db.selectFrom('notes').select('id').orderBy('id', 'desc').executeTakeFirst()).toEqual({ id: 3 })
    await db.destroy()
  })

  it("leaves a transaction that asked for PostgreSQL's synchronous_commit off unsynced; the next synced commit covers it", async () => {
    const held = heldSync()
    const { db, path } = open(held.sync)
    const creating = sql`create table notes (id integer primary key, text text not null)`.execute(db)
    await settle()
    held.release()
    await creating
    const before = held.calls()

    // Answered with no sync asked for (the held sync would never let it finish), and visible to readers at once.
    await db.transaction().execute(async (trx) => {
      await trx.executeQuery(CompiledQuery.raw(UNSYNCED_COMMIT))
      await trx.insertInto('notes').values({ id: 1, text: 'derived' }).execute()
    })
    expect(held.calls()).toBe(before)
    const other = new SqliteDatabase(path, { readonly: true })
    expect(other.prepare('select text from notes where id = 1').get()).toEqual({ text: 'derived' })
    other.close()

    // The request lasts only for its transaction: the next one, and a write on its own, are synced as ever.
    const next = db.transaction().execute(async (trx) => {
      await trx.insertInto('notes').values({ id: 2, text: 'document' }).execute()
    })
    await settle()
    expect(held.calls()).toBe(before + 1)
    held.release()
    await next
    // Outside a transaction the request changes nothing (PostgreSQL ignores it there too).
    await db.executeQuery(CompiledQuery.raw(UNSYNCED_COMMIT))
    const alone = db.insertInto('notes').values({ id: 3, text: 'alone' }).execute()
    await settle()
    expect(held.calls()).toBe(before + 2)
    held.release()
    await alone
    await db.destroy()
  })

  it('fails the write when the sync fails, so nobody is told it is stored', async () => {
    const { db } = open({ sync: () => Promise.reject(new Error('disk gone')), close: () => undefined })
    await expect(sql`create table notes (id integer primary key)`.execute(db)).rejects.toThrow('disk gone')
    await db.destroy()
  })
})

describe('walSync', () => {
  it('syncs the WAL file once it exists and closes it', async () => {
    const { db, path } = open()
    await sql`create table notes (id integer primary key)`.execute(db)
    const log = walSync(`${path}-wal`)
    await expect(log.sync()).resolves.toBeUndefined()
    log.close()
    await db.destroy()
  })
})
