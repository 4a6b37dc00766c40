import type { Kysely, Migration } from 'kysely'
import type { Dialect } from './dialect'

/**
 * Scale-out (issue 16): work that must survive a restart and run once across the servers sharing a database.
 *
 * - `jobs`: a durable queue (server/coordination/jobs.ts). A job is due at `run_at`; a server claims it by writing
 *   its own random id to `claimed_by` and a lease end to `claimed_until` (FOR UPDATE SKIP LOCKED on PostgreSQL, so
 *   servers claiming at once never take the same row), and a lease that runs out (its server died) makes the job
 *   due again. Webhook deliveries are the first such
 *   work: a retry waiting for its backoff is a row here, not a timer in one process.
 * - `jobs_due`: what every poll asks, "due jobs of this kind, oldest first", as one index range.
 * - `builds_project_listing`: the projects list (GET /api/v1/projects: per project its build count, newest time and
 *   a repository) read from one index instead of a table row per build. Measured on SQLite with 100,000 builds it
 *   took the list from 2 s (the (project, time, id) index plus a row lookup for source_repo per build) to a scan of
 *   the index alone; it is still one index entry per build, so it grows with the history (bench/postgres.ts).
 */
export function coordinationMigration(t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('run_at', t.int64, (c) => c.notNull())
        .addColumn('claimed_by', 'text')
        .addColumn('claimed_until', t.int64)
        .addColumn('created_at', t.int64, (c) => c.notNull())
        .execute()
      await db.schema.createIndex('jobs_due').on('jobs').columns(['kind', 'run_at']).execute()
      await db.schema.createIndex('builds_project_listing').on('builds').columns(['project', 'time', 'source_repo']).execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('builds_project_listing').ifExists().execute()
      await db.schema.dropTable('jobs').ifExists().execute()
    },
  }
}
