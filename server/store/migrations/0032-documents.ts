import { sql, type Kysely, type Migration } from 'kysely'
import type { StoreKind } from '../db'

/**
 * Fewer indexes on `documents`, which every stored document writes once per index (13 on SQLite before this, and
 * the store's largest cost per document after its own row).
 *
 * - Migration 0006's five indexes on `ingested_at` served the signatures list until migration 0007 moved it to
 *   `time` (when a document was signed, else ingested) with five indexes of the same shapes. No query filters or
 *   orders `documents` by `ingested_at` through them since: the few that order by it reach `documents` by id from
 *   another table (the artifact page, lineage, reports), checked with EXPLAIN QUERY PLAN on every screen's query.
 * - On SQLite `documents_signer_prefix` (signer) repeats the start of `documents_signer_signed_time_id_status`
 *   (signer, time, id, status), which serves the search's signer prefix seeks just as well (SQLite compares text
 *   bytewise either way). PostgreSQL keeps it: it is the `collate "C"` one that prefix seeks need there.
 */
export function documentIndexesMigration(kind: StoreKind): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const name of INGESTED_AT_INDEXES) await db.schema.dropIndex(name).ifExists().execute()
      if (kind === 'sqlite') await db.schema.dropIndex('documents_signer_prefix').ifExists().execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.createIndex('documents_time_id_status').on('documents').columns(['ingested_at', 'id', 'status']).execute()
      await db.schema.createIndex('documents_status_time_id').on('documents').columns(['status', 'ingested_at', 'id']).execute()
      await db.schema.createIndex('documents_project_time_id_status').on('documents').columns(['project', 'ingested_at', 'id', 'status']).execute()
      await db.schema.createIndex('documents_signer_time_id_status').on('documents').columns(['signer', 'ingested_at', 'id', 'status']).execute()
      await db.schema
        .createIndex('documents_project_signer_time_id_status')
        .on('documents')
        .columns(['project', 'signer', 'ingested_at', 'id', 'status'])
        .execute()
      if (kind === 'sqlite') await sql`create index documents_signer_prefix on documents (signer)`.execute(db)
    },
  }
}

const INGESTED_AT_INDEXES = [
  'documents_time_id_status',
  'documents_status_time_id',
  'documents_project_time_id_status',
  'documents_signer_time_id_status',
  'documents_project_signer_time_id_status',
] as const
