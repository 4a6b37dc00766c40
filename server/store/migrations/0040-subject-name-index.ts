import { sql, type Kysely, type Migration } from 'kysely'
import type { StoreKind } from '../db'

/**
 * One index fewer for every artifact stored, on SQLite: `subjects_name_time (name, time)` (0006) is the start of
 * `subjects_name_time_build_position (name, time, build_id, position, digest_algorithm)` (0008), and SQLite
 * compares text bytewise in both, so the longer one serves every range and order the shorter one did (a name, a
 * name prefix, newest first). Each subject row kept both up to date, one more B-tree page written per commit of
 * one-document HTTP ingest.
 *
 * PostgreSQL keeps it: there it is `name COLLATE "C"`, the bytewise order a name prefix is a range in, which the
 * longer index (in the database's collation) is not.
 */
export function subjectNameIndexMigration(kind: StoreKind): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (kind === 'sqlite') await db.schema.dropIndex('subjects_name_time').ifExists().execute()
    },
    async down(db: Kysely<unknown>) {
      if (kind === 'sqlite') await sql`create index if not exists subjects_name_time on subjects (name, time)`.execute(db)
    },
  }
}
