import type { Kysely, Migration } from 'kysely'
import type { StoreKind } from '../db'
import type { Dialect } from './dialect'

/**
 * Alerts and the overview (issue 10), second part.
 *
 * - `deployments_ingested_id`: the deployment rule reads the deployments recorded after its watermark (ingest time,
 *   then id) on every catch-up, and the overview catches up before it answers; without it that was a scan and a
 *   sort of every deployment on each request.
 * - `verdict_changes`: one row each time a stored document's verdict is replaced (re-verification after a trust or
 *   policy change, a Rekor entry that arrives after its bundle). Verdicts change in place, so the document's seq, the
 *   rules' watermark for new documents, does not move; this table's seq is the watermark the rules keep for verdicts,
 *   so the builds whose verdict changed are judged again by whichever server evaluates next.
 */
export function alertsOverviewMigration(kind: StoreKind, t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('deployments_ingested_id').on('deployments').columns(['ingested_at', 'id']).execute()
      await db.schema
        .createTable('verdict_changes')
        .addColumn('seq', t.int64, (c) => (kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedAlwaysAsIdentity()))
        .addColumn('document_id', 'text', (c) => c.notNull())
        .addColumn('changed_at', t.int64, (c) => c.notNull())
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('verdict_changes').execute()
      await db.schema.dropIndex('deployments_ingested_id').execute()
    },
  }
}
