import type { Kysely, Migration } from 'kysely'
import type { Dialect } from './dialect'

/**
 * Report files kept in the database (issue 11), so that any server on the same database serves any report's
 * files, not only the one that made it (whose disk they were on before).
 *
 * - `report_files`: each finished file of a report (report.json, its envelope, CSV, HTML, archive.tar) in chunks of
 *   at most a megabyte, numbered from 0, written a chunk at a time as the file is read and served a chunk at a time,
 *   so neither end holds a whole file.
 * - `reports.preview`: what the Reports screen shows of a finished report (its first rows, counted), so the screen
 *   never downloads the whole report.json to show it. Null for reports made before it; nothing to backfill, since
 *   their files may be on another server's disk.
 */
export function reportFilesMigration(t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('report_files')
        .addColumn('report_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('bytes', t.blob, (c) => c.notNull())
        .addPrimaryKeyConstraint('report_files_pk', ['report_id', 'name', 'seq'])
        .execute()
      await db.schema.alterTable('reports').addColumn('preview', 'text').execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('reports').dropColumn('preview').execute()
      await db.schema.dropTable('report_files').ifExists().execute()
    },
  }
}
