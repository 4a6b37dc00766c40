import type { Kysely, Migration } from 'kysely'
import type { Dialect } from './dialect'

/**
 * CI telemetry: pipeline runs and their tasks, from OTLP traces and GitHub webhooks (docs/telemetry.md).
 *
 * `telemetry_spans` keeps every CI span as received (attributes, resource and events as JSON), keyed by
 * (trace_id, span_id): re-sent spans replace themselves, and a trace's run is re-derived from all its stored
 * spans, so the run never depends on how an exporter batched them. `telemetry_runs` / `telemetry_tasks` hold
 * the derived model (and the webhook facts), keyed by `otlp:<traceId>` or `github:<repo>:<runId>:<attempt>`
 * and by `span:<spanId>` or `job:<jobId>`: sending the same thing twice changes nothing.
 */
export function telemetryMigration(t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('telemetry_spans')
        .addColumn('trace_id', 'text', (c) => c.notNull())
        .addColumn('span_id', 'text', (c) => c.notNull())
        .addColumn('parent_span_id', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'integer', (c) => c.notNull())
        // Nanoseconds exceed 2^53; kept as the decimal text OTLP sent.
        .addColumn('start_time_unix_nano', 'text')
        .addColumn('end_time_unix_nano', 'text')
        .addColumn('status_code', 'integer', (c) => c.notNull())
        .addColumn('status_message', 'text')
        .addColumn('attributes', 'text', (c) => c.notNull())
        .addColumn('resource', 'text', (c) => c.notNull())
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('received_at', t.int64, (c) => c.notNull())
        .addPrimaryKeyConstraint('telemetry_spans_pk', ['trace_id', 'span_id'])
        .execute()

      await db.schema
        .createTable('telemetry_runs')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('trace_id', 'text')
        .addColumn('repo', 'text')
        // Lower-cased repo URL: GitHub and GitLab paths are case-insensitive, provenance and CI spell them differently.
        .addColumn('repo_key', 'text')
        .addColumn('commit_sha', 'text')
        .addColumn('ref', 'text')
        .addColumn('run_id', 'text')
        .addColumn('attempt', 'integer')
        .addColumn('name', 'text')
        .addColumn('url', 'text')
        .addColumn('status', 'text')
        .addColumn('result', 'text')
        .addColumn('started_at', t.int64)
        .addColumn('finished_at', t.int64)
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('updated_at', t.int64, (c) => c.notNull())
        .execute()
      // The two lookups a build makes: by run id, and by repository and commit.
      await db.schema.createIndex('telemetry_runs_run_id').on('telemetry_runs').columns(['run_id', 'attempt']).execute()
      await db.schema.createIndex('telemetry_runs_repo_commit').on('telemetry_runs').columns(['repo_key', 'commit_sha']).execute()

      await db.schema
        .createTable('telemetry_tasks')
        .addColumn('run_key', 'text', (c) => c.notNull().references('telemetry_runs.key').onDelete('cascade'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('url', 'text')
        .addColumn('task_run_id', 'text')
        .addColumn('type', 'text')
        .addColumn('status', 'text')
        .addColumn('result', 'text')
        .addColumn('started_at', t.int64)
        .addColumn('finished_at', t.int64)
        .addColumn('queued_ms', t.int64)
        .addColumn('worker', 'text')
        .addColumn('steps', 'text', (c) => c.notNull())
        .addColumn('tools', 'text', (c) => c.notNull())
        .addColumn('hosts', 'text', (c) => c.notNull())
        .addColumn('updated_at', t.int64, (c) => c.notNull())
        .addPrimaryKeyConstraint('telemetry_tasks_pk', ['run_key', 'key'])
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('telemetry_tasks').execute()
      await db.schema.dropTable('telemetry_runs').execute()
      await db.schema.dropTable('telemetry_spans').execute()
    },
  }
}
