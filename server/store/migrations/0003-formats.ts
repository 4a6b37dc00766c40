import type { Kysely, Migration } from 'kysely'
import type { Dialect } from './dialect'
import type { StoreKind } from '../db'

/**
 * Facts of the formats beyond SLSA provenance: SBOMs, verification summaries, in-toto links and rebuild
 * verdicts, each row keyed by the document that carried it. JSON is kept as text (as in `builds`), times as
 * milliseconds. Rebuild verdicts are read by artifact digest and by project over time, so both lookups get an
 * index ending in (time, id): a page is an index range scan, as for builds.
 */
export function formats(_kind: StoreKind, t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sboms')
        .addColumn('document_id', 'text', (c) => c.primaryKey().references('documents.id'))
        .addColumn('standard', 'text', (c) => c.notNull())
        .addColumn('spec_version', 'text', (c) => c.notNull())
        .addColumn('serial', 'text')
        .addColumn('subject_name', 'text')
        .addColumn('subject_version', 'text')
        .addColumn('subject_purl', 'text')
        .addColumn('subject_digest', 'text', (c) => c.notNull())
        .addColumn('statement_subjects', 'text', (c) => c.notNull())
        .addColumn('component_count', t.int64, (c) => c.notNull())
        .addColumn('tools', 'text', (c) => c.notNull())
        .addColumn('formulation', 'text')
        .addColumn('ingested_at', t.int64, (c) => c.notNull())
        .execute()
      // Every digest an SBOM is about (its described component's and its in-toto subjects'), one row each, so
      // "the SBOM of this artifact" is an index lookup.
      await db.schema
        .createTable('sbom_digests')
        .addColumn('document_id', 'text', (c) => c.notNull().references('sboms.document_id'))
        .addColumn('digest_algorithm', 'text', (c) => c.notNull())
        .addColumn('digest_value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('sbom_digests_pk', ['document_id', 'digest_algorithm', 'digest_value'])
        .execute()
      await db.schema.createIndex('sbom_digests_value').on('sbom_digests').columns(['digest_value', 'digest_algorithm']).execute()

      await db.schema
        .createTable('vsas')
        .addColumn('document_id', 'text', (c) => c.primaryKey().references('documents.id'))
        .addColumn('vsa_version', 'text', (c) => c.notNull())
        .addColumn('verifier_id', 'text', (c) => c.notNull())
        .addColumn('time_verified', t.int64)
        .addColumn('resource_uri', 'text')
        .addColumn('policy', 'text')
        .addColumn('verification_result', 'text', (c) => c.notNull())
        .addColumn('verified_levels', 'text', (c) => c.notNull())
        .addColumn('input_attestations', 'text', (c) => c.notNull())
        .addColumn('subjects', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('vsas_resource_uri').on('vsas').column('resource_uri').execute()

      await db.schema
        .createTable('links')
        .addColumn('document_id', 'text', (c) => c.primaryKey().references('documents.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('command', 'text', (c) => c.notNull())
        .addColumn('materials', 'text', (c) => c.notNull())
        .addColumn('products', 'text', (c) => c.notNull())
        .addColumn('byproducts', 'text')
        .addColumn('environment', 'text')
        .addColumn('keyids', 'text', (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('rebuilds')
        // SHA-256 of "<document id>:<position>": stable, and the shape the shared (time, id) cursor expects.
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('document_id', 'text', (c) => c.notNull().references('documents.id'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('rebuilder_id', 'text')
        .addColumn('project', 'text', (c) => c.notNull())
        .addColumn('artifact_name', 'text')
        // The artifact's preferred digest (sha256 when given) for the index; every digest is in artifact_digests.
        .addColumn('artifact_algorithm', 'text')
        .addColumn('artifact_digest', 'text')
        .addColumn('artifact_digests', 'text', (c) => c.notNull())
        .addColumn('rebuilt_digests', 'text', (c) => c.notNull())
        .addColumn('verdict', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('started_at', t.int64)
        .addColumn('finished_at', t.int64)
        .addColumn('ingested_at', t.int64, (c) => c.notNull())
        .addColumn('time', t.int64, (c) => c.notNull())
        .addColumn('diffoscope', 'text')
        .addUniqueConstraint('rebuilds_document_position', ['document_id', 'position'])
        .execute()
      await db.schema.createIndex('rebuilds_time_id').on('rebuilds').columns(['time', 'id']).execute()
      await db.schema.createIndex('rebuilds_artifact_time_id').on('rebuilds').columns(['artifact_digest', 'time', 'id']).execute()
      await db.schema.createIndex('rebuilds_project_time_id').on('rebuilds').columns(['project', 'time', 'id']).execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('rebuilds').execute()
      await db.schema.dropTable('links').execute()
      await db.schema.dropTable('vsas').execute()
      await db.schema.dropTable('sbom_digests').execute()
      await db.schema.dropTable('sboms').execute()
    },
  }
}
