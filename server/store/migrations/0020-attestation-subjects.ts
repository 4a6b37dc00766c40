import type { Kysely, Migration } from 'kysely'
import { attestationSubjectRows } from '../../documents/attestation-index'

/**
 * Verification summaries and test results found by the artifacts they are about (issue 17: gate requirements,
 * VSA nodes in the lineage):
 *
 * - `attestation_subjects`: one row for each digest in the subject of a VSA (`kind` `vsa`) or an in-toto test-result
 *   attestation (`kind` `test-result`), so "the VSAs of this artifact" is one index range instead of a scan of
 *   every VSA's subjects JSON. Written by ingest beside the facts (server/documents/facts-store.ts).
 * - `test_results`: the facts of an in-toto test-result predicate (https://in-toto.io/attestation/test-result/v0.1):
 *   its result, the link to its run, and how many tests passed, warned and failed.
 *
 * VSAs stored before are indexed from the subjects their `vsas` row kept. Test-result documents stored before were
 * kept as documents without facts; their facts are only in their stored bytes and are not re-read here.
 */
export function attestationSubjectsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('attestation_subjects')
        .addColumn('document_id', 'text', (c) => c.notNull().references('documents.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('digest_algorithm', 'text', (c) => c.notNull())
        .addColumn('digest_value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('attestation_subjects_pk', ['document_id', 'digest_algorithm', 'digest_value'])
        .execute()
      await db.schema.createIndex('attestation_subjects_digest').on('attestation_subjects').columns(['digest_value', 'digest_algorithm', 'kind']).execute()

      await db.schema
        .createTable('test_results')
        .addColumn('document_id', 'text', (c) => c.primaryKey().references('documents.id'))
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('url', 'text')
        .addColumn('configuration', 'text', (c) => c.notNull())
        .addColumn('passed_count', 'integer', (c) => c.notNull())
        .addColumn('warned_count', 'integer', (c) => c.notNull())
        .addColumn('failed_count', 'integer', (c) => c.notNull())
        .addColumn('failed_tests', 'text', (c) => c.notNull())
        .addColumn('subjects', 'text', (c) => c.notNull())
        .execute()

      // Backfill from the subjects each VSA row kept, a page at a time so a large store is never read at once.
      const typed = db as unknown as Kysely<BackfillDatabase>
      let after = ''
      for (;;) {
        const page = await typed.selectFrom('vsas').select(['document_id', 'subjects']).where('document_id', '>', after).orderBy('document_id').limit(500).execute()
        const last = page.at(-1)
        if (last === undefined) break
        after = last.document_id
        const rows = page.flatMap((row) => attestationSubjectRows(row.document_id, 'vsa', parseSubjects(row.subjects)))
        for (let start = 0; start < rows.length; start += 500) {
          await typed
            .insertInto('attestation_subjects')
            .values(rows.slice(start, start + 500))
            .onConflict((oc) => oc.columns(['document_id', 'digest_algorithm', 'digest_value']).doNothing())
            .execute()
        }
      }
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('test_results').execute()
      await db.schema.dropTable('attestation_subjects').execute()
    },
  }
}

/** The stored subjects JSON as a value; text that does not parse indexes nothing rather than failing the migration. */
function parseSubjects(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return []
  }
}

/** The tables as this migration reads and writes them, frozen here: later migrations may change them. */
type BackfillDatabase = {
  vsas: { document_id: string; subjects: string }
  attestation_subjects: { document_id: string; kind: string; digest_algorithm: string; digest_value: string }
}
