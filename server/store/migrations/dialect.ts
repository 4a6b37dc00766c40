import { sql, type Kysely } from 'kysely'
import type { StoreKind } from '../db'

/** The column types that differ between the engines; every migration is written once against these. */
export type Dialect = {
  blob: 'blob' | 'bytea'
  /** SQLite's INTEGER is already 64-bit; PostgreSQL needs bigint for milliseconds since the epoch. */
  int64: 'integer' | 'bigint'
}

/**
 * Runs `work` as one transaction on either engine. Kysely runs SQLite migrations outside a transaction (PostgreSQL's
 * inside one), so a migration that creates a trigger and backfills what it keeps opens its own there: the backfill
 * and the trigger see the same rows, and a server stopped halfway starts the migration over rather than finding
 * half its tables.
 */
export async function allOrNothing(kind: StoreKind, db: Kysely<unknown>, work: () => Promise<void>): Promise<void> {
  if (kind === 'sqlite') await sql`begin immediate`.execute(db)
  try {
    await work()
    if (kind === 'sqlite') await sql`commit`.execute(db)
  } catch (error) {
    if (kind === 'sqlite') await sql`rollback`.execute(db)
    throw error
  }
}
