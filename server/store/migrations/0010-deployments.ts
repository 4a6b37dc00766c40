import type { Kysely, Migration } from 'kysely'
import type { Dialect } from './dialect'

/**
 * Deployments and lineage (issue 9): which artifact digests were deployed where, the right-hand end of the
 * lineage graph.
 *
 * - `deployments`: one row a deployment, posted as JSON (its id the SHA-256 of the canonical input, so a retry
 *   is the same row) or recorded by a signed deployment attestation (then `document_id` names it). Whether a
 *   deployed digest has a verified path back to a source commit is judged when read, from the current verdicts,
 *   so a re-verification changes it without touching these rows.
 * - `deployment_artifacts`: one row a deployed digest, carrying the deployment's time and environment so "where
 *   did this digest run" and "what ran here" are each one index range.
 */
export function deploymentsMigration(t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('deployments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('cluster', 'text')
        .addColumn('namespace', 'text')
        .addColumn('region', 'text')
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('project', 'text')
        .addColumn('deployed_at', t.int64, (c) => c.notNull())
        .addColumn('system_name', 'text', (c) => c.notNull())
        .addColumn('run_url', 'text')
        .addColumn('replaces', 'text')
        .addColumn('recorded_by', 'text', (c) => c.notNull())
        .addColumn('document_id', 'text', (c) => c.references('documents.id'))
        .addColumn('ingested_at', t.int64, (c) => c.notNull())
        .addColumn('input', 'text', (c) => c.notNull())
        .execute()
      // Every list orders by (deployed_at desc, id desc) after at most one equality filter.
      await db.schema.createIndex('deployments_time_id').on('deployments').columns(['deployed_at', 'id']).execute()
      await db.schema.createIndex('deployments_environment_time_id').on('deployments').columns(['environment', 'deployed_at', 'id']).execute()
      await db.schema.createIndex('deployments_project_time_id').on('deployments').columns(['project', 'deployed_at', 'id']).execute()
      await db.schema
        .createIndex('deployments_environment_service_time_id')
        .on('deployments')
        .columns(['environment', 'service', 'deployed_at', 'id'])
        .execute()
      await db.schema.createIndex('deployments_service_time_id').on('deployments').columns(['service', 'deployed_at', 'id']).execute()
      await db.schema.createIndex('deployments_replaces').on('deployments').column('replaces').execute()
      await db.schema.createIndex('deployments_document').on('deployments').column('document_id').execute()

      await db.schema
        .createTable('deployment_artifacts')
        .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('digest_value', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('deployed_at', t.int64, (c) => c.notNull())
        .addPrimaryKeyConstraint('deployment_artifacts_pk', ['deployment_id', 'position'])
        .execute()
      await db.schema
        .createIndex('deployment_artifacts_digest_time')
        .on('deployment_artifacts')
        .columns(['digest_value', 'deployed_at', 'deployment_id'])
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('deployment_artifacts').execute()
      await db.schema.dropTable('deployments').execute()
    },
  }
}
