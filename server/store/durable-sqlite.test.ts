import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { DurableSqliteDialect, walCheckpointer, walSync, type SyncLog } from './durable-sqlite'
import { withStatementCache } from './statement-cache'

type Tables = { notes: { id: number; text: string } }

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A store over a fresh file whose WAL syncs are counted and, while `hold` is set, wait to be let through. */
function open(sync?: SyncLog, checkpoints = false) {
  const dir = mkdtempSync(join(tmpdir(), 'durable-sqlite-'))
  dirs.push(dir)
  const path = join(dir, 'test.db')
  const database = new SqliteDatabase(path)
  database.pragma('journal_mode = WAL')
  const db = new Kysely<Tables>({ dialect: new DurableSqliteDialect(database, withStatementCache(database), sync, checkpoints ? walCheckpointer(path) : null) })
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

  it('checkpoints on its worker thread, not in the COMMIT: the database file fills, the WAL starts over, nothing is lost', async () => {
    const { db, database, path } = open(undefined, true)
    await sql`create table notes (id integer primary key, text text not null)`.execute(db)
    // SQLite's own checkpoint in the COMMIT is off on this connection.
    expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(0)
    const pageSize = Number(database.pragma('page_size', { simple: true }))
    const text = 'x'.repeat(3000)
    // About 3,000 pages written in 30 commits: three times the threshold of 1,000 pages.
    for (let batch = 0; batch < 30; batch++) {
      await db.transaction().execute(async (trx) => {
        for (let row = 0; row < 100; row++) await trx.insertInto('notes').values({ id: batch * 100 + row, text }).execute()
      })
    }
    // Checkpoints run while the commits go on; wait (a few seconds at most) for the last one asked for to finish.
    for (let tries = 0; tries < 100 && statSync(path).size < 2000 * pageSize; tries++) await new Promise((resolve) => setTimeout(resolve, 50))
    // Most pages reached the database file, and the WAL started over instead of growing to hold every page.
    expect(statSync(path).size).toBeGreaterThan(2000 * pageSize)
    expect(statSync(`${path}-wal`).size).toBeLessThan(2500 * pageSize)
    const count = await db.selectFrom('notes').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()
    expect(Number(count.count)).toBe(3000)
    await db.destroy()
    // The worker's connection closed first, so the main one, the last, checkpointed and removed the WAL.
    expect(existsSync(`${path}-wal`)).toBe(false)
    const other = new SqliteDatabase(path, { readonly: true })
    expect(other.prepare('select count(*) as count from notes').get()).toEqual({ count: 3000 })
    other.close()
  }, 60_000)

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
