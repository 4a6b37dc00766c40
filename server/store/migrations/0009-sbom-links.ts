import type { Kysely, Migration } from 'kysely'
import { z } from 'zod'
import { sameBuildTargets } from '../../artifacts/sbom-links'
import type { Dialect } from './dialect'

/**
 * SBOMs linked to the artifacts they describe through the build that wrote them (server/artifacts/sbom-links.ts):
 *
 * - `sboms.file_sha256`: the SHA-256 of the SBOM file, known when it was posted bare (the stored bytes are the
 *   file, so it is the document's id); a build listing that digest as a subject wrote the SBOM. Indexed, so
 *   storing a build finds the SBOMs among its subjects with one seek per subject.
 * - `sbom_digests.build_id`: null where the SBOM names the digest itself; else the build through which it was
 *   linked, so the artifact page can say why.
 * - `sboms.created_at`: when the SBOM says it was made (CycloneDX metadata.timestamp, SPDX creationInfo.created),
 *   the signatures list's time for an SBOM as a build's finish is for its provenance. Not backfilled: only the
 *   stored bytes say it, and existing SBOMs keep their ingest time.
 *
 * Existing bare SBOMs get their file digest, and their links through any build already stored.
 */
export function sbomLinksMigration(t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('sboms').addColumn('file_sha256', 'text').execute()
      await db.schema.alterTable('sboms').addColumn('created_at', t.int64).execute()
      await db.schema.alterTable('sbom_digests').addColumn('build_id', 'text').execute()
      await db.schema.createIndex('sboms_file_sha256').on('sboms').column('file_sha256').execute()

      const typed = db as unknown as Kysely<BackfillDatabase>
      const bare = typed.selectFrom('documents').select('id').where('format', 'in', ['cyclonedx-json', 'spdx-json', 'spdx3-jsonld'])
      await typed.updateTable('sboms').set((eb) => ({ file_sha256: eb.ref('document_id') })).where('document_id', 'in', bare).execute()

      const subjectsOf = z.array(z.object({ name: z.string(), digest: z.record(z.string(), z.string()) }))
      const digestOf = z.record(z.string(), z.string())
      const written = await typed
        .selectFrom('sboms')
        .innerJoin('subjects', (join) => join.onRef('subjects.digest_value', '=', 'sboms.file_sha256').on('subjects.digest_algorithm', '=', 'sha256'))
        .select(['sboms.document_id', 'sboms.file_sha256', 'sboms.subject_name', 'sboms.subject_purl', 'sboms.subject_digest', 'sboms.statement_subjects', 'subjects.build_id'])
        .distinct()
        .execute()
      for (const row of written) {
        if (row.file_sha256 === null) continue
        const rows = await typed.selectFrom('subjects').select(['position', 'name', 'digest_algorithm', 'digest_value']).where('build_id', '=', row.build_id).orderBy('position').execute()
        const byPosition = new Map<number, { name: string; digest: Record<string, string> }>()
        for (const subject of rows) {
          const entry = byPosition.get(subject.position) ?? { name: subject.name, digest: {} }
          if (subject.digest_algorithm !== null && subject.digest_value !== null) entry.digest[subject.digest_algorithm] = subject.digest_value
          byPosition.set(subject.position, entry)
        }
        const description = {
          subject: { name: row.subject_name, purl: row.subject_purl, digest: digestOf.catch({}).parse(JSON.parse(row.subject_digest)) },
          statementSubjects: subjectsOf.catch([]).parse(JSON.parse(row.statement_subjects)),
        }
        for (const target of sameBuildTargets(description, row.file_sha256, [...byPosition.values()])) {
          for (const [algorithm, value] of Object.entries(target.digest)) {
            await typed
              .insertInto('sbom_digests')
              .values({ document_id: row.document_id, digest_algorithm: algorithm, digest_value: value, build_id: row.build_id })
              .onConflict((oc) => oc.columns(['document_id', 'digest_algorithm', 'digest_value']).doNothing())
              .execute()
          }
        }
      }
    },
    async down(db: Kysely<unknown>) {
      const typed = db as unknown as Kysely<BackfillDatabase>
      await typed.deleteFrom('sbom_digests').where('build_id', 'is not', null).execute()
      await db.schema.dropIndex('sboms_file_sha256').execute()
      await db.schema.alterTable('sbom_digests').dropColumn('build_id').execute()
      await db.schema.alterTable('sboms').dropColumn('created_at').execute()
      await db.schema.alterTable('sboms').dropColumn('file_sha256').execute()
    },
  }
}

/** The tables as this migration reads and writes them, frozen here: later migrations may change them. */
type BackfillDatabase = {
  documents: { id: string; format: string }
  sboms: {
    document_id: string
    file_sha256: string | null
    subject_name: string | null
    subject_purl: string | null
    subject_digest: string
    statement_subjects: string
  }
  sbom_digests: { document_id: string; digest_algorithm: string; digest_value: string; build_id: string | null }
  subjects: { build_id: string; position: number; name: string; digest_algorithm: string | null; digest_value: string | null }
}
