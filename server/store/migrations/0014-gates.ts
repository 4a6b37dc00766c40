import type { Kysely, Migration } from 'kysely'
import type { Dialect } from './dialect'

/**
 * Recorded gate decisions (issue 17).
 *
 * - `gate_decisions`: one row per answered POST /api/v1/gate: when, who asked (token name), the policy, the target
 *   environment and the answer; `artifacts` is the JSON of every artifact's decision and reasons, as answered.
 *   Listed newest first, a page an index range on (decided_at, id).
 * - `gate_decision_artifacts`: each artifact of a decision with its project, time copied in, so "decisions about
 *   this digest" and "about this project" are index ranges too.
 */
export function gatesMigration(t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('gate_decisions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('decided_at', t.int64, (c) => c.notNull())
        .addColumn('asked_by', 'text', (c) => c.notNull())
        .addColumn('policy', 'text', (c) => c.notNull())
        .addColumn('environment', 'text')
        .addColumn('decision', 'text', (c) => c.notNull())
        .addColumn('artifacts', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('gate_decisions_recent').on('gate_decisions').columns(['decided_at', 'id']).execute()

      await db.schema
        .createTable('gate_decision_artifacts')
        .addColumn('decision_id', 'text', (c) => c.notNull().references('gate_decisions.id'))
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('project', 'text')
        .addColumn('decided_at', t.int64, (c) => c.notNull())
        .addPrimaryKeyConstraint('gate_decision_artifacts_pk', ['decision_id', 'digest'])
        .execute()
      await db.schema.createIndex('gate_decision_artifacts_digest').on('gate_decision_artifacts').columns(['digest', 'decided_at', 'decision_id']).execute()
      await db.schema.createIndex('gate_decision_artifacts_project').on('gate_decision_artifacts').columns(['project', 'decided_at', 'decision_id']).execute()
    },
  }
}
