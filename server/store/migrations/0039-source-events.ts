import type { Kysely, Migration } from 'kysely'
import type { StoreKind } from '../db'
import type { Dialect } from './dialect'

/**
 * Sources' change feed (issue 13): the registry notifications a source received, kept until a sync has read
 * them. A sync of a source with a change feed reads only what the events since its last sync name, so events
 * are stored durably before the receiver answers: a server that stops between receiving and syncing loses none.
 *
 * - `seq` orders events as received; a source's sync remembers the last `seq` it read (in `source_seen`).
 * - `event_id` is the registry's id of the event: a registry retries a delivery it saw fail, so the same event
 *   may arrive twice and is stored once.
 * New table only: an existing database has no events to backfill.
 */
export function sourceEventsMigration(kind: StoreKind, t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('source_events')
        .addColumn('seq', t.int64, (c) => (kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedAlwaysAsIdentity()))
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('repository', 'text', (c) => c.notNull())
        .addColumn('tag', 'text')
        .addColumn('digest', 'text')
        .addColumn('media_type', 'text')
        .addColumn('received_at', t.int64, (c) => c.notNull())
        .execute()
      await db.schema.createIndex('source_events_event').on('source_events').columns(['source', 'event_id']).unique().execute()
      await db.schema.createIndex('source_events_source_seq').on('source_events').columns(['source', 'seq']).execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('source_events').execute()
    },
  }
}
