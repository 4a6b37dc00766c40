import type { Db } from '../store/db'

/*
 * Migration 0038's counters: deployments per environment, service, way of recording and signature status, kept by
 * triggers as deployments arrive and as their attestations are re-verified. Lists that count an environment's
 * deployments read these few rows instead of one index entry per deployment ever recorded.
 */

/** Read only here and by the lineage reader, so typed here rather than in the shared schema. */
export type DeploymentCountsTable = { environment: string; service: string; recorded_by: string; signature: string; deployments: number }

/** The store with the counters' table known to the query builder. */
export const withCounts = (db: Db) => db.withTables<{ deployment_counts: DeploymentCountsTable }>()

/** Deployments per (environment, service), by environment then service: every service each environment has run. */
export async function servicesDeployed(db: Db): Promise<{ environment: string; service: string; deployments: number }[]> {
  const rows = await withCounts(db)
    .selectFrom('deployment_counts')
    .select((eb) => ['environment', 'service', eb.fn.sum<number | string>('deployments').as('deployments')])
    .groupBy(['environment', 'service'])
    .orderBy('environment')
    .orderBy('service')
    .execute()
  return rows.map((row) => ({ environment: row.environment, service: row.service, deployments: Number(row.deployments) })).filter((row) => row.deployments > 0)
}

/** An environment's deployments per way of recording and, for a deployment attestation, its document's status. */
export async function recordsIn(db: Db, environment: string): Promise<{ recordedBy: string; signature: string | null; deployments: number }[]> {
  const rows = await withCounts(db)
    .selectFrom('deployment_counts')
    .select((eb) => ['recorded_by', 'signature', eb.fn.sum<number | string>('deployments').as('deployments')])
    .where('environment', '=', environment)
    .groupBy(['recorded_by', 'signature'])
    .execute()
  // '' stands for "no attestation" only because a key column cannot be null on PostgreSQL.
  return rows.map((row) => ({ recordedBy: row.recorded_by, signature: row.signature === '' ? null : row.signature, deployments: Number(row.deployments) })).filter((row) => row.deployments > 0)
}
