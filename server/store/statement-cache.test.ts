import SqliteDatabase from 'better-sqlite3'
import { Kysely, SqliteDialect, sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { withStatementCache } from './statement-cache'

describe('withStatementCache', () => {
  it('prepares each SQL text once and answers every query with the current rows', async () => {
    const database = new SqliteDatabase(':memory:')
    let prepared = 0
    const counting = { close: () => database.close(), prepare: (text: string) => (prepared++, database.prepare(text)) }
    const db = new Kysely<{ t: { id: number; name: string } }>({ dialect: new SqliteDialect({ database: withStatementCache(counting) }) })
    await sql`create table t (id integer primary key, name text not null)`.execute(db)
    const before = prepared
    for (let id = 1; id <= 50; id++) await db.insertInto('t').values({ id, name: `n${id}` }).execute()
    const rows = await db.selectFrom('t').select(['id', 'name']).where('id', '>', 48).orderBy('id').execute()
    const again = await db.selectFrom('t').select(['id', 'name']).where('id', '>', 48).orderBy('id').execute()
    expect(rows).toEqual([{ id: 49, name: 'n49' }, { id: 50, name: 'n50' }])
    expect(again).toEqual(rows)
    // One insert shape and one select shape, whatever the number of queries.
    expect(prepared - before).toBe(2)
    await db.destroy()
  })

  it('keeps at most `size` statements, dropping the least recently used, and still answers a dropped one', () => {
    const database = new SqliteDatabase(':memory:')
    const prepared: string[] = []
    const cache = withStatementCache({ close: () => database.close(), prepare: (text: string) => (prepared.push(text), database.prepare(text)) }, 2)
    cache.prepare('select 1')
    cache.prepare('select 2')
    cache.prepare('select 1')
    cache.prepare('select 3')
    // 'select 2' was the least recently used, so it is prepared again; 'select 1' is still kept.
    cache.prepare('select 1')
    expect(cache.prepare('select 2').all([])).toEqual([{ 2: 2 }])
    expect(prepared).toEqual(['select 1', 'select 2', 'select 3', 'select 2'])
    cache.close()
  })
})
