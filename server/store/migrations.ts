import type { Kysely, Migration, MigrationProvider } from 'kysely'
import { logMigration } from './migrations/0002-log'
import { reverifyMigration } from './migrations/0005-reverify'
import { formats } from './migrations/0003-formats'
import { telemetryMigration } from './migrations/0004-telemetry'
import { exploreMigration } from './migrations/0006-explore'
import { signatureTimesMigration } from './migrations/0007-signature-times'
import { navigationMigration } from './migrations/0008-navigation'
import { alertsMigration } from './migrations/0011-alerts'
import { sbomLinksMigration } from './migrations/0009-sbom-links'
import { deploymentsMigration } from './migrations/0010-deployments'
import { sourcesMigration } from './migrations/0013-sources'
import { gatesMigration } from './migrations/0014-gates'
import { logEvidenceMigration } from './migrations/0017-log-evidence'
import { reportsMigration } from './migrations/0015-reports'
import { lineageMigration } from './migrations/0019-lineage'
import { attestationSubjectsMigration } from './migrations/0020-attestation-subjects'
import { alertsOverviewMigration } from './migrations/0021-alerts'
import { coordinationMigration } from './migrations/0026-coordination'
import { reportFilesMigration } from './migrations/0028-reports'
import { countersMigration } from './migrations/0029-counters'
import { documentIndexesMigration } from './migrations/0032-documents'
import { projectTotalsMigration } from './migrations/0033-projects'
import { deploymentCountsMigration } from './migrations/0038-deployment-counts'
import { sourceEventsMigration } from './migrations/0039-source-events'
import { subjectNameIndexMigration } from './migrations/0040-subject-name-index'
import { occurrenceExpectedMigration } from './migrations/0041-occurrence-expected'
import type { StoreKind } from './db'
import type { Dialect } from './migrations/dialect'

/*
 * Migrations live in code rather than files on disk so the server bundles and starts from anywhere, and
 * one definition serves both dialects: only the column types that differ are chosen per kind.
 * Never edit a migration that has shipped; add the next one.
 */

function initial(kind: StoreKind, t: Dialect): Migration {
  return {
    // The schema builder needs no table types; `unknown` keeps `any` out of our code.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('documents')
        .addColumn('seq', t.int64, (c) =>
          kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedAlwaysAsIdentity(),
        )
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('raw', t.blob, (c) => c.notNull())
        .addColumn('size', t.int64, (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('payload_type', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('failed_check', 'text')
        .addColumn('verification', 'text', (c) => c.notNull())
        .addColumn('ingested_at', t.int64, (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('builds')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('document_id', 'text', (c) => c.notNull().unique().references('documents.id'))
        .addColumn('project', 'text', (c) => c.notNull())
        .addColumn('source_repo', 'text')
        .addColumn('source_commit', 'text')
        .addColumn('builder_id', 'text')
        .addColumn('build_type', 'text')
        .addColumn('invocation_id', 'text')
        .addColumn('predicate_type', 'text')
        .addColumn('statement_type', 'text')
        .addColumn('slsa_version', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('failed_check', 'text')
        .addColumn('started_at', t.int64)
        .addColumn('finished_at', t.int64)
        .addColumn('ingested_at', t.int64, (c) => c.notNull())
        .addColumn('time', t.int64, (c) => c.notNull())
        .addColumn('external_parameters', 'text')
        .addColumn('internal_parameters', 'text')
        .addColumn('resolved_dependencies', 'text', (c) => c.notNull())
        .addColumn('statement', 'text', (c) => c.notNull())
        .execute()

      // Every list query orders by (time desc, id desc) after at most one equality filter, so each
      // filter gets an index that ends in (time, id): the page is then an index range scan, not a sort.
      await db.schema.createIndex('builds_time_id').on('builds').columns(['time desc', 'id desc']).execute()
      await db.schema.createIndex('builds_project_time_id').on('builds').columns(['project', 'time', 'id']).execute()
      await db.schema.createIndex('builds_status_time_id').on('builds').columns(['status', 'time', 'id']).execute()
      await db.schema
        .createIndex('builds_source_repo_time_id')
        .on('builds')
        .columns(['source_repo', 'time', 'id'])
        .execute()

      await db.schema
        .createTable('subjects')
        .addColumn('build_id', 'text', (c) => c.notNull().references('builds.id'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('digest_algorithm', 'text')
        .addColumn('digest_value', 'text')
        .execute()
      // Unique rather than a primary key because an empty digest set is stored with a NULL algorithm.
      await db.schema
        .createIndex('subjects_build_position_algorithm')
        .on('subjects')
        .columns(['build_id', 'position', 'digest_algorithm'])
        .unique()
        .execute()
      await db.schema.createIndex('subjects_digest_value').on('subjects').column('digest_value').execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('subjects').execute()
      await db.schema.dropTable('builds').execute()
      await db.schema.dropTable('documents').execute()
    },
  }
}

export function migrationProvider(kind: StoreKind): MigrationProvider {
  const dialect: Dialect = kind === 'sqlite' ? { blob: 'blob', int64: 'integer' } : { blob: 'bytea', int64: 'bigint' }
  return {
    getMigrations: () =>
      Promise.resolve({
        '0001_initial': initial(kind, dialect),
        '0002_log': logMigration(dialect),
        '0003_formats': formats(kind, dialect),
        '0004_telemetry': telemetryMigration(dialect),
        '0005_reverify': reverifyMigration(dialect),
        '0006_explore': exploreMigration(kind, dialect),
        '0007_signature_times': signatureTimesMigration(dialect),
        '0008_navigation': navigationMigration(kind),
        '0011_alerts': alertsMigration(kind, dialect),
        '0009_sbom_links': sbomLinksMigration(dialect),
        '0010_deployments': deploymentsMigration(dialect),
        '0013_sources': sourcesMigration(dialect),
        '0014_gates': gatesMigration(dialect),
        '0017_log_evidence': logEvidenceMigration(dialect),
        '0015_reports': reportsMigration(dialect),
        '0019_lineage': lineageMigration(kind, dialect),
        '0020_attestation_subjects': attestationSubjectsMigration(),
        '0021_alerts': alertsOverviewMigration(kind, dialect),
        '0026_coordination': coordinationMigration(dialect),
        '0028_reports': reportFilesMigration(dialect),
        '0029_counters': countersMigration(kind, dialect),
        '0032_documents': documentIndexesMigration(kind),
        '0033_projects': projectTotalsMigration(kind, dialect),
        '0038_deployment_counts': deploymentCountsMigration(kind, dialect),
        '0039_source_events': sourceEventsMigration(kind, dialect),
        '0040_subject_name_index': subjectNameIndexMigration(kind),
        '0041_occurrence_expected': occurrenceExpectedMigration,
      }),
  }
}
