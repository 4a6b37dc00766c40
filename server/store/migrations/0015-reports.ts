import type { Kysely, Migration } from 'kysely'
import type { Dialect } from './dialect'

/**
 * Auditor's reports (issue 11), kept across restarts: one row per report with its scope, "as of", who asked for
 * it (the bearer token's name and scopes), its state and progress, and when done its summary and archive. The
 * archive is the evidence an auditor downloads; everything else about a report is read from its row.
 * `reports_recent` serves the list, newest first, as an index range.
 */
export function reportsMigration(t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('reports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('as_of', t.int64, (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('progress_done', 'integer', (c) => c.notNull())
        .addColumn('progress_total', 'integer', (c) => c.notNull())
        .addColumn('created_at', t.int64, (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_by_scopes', 'text', (c) => c.notNull())
        .addColumn('updated_at', t.int64, (c) => c.notNull())
        .addColumn('summary', 'text')
        .addColumn('files', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('archive', t.blob)
        .execute()
      await db.schema.createIndex('reports_recent').on('reports').columns(['created_at', 'id']).execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('reports').ifExists().execute()
    },
  }
}
