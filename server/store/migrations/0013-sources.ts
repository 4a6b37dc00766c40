import type { Kysely, Migration } from 'kysely'
import type { Dialect } from './dialect'

/**
 * Sources (issue 13): the sync state of each configured registry or CI system, and what each has already seen.
 *
 * - `source_state`: one row a source name: last and next sync, failures in a row (for backoff) and the newest
 *   run as JSON (progress, errors with URL and status). Secrets are never stored.
 * - `source_seen`: the cursor of an incremental sync, one row per thing seen (a tag's manifest digest, an image's
 *   referrers, a package version's integrity, an ETag). A row is written only after everything it stands for is
 *   stored, so a sync killed half way re-reads what it had not finished and skips what it had.
 * - `source_documents`: which source a stored document came from and where (the URL), and the subject it was
 *   found under (an image digest, a tarball integrity), so "where did this evidence come from" has an answer;
 *   a source's totals are counted from it, so they stay exact even when a sync is killed half way.
 */
export function sourcesMigration(t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('source_state')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('last_sync_at', t.int64)
        .addColumn('last_success_at', t.int64)
        .addColumn('next_sync_at', t.int64)
        .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_run', 'text')
        .execute()
      await db.schema
        .createTable('source_seen')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('seen_at', t.int64, (c) => c.notNull())
        .addPrimaryKeyConstraint('source_seen_pk', ['source', 'key'])
        .execute()
      await db.schema
        .createTable('source_documents')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('document_id', 'text', (c) => c.notNull().references('documents.id'))
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        // 1 when this source's pull stored the document first (it was new to the store), else 0.
        .addColumn('created', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('first_seen_at', t.int64, (c) => c.notNull())
        .addPrimaryKeyConstraint('source_documents_pk', ['source', 'document_id'])
        .execute()
      await db.schema.createIndex('source_documents_document').on('source_documents').column('document_id').execute()
      await db.schema.createIndex('source_documents_subject').on('source_documents').column('subject').execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('source_documents').execute()
      await db.schema.dropTable('source_seen').execute()
      await db.schema.dropTable('source_state').execute()
    },
  }
}
