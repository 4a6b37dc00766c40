import { sql, type Kysely, type Migration } from 'kysely'
import { Verification } from '../../../src/contract/common'
import { signingTime } from '../../../domain/signing-time'
import type { Dialect } from './dialect'

/**
 * The signatures screen shows and filters by when a document was signed or its build ran, not only when it was
 * ingested (a seeded or backfilled store ingests a year of builds in one minute):
 *
 * - `documents.signed_at`: the time the stored facts give (a transparency log's integrated time, else the
 *   build's finish or start time, else the rebuild's, else a VSA's verification time); null when none does.
 * - `documents.time`: `signed_at`, else `ingested_at`: the time the list is ordered and filtered by, so a page
 *   stays one index range scan. Its indexes mirror migration 0006's, with `time` in place of `ingested_at`.
 *
 * Existing rows are backfilled here from the facts already stored, in pages for the verification JSON.
 */
export function signatureTimesMigration(t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('documents').addColumn('signed_at', t.int64).execute()
      await db.schema.alterTable('documents').addColumn('time', t.int64, (c) => c.notNull().defaultTo(0)).execute()

      const typed = db as unknown as Kysely<BackfillDatabase>
      let after = 0
      for (;;) {
        const page = await typed.selectFrom('documents').select(['seq', 'id', 'verification']).where('seq', '>', after).orderBy('seq').limit(1000).execute()
        const last = page.at(-1)
        if (last === undefined) break
        after = last.seq
        const ids = page.map((row) => row.id)
        const builds = await typed.selectFrom('builds').select(['document_id', 'started_at', 'finished_at']).where('document_id', 'in', ids).execute()
        const rebuilds = await typed.selectFrom('rebuilds').select(['document_id', 'started_at', 'finished_at']).where('document_id', 'in', ids).execute()
        const vsas = await typed.selectFrom('vsas').select(['document_id', 'time_verified']).where('document_id', 'in', ids).execute()
        for (const row of page) {
          const parsed = Verification.safeParse(JSON.parse(row.verification))
          const signedAt = signingTime({
            verification: parsed.success ? parsed.data : null,
            builds: builds.filter((b) => b.document_id === row.id),
            rebuilds: rebuilds.filter((r) => r.document_id === row.id),
            verifiedAt: vsas.find((v) => v.document_id === row.id)?.time_verified ?? null,
          })
          if (signedAt !== null) await typed.updateTable('documents').set({ signed_at: signedAt }).where('seq', '=', row.seq).execute()
        }
      }
      await sql`update documents set time = coalesce(signed_at, ingested_at)`.execute(db)

      await db.schema.createIndex('documents_signed_time_id_status').on('documents').columns(['time', 'id', 'status']).execute()
      await db.schema.createIndex('documents_status_signed_time_id').on('documents').columns(['status', 'time', 'id']).execute()
      await db.schema.createIndex('documents_project_signed_time_id_status').on('documents').columns(['project', 'time', 'id', 'status']).execute()
      await db.schema.createIndex('documents_signer_signed_time_id_status').on('documents').columns(['signer', 'time', 'id', 'status']).execute()
      await db.schema
        .createIndex('documents_project_signer_signed_time_id_status')
        .on('documents')
        .columns(['project', 'signer', 'time', 'id', 'status'])
        .execute()
    },
    async down(db: Kysely<unknown>) {
      for (const name of [
        'documents_project_signer_signed_time_id_status',
        'documents_signer_signed_time_id_status',
        'documents_project_signed_time_id_status',
        'documents_status_signed_time_id',
        'documents_signed_time_id_status',
      ]) {
        await db.schema.dropIndex(name).ifExists().execute()
      }
      await db.schema.alterTable('documents').dropColumn('time').execute()
      await db.schema.alterTable('documents').dropColumn('signed_at').execute()
    },
  }
}

/** The columns the backfill touches, as they are at this migration (not as schema.ts may say later). */
type BackfillDatabase = {
  documents: { seq: number; id: string; verification: string; signed_at: number | null }
  builds: { document_id: string; started_at: number | null; finished_at: number | null }
  rebuilds: { document_id: string; started_at: number | null; finished_at: number | null }
  vsas: { document_id: string; time_verified: number | null }
}
