import SqliteDatabase from 'better-sqlite3'
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, SqliteDialect } from 'kysely'
import { describe, expect, it } from 'vitest'
import { compileShape, shapeCache, shapesOf } from './compiled-shapes'

type Tables = { items: { id: string; size: number; note: string | null } }

const open = () => {
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: new SqliteDatabase(':memory:') }) })
  return db
}

describe('compiled shapes', () => {
  it('binds new values into the text a fresh build compiles to, and answers what a fresh build answers', async () => {
    const db = open()
    await db.schema.createTable('items').addColumn('id', 'text', (column) => column.primaryKey()).addColumn('size', 'integer').addColumn('note', 'text').execute()
    const insert = compileShape((slot) => db.insertInto('items').values([0, 1].map((row) => ({ id: slot<string>(3 * row), size: slot<number>(3 * row + 1), note: slot<string | null>(3 * row + 2) }))))
    await db.executeQuery(insert.bind(['a', 1, null, 'b', 2, 'second']))
    await db.executeQuery(insert.bind(['c', 3, 'third', 'd', 4, null]))
    const fresh = db.selectFrom('items').selectAll().where('size', '>', 1).where('note', 'is not', null).orderBy('id').limit(5).compile()
    const select = compileShape((slot) => db.selectFrom('items').selectAll().where('size', '>', slot<number>(0)).where('note', 'is not', null).orderBy('id').limit(slot<number>(1)))
    const bound = select.bind([1, 5])
    expect(bound.sql).toBe(fresh.sql)
    expect(bound.parameters).toEqual(fresh.parameters)
    expect((await db.executeQuery(bound)).rows).toEqual(await db.selectFrom('items').selectAll().where('size', '>', 1).where('note', 'is not', null).orderBy('id').limit(5).execute())
    expect((await db.executeQuery(select.bind([0, 1]))).rows).toEqual([{ id: 'b', size: 2, note: 'second' }])
    await db.destroy()
  })

  it('refuses a slot the statement does not carry as a parameter, and a wrong number of values', () => {
    const db = open()
    expect(() => compileShape((slot) => db.selectFrom('items').selectAll().where('id', '=', 'x').limit(slot<number>(1)))).toThrow(/slot 0 is not a parameter/)
    const shape = compileShape((slot) => db.selectFrom('items').selectAll().where('id', '=', slot<string>(0)))
    expect(() => shape.bind([])).toThrow(RangeError)
    expect(() => shape.bind(['a', 'b'])).toThrow(RangeError)
  })

  it('compiles a name once per cache', () => {
    const db = open()
    const shapes = shapeCache()
    let builds = 0
    const build = (slot: <T>(index: number) => T) => {
      builds++
      return db.selectFrom('items').selectAll().where('id', '=', slot<string>(0))
    }
    const first = shapes('by id', build)
    expect(shapes('by id', build)).toBe(first)
    expect(builds).toBe(1)
    expect(shapeCache()('by id', build)).not.toBe(first)
  })

  it('shares shapes between stores of one dialect, and never between dialects', () => {
    const [first, second] = [open(), open()]
    // A PostgreSQL handle that only compiles (no server): its text has numbered placeholders.
    const postgres = new Kysely<Tables>({
      dialect: { createAdapter: () => new PostgresAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (db) => new PostgresIntrospector(db), createQueryCompiler: () => new PostgresQueryCompiler() },
    })
    const byId = (db: Kysely<Tables>) => (slot: <T>(index: number) => T) => db.selectFrom('items').selectAll().where('id', '=', slot<string>(0))
    expect(shapesOf(second)).toBe(shapesOf(first))
    expect(shapesOf(postgres)).not.toBe(shapesOf(first))
    const sqliteText = shapesOf(first)('items by id', byId(first)).bind(['a']).sql
    expect(shapesOf(second)('items by id', byId(second)).bind(['b']).sql).toBe(sqliteText)
    expect(shapesOf(postgres)('items by id', byId(postgres)).bind(['a']).sql).toBe(postgres.selectFrom('items').selectAll().where('id', '=', 'a').compile().sql)
    expect(shapesOf(postgres)('items by id', byId(postgres)).bind(['a']).sql).not.toBe(sqliteText)
  })
})
