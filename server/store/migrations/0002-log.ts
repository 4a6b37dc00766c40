import { sql, type Kysely, type Migration } from 'kysely'
import type { Dialect } from './dialect'

/**
 * The tamper-evident log: every accepted document is a leaf of an RFC 6962 Merkle tree, in the order it was
 * accepted. `log_state` holds the tree's right edge so an append never rereads old entries; `checkpoints`
 * holds every signed tree head, so `npm run verify-log` can say which stretch of the record changed.
 */
export function logMigration(t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('documents').addColumn('log_index', t.int64).execute()
      await db.schema.createIndex('documents_log_index').on('documents').column('log_index').unique().execute()
      await db.schema
        .createTable('log_state')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('size', t.int64, (c) => c.notNull())
        .addColumn('compact_range', 'text', (c) => c.notNull())
        .execute()
      // The one row exists from the start, so concurrent first writers lock it instead of racing to insert it.
      await sql`insert into log_state (id, size, compact_range) values (1, 0, ${'{"size":0,"hashes":[]}'})`.execute(db)
      await db.schema
        .createTable('checkpoints')
        .addColumn('size', t.int64, (c) => c.primaryKey())
        .addColumn('root_hash', 'text', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('created_at', t.int64, (c) => c.notNull())
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('checkpoints').execute()
      await db.schema.dropTable('log_state').execute()
      await db.schema.dropIndex('documents_log_index').execute()
      await db.schema.alterTable('documents').dropColumn('log_index').execute()
    },
  }
}
