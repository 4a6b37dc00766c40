import type { Kysely, Migration } from 'kysely'
import type { StoreKind } from '../db'
import type { Dialect } from './dialect'

/**
 * Anomaly alerts and their triage (issue 10).
 *
 * - `alerts`: one row per (project, rule, cause), the id derived from the three (domain/alerts/rules.ts). The queue
 *   is sorted by severity (`severity_weight`, 3 for critical down to 0 for low, so every order is descending) then last seen, or by last seen alone; each order has an
 *   index ending in `id` so a page is an index range, with and without a state filter. `waiver_expires_at` finds the
 *   waivers that ran out.
 * - `alert_occurrences`: each build that showed the cause, once (re-evaluating the same build adds nothing).
 * - `alert_history`: every change of state, who made it, when and why; `seq` keeps their order.
 * - `alert_deliveries`: each attempt to deliver the outgoing webhook, with the receiver's answer.
 */
export function alertsMigration(kind: StoreKind, t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project', 'text', (c) => c.notNull())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('cause', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('severity_weight', 'integer', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('evidence', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('waiver', 'text')
        .addColumn('waiver_expires_at', t.int64)
        .addColumn('first_seen', t.int64, (c) => c.notNull())
        .addColumn('last_seen', t.int64, (c) => c.notNull())
        .addColumn('occurrences', 'integer', (c) => c.notNull())
        .addColumn('last_build_id', 'text', (c) => c.notNull())
        .addColumn('updated_at', t.int64, (c) => c.notNull())
        .execute()
      await db.schema.createIndex('alerts_rank').on('alerts').columns(['severity_weight', 'last_seen', 'id']).execute()
      await db.schema.createIndex('alerts_recent').on('alerts').columns(['last_seen', 'id']).execute()
      await db.schema.createIndex('alerts_state_rank').on('alerts').columns(['state', 'severity_weight', 'last_seen', 'id']).execute()
      await db.schema.createIndex('alerts_state_recent').on('alerts').columns(['state', 'last_seen', 'id']).execute()
      await db.schema.createIndex('alerts_project_state').on('alerts').columns(['project', 'state', 'last_seen']).execute()
      await db.schema.createIndex('alerts_rule_state').on('alerts').columns(['rule', 'state', 'last_seen']).execute()
      await db.schema.createIndex('alerts_waiver_expires').on('alerts').column('waiver_expires_at').execute()

      await db.schema
        .createTable('alert_occurrences')
        .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id'))
        .addColumn('build_id', 'text', (c) => c.notNull())
        .addColumn('document_id', 'text', (c) => c.notNull())
        .addColumn('at', t.int64, (c) => c.notNull())
        .addColumn('found', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('alert_occurrences_pk', ['alert_id', 'build_id'])
        .execute()
      await db.schema.createIndex('alert_occurrences_build').on('alert_occurrences').columns(['build_id', 'alert_id']).execute()
      await db.schema.createIndex('alert_occurrences_alert_at').on('alert_occurrences').columns(['alert_id', 'at']).execute()

      await db.schema
        .createTable('alert_history')
        .addColumn('seq', t.int64, (c) => (kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedAlwaysAsIdentity()))
        .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id'))
        .addColumn('at', t.int64, (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('from_state', 'text')
        .addColumn('to_state', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .execute()
      await db.schema.createIndex('alert_history_alert').on('alert_history').columns(['alert_id', 'seq']).execute()

      await db.schema
        .createTable('alert_deliveries')
        .addColumn('seq', t.int64, (c) => (kind === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedAlwaysAsIdentity()))
        .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id'))
        .addColumn('at', t.int64, (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('status', 'integer')
        .addColumn('ok', 'integer', (c) => c.notNull())
        .addColumn('response', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('alert_deliveries_alert').on('alert_deliveries').columns(['alert_id', 'seq']).execute()
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['alert_deliveries', 'alert_history', 'alert_occurrences', 'alerts']) await db.schema.dropTable(table).ifExists().execute()
    },
  }
}
