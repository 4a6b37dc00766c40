import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import type { StoreKind } from '../db'
import type { Database } from '../schema'

/**
 * A second connection to a store's database, beside the store, for tests that read or migrate it directly: to
 * compare what the store answers with a reference query, or to run one migration down and up again.
 */
export function rawDb(kind: StoreKind, where: { dataDir: string; databaseUrl?: string }): Kysely<Database> {
  if (kind === 'sqlite') return new Kysely({ dialect: new SqliteDialect({ database: new SqliteDatabase(join(where.dataDir, 'provenance.db')) }) })
  // BIGINT as a number, as the store reads it.
  const getTypeParser = (oid: number, format?: 'text' | 'binary'): ((value: string) => unknown) => (oid === 20 ? Number : (pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown))
  const types = { getTypeParser: getTypeParser as typeof pg.types.getTypeParser }
  return new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: where.databaseUrl, max: 1, types }) }) })
}
