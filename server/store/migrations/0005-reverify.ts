import type { Kysely, Migration } from 'kysely'
import type { Dialect } from './dialect'

/**
 * Verdicts can be re-run when trust material or policy changes. The document bytes never change; a verdict that
 * does is kept here first, so the record shows what each document was judged before.
 */
export function reverifyMigration(t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('verification_history')
        .addColumn('document_id', 'text', (c) => c.notNull().references('documents.id'))
        .addColumn('replaced_at', t.int64, (c) => c.notNull())
        .addColumn('verification', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('verification_history_document').on('verification_history').column('document_id').execute()
      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('settings').execute()
      await db.schema.dropTable('verification_history').execute()
    },
  }
}
