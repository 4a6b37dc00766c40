import { sql, type Kysely, type Migration } from 'kysely'
import { Verification } from '../../../src/contract/common'
import { signerIdentity } from '../../../domain/signer'
import type { Dialect } from './dialect'
import type { StoreKind } from '../db'

/**
 * The explore screens (artifact, signatures, reproducibility, search). Each query they make is an index range
 * scan, and every count they show is an index-only scan:
 *
 * - `documents.signer`: who signed, as the verification says (certificate SAN, else trusted key id, else the
 *   keyid the signature names), kept in a column so the signatures list can filter and count by it.
 * - `documents.project`: the project of the build the document describes, or of its rebuild verdicts, so the
 *   signatures list can filter by project without joining.
 * - Signature indexes end in (ingested_at, id), the list's order, followed by `status`, so the counts by status
 *   for the same filters never read the table; without a time filter the counts come from `signature_counts`,
 *   kept per (project, signer, status) by ingest and re-verification.
 * - `builds.source_commit` for search by commit; subject names (with the build's time, copied onto the subject
 *   row), SBOM purls, signers and digests for search by prefix.
 * - Rebuild verdicts by (project, verdict, time, id) for streaks and the last mismatch, and (project, time,
 *   verdict) so a project's history buckets are counted from the index alone.
 *
 * Existing rows are backfilled here, in pages, so the columns are right from the first request.
 */
export function exploreMigration(kind: StoreKind, t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('documents').addColumn('signer', 'text').execute()
      await db.schema.alterTable('documents').addColumn('project', 'text').execute()
      // The build's time on each subject row, so "the newest artifact named X" is one index seek.
      await db.schema.alterTable('subjects').addColumn('time', t.int64).execute()
      await sql`update subjects set time = (select builds.time from builds where builds.id = subjects.build_id)`.execute(db)

      // Backfill: signer from the stored verification JSON (the same function ingest uses), project from builds
      // first and rebuild verdicts second.
      const typed = db as unknown as Kysely<BackfillDatabase>
      let after = 0
      for (;;) {
        const page = await typed.selectFrom('documents').select(['seq', 'verification']).where('seq', '>', after).orderBy('seq').limit(1000).execute()
        const last = page.at(-1)
        if (last === undefined) break
        after = last.seq
        for (const row of page) {
          const parsed = Verification.safeParse(JSON.parse(row.verification))
          const signer = parsed.success ? signerIdentity(parsed.data) : null
          if (signer !== null) await typed.updateTable('documents').set({ signer }).where('seq', '=', row.seq).execute()
        }
      }
      await sql`update documents set project = (select builds.project from builds where builds.document_id = documents.id)`.execute(db)
      await sql`update documents set project = (select min(rebuilds.project) from rebuilds where rebuilds.document_id = documents.id) where project is null`.execute(db)

      // Counts by status for the signatures screen without a time filter: one row per (project, signer, status),
      // kept by ingest and re-verification, so the counts never scan the documents. '' stands for "none".
      await db.schema
        .createTable('signature_counts')
        .addColumn('project', 'text', (c) => c.notNull())
        .addColumn('signer', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('count', t.int64, (c) => c.notNull())
        .addPrimaryKeyConstraint('signature_counts_pk', ['project', 'signer', 'status'])
        .execute()
      await db.schema.createIndex('signature_counts_signer').on('signature_counts').columns(['signer', 'status']).execute()
      await sql`insert into signature_counts (project, signer, status, count)
        select coalesce(project, ''), coalesce(signer, ''), status, count(*) from documents
        group by coalesce(project, ''), coalesce(signer, ''), status`.execute(db)

      await db.schema.createIndex('documents_time_id_status').on('documents').columns(['ingested_at', 'id', 'status']).execute()
      await db.schema.createIndex('documents_status_time_id').on('documents').columns(['status', 'ingested_at', 'id']).execute()
      await db.schema.createIndex('documents_project_time_id_status').on('documents').columns(['project', 'ingested_at', 'id', 'status']).execute()
      await db.schema.createIndex('documents_signer_time_id_status').on('documents').columns(['signer', 'ingested_at', 'id', 'status']).execute()
      await db.schema
        .createIndex('documents_project_signer_time_id_status')
        .on('documents')
        .columns(['project', 'signer', 'ingested_at', 'id', 'status'])
        .execute()

      await db.schema.createIndex('builds_source_commit').on('builds').columns(['source_commit', 'time', 'id']).execute()

      // Prefix search is a range on bytewise-ordered text: SQLite compares text that way already; on PostgreSQL
      // the queries say COLLATE "C" and these indexes match, whatever the database's collation.
      const c = kind === 'postgres' ? ' collate "C"' : ''
      await sql`create index subjects_name_time on subjects (name${sql.raw(c)}, time)`.execute(db)
      await sql`create index sboms_subject_purl on sboms (subject_purl${sql.raw(c)})`.execute(db)
      await sql`create index documents_signer_prefix on documents (signer${sql.raw(c)})`.execute(db)
      if (kind === 'postgres') {
        await sql`create index subjects_digest_prefix on subjects (digest_value collate "C")`.execute(db)
        await sql`create index sbom_digests_prefix on sbom_digests (digest_value collate "C")`.execute(db)
        await sql`create index rebuilds_artifact_prefix on rebuilds (artifact_digest collate "C")`.execute(db)
      }

      await db.schema.createIndex('rebuilds_project_verdict_time_id').on('rebuilds').columns(['project', 'verdict', 'time', 'id']).execute()
      await db.schema.createIndex('rebuilds_project_time_verdict').on('rebuilds').columns(['project', 'time', 'verdict']).execute()
    },
    async down(db: Kysely<unknown>) {
      for (const name of [
        'rebuilds_project_time_verdict',
        'rebuilds_project_verdict_time_id',
        'documents_signer_prefix',
        'sboms_subject_purl',
        'subjects_name_time',
        'builds_source_commit',
        'documents_project_signer_time_id_status',
        'documents_signer_time_id_status',
        'documents_project_time_id_status',
        'documents_status_time_id',
        'documents_time_id_status',
      ]) {
        await db.schema.dropIndex(name).ifExists().execute()
      }
      if (kind === 'postgres') {
        for (const name of ['subjects_digest_prefix', 'sbom_digests_prefix', 'rebuilds_artifact_prefix']) {
          await db.schema.dropIndex(name).ifExists().execute()
        }
      }
      await db.schema.dropTable('signature_counts').execute()
      await db.schema.alterTable('subjects').dropColumn('time').execute()
      await db.schema.alterTable('documents').dropColumn('project').execute()
      await db.schema.alterTable('documents').dropColumn('signer').execute()
    },
  }
}

/** The columns the backfill touches, as they are at this migration (not as schema.ts may say later). */
type BackfillDatabase = {
  documents: { seq: number; verification: string; signer: string | null }
}
