import { sql, type Kysely, type Migration } from 'kysely'
import type { StoreKind } from '../db'

/**
 * Commit-first navigation: the artifacts list and search by short commit or build id prefix, each an index range.
 *
 * - `subjects (time, build_id, position, digest_algorithm)`: the artifacts list, newest build first, keyset paged
 *   by (time, build_id, position); the algorithm last so "sha256 only" is filtered inside the index.
 * - `subjects (name, time, build_id, position, digest_algorithm)`: the same list filtered by one name. (By project
 *   the list walks `builds_project_time_id` and finds each build's subjects by the unique (build_id, position).)
 * - On PostgreSQL, `builds.source_commit` and `builds.id` bytewise (`COLLATE "C"`), so a short commit or id is a
 *   range whatever the database's collation; SQLite compares text bytewise and its existing indexes serve.
 */
export function navigationMigration(kind: StoreKind): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('subjects_time_build_position').on('subjects').columns(['time', 'build_id', 'position', 'digest_algorithm']).execute()
      await db.schema
        .createIndex('subjects_name_time_build_position')
        .on('subjects')
        .columns(['name', 'time', 'build_id', 'position', 'digest_algorithm'])
        .execute()
      if (kind === 'postgres') {
        await sql`create index builds_source_commit_prefix on builds (source_commit collate "C")`.execute(db)
        await sql`create index builds_id_prefix on builds (id collate "C")`.execute(db)
      }
    },
    async down(db: Kysely<unknown>) {
      for (const name of ['subjects_name_time_build_position', 'subjects_time_build_position', 'builds_source_commit_prefix', 'builds_id_prefix']) {
        await db.schema.dropIndex(name).ifExists().execute()
      }
    },
  }
}
