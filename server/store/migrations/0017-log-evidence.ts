import type { Kysely, Migration } from 'kysely'
import type { Dialect } from './dialect'

/**
 * Rekor entries posted on their own, linked to the documents whose signatures they record (issue 12,
 * server/ingest/log-evidence.ts).
 *
 * - `log_entries`: each entry of a stored Rekor entry response, keyed by that document and the entry's uuid; `digest`
 *   and `signature_sha256` are what it commits to (null when it cannot be evidence), `tlog_entry` the entry in a
 *   bundle's `tlogEntries[]` form.
 * - `document_log_keys`: for each stored Sigstore bundle, the (digest, signature) pairs an entry recording it would
 *   carry. Both tables are indexed on the pair, so whichever arrives second finds the other with one seek.
 * - `log_entry_links`: each link made, and when: the entry, and the document re-verified with it.
 *
 * Bundles stored before this migration get their keys when the verifier revision changes and every stored document
 * is verified again (server/documents/reverify.ts).
 */
export function logEvidenceMigration(t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('log_entries')
        .addColumn('document_id', 'text', (c) => c.notNull().references('documents.id'))
        .addColumn('uuid', 'text', (c) => c.notNull())
        .addColumn('log_index', 'text', (c) => c.notNull())
        .addColumn('digest', 'text')
        .addColumn('signature_sha256', 'text')
        .addColumn('tlog_entry', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('log_entries_pk', ['document_id', 'uuid'])
        .execute()
      await db.schema.createIndex('log_entries_key').on('log_entries').columns(['digest', 'signature_sha256']).execute()

      await db.schema
        .createTable('document_log_keys')
        .addColumn('document_id', 'text', (c) => c.notNull().references('documents.id'))
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('signature_sha256', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('document_log_keys_pk', ['document_id', 'digest', 'signature_sha256'])
        .execute()
      await db.schema.createIndex('document_log_keys_key').on('document_log_keys').columns(['digest', 'signature_sha256']).execute()

      await db.schema
        .createTable('log_entry_links')
        .addColumn('entry_document_id', 'text', (c) => c.notNull().references('documents.id'))
        .addColumn('uuid', 'text', (c) => c.notNull())
        .addColumn('document_id', 'text', (c) => c.notNull().references('documents.id'))
        .addColumn('linked_at', t.int64, (c) => c.notNull())
        .addPrimaryKeyConstraint('log_entry_links_pk', ['entry_document_id', 'uuid', 'document_id'])
        .execute()
      await db.schema.createIndex('log_entry_links_document').on('log_entry_links').column('document_id').execute()
    },
  }
}
