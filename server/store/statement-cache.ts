import type { SqliteDatabase, SqliteStatement } from 'kysely'

/** Distinct SQL texts kept prepared; the queries the server issues are a few hundred shapes at most. */
const CACHE_SIZE = 1000

/**
 * Kysely's SQLite driver prepares every statement again for each query; with ingest's handful of short inserts per
 * document, SQLite compiling the same SQL text over and over was most of the store's cost. This keeps the prepared
 * statements by their text (least recently used dropped first) and hands the same one back. Reuse is safe: the
 * driver runs one query at a time under its connection lock, a stream included, and SQLite prepares a statement
 * again by itself when the schema changes under it.
 */
export function withStatementCache(database: SqliteDatabase, size = CACHE_SIZE): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>()
  return {
    close: () => {
      statements.clear()
      database.close()
    },
    prepare: (sql) => {
      const cached = statements.get(sql)
      if (cached !== undefined) {
        // Map keeps insertion order: moving a hit to the end makes the first key the least recently used.
        statements.delete(sql)
        statements.set(sql, cached)
        return cached
      }
      const statement = database.prepare(sql)
      statements.set(sql, statement)
      if (statements.size > size) {
        const oldest = statements.keys().next()
        if (oldest.done !== true) statements.delete(oldest.value)
      }
      return statement
    },
  }
}
