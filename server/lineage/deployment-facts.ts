import type { Selectable } from 'kysely'
import { VerificationStatus } from '../../src/contract/common'
import { deploymentRecord, type Judged } from '../../domain/lineage-edges'
import { deploymentFact, type DeploymentFact, type EnvironmentFact, type Members } from '../../domain/lineage-walk'
import { recordsIn, withCounts } from '../deployments/counts'
import { readDeployments } from '../deployments/store'
import type { Db } from '../store/db'
import type { DeploymentsTable } from '../store/schema'
import { coalesce, membersLoader } from './batch'
import { hexOf, membersByKey, noStates, tally } from './members'

/*
 * The lineage reader's questions about deployments: by id, naming a digest on deployment_artifacts(digest_value,
 * deployed_at), in an environment on (environment, deployed_at, id) and counted from migration 0038's counters, and
 * what runs in an environment now.
 */

type DeploymentRow = Selectable<DeploymentsTable>

export function deploymentLoaders(db: Db) {
  /**
   * Each service's current deployment in an environment, in one statement (the newest not replaced, one index
   * seek a service), asked once per environment a request meets: deployments listed from one environment or a
   * few need no query per service to say which of them run now.
   */
  const currents = new Map<string, Promise<{ services: number; ids: Set<string> }>>()
  const currentIn = (environment: string) => {
    let found = currents.get(environment)
    if (found === undefined) {
      const counted = withCounts(db)
      // The services from the kept counters (migration 0038), not from the environment's every deployment.
      found = counted
        .selectFrom(counted.selectFrom('deployment_counts').select('service').where('environment', '=', environment).groupBy('service').as('services'))
        .select((eb) => [
          'services.service',
          eb
            .selectFrom('deployments as d')
            .select('d.id')
            .where('d.environment', '=', environment)
            .whereRef('d.service', '=', 'services.service')
            .where((inner) => inner.not(inner.exists(inner.selectFrom('deployments as r').select('r.id').whereRef('r.replaces', '=', 'd.id'))))
            .orderBy('d.deployed_at', 'desc')
            .orderBy('d.id', 'desc')
            .limit(1)
            .as('id'),
        ])
        .execute()
        .then((rows) => ({ services: rows.length, ids: new Set(rows.flatMap((row) => (row.id === null ? [] : [row.id]))) }))
      currents.set(environment, found)
    }
    return found
  }
  const currentOf = async (rows: readonly { environment: string }[]): Promise<Set<string>> => {
    const ids = new Set<string>()
    const answers = await Promise.all([...new Set(rows.map((row) => row.environment))].map(currentIn))
    for (const answer of answers) for (const id of answer.ids) ids.add(id)
    return ids
  }
  const deploymentFacts = async (rows: readonly DeploymentRow[]): Promise<DeploymentFact[]> => (await readDeployments(db, rows, await currentOf(rows))).map(deploymentFact)

  /** Deployment records judged per (record kind, attestation status): the states of a count. */
  const judgedDeployment = (recordedBy: string, status: string | null): Judged =>
    deploymentRecord({ recordedBy: recordedBy === 'attestation' ? 'attestation' : 'api', signature: status === null ? null : VerificationStatus.parse(status) })

  const deploymentsOf = membersLoader<DeploymentFact>((asks) =>
    membersByKey(asks, {
      counts: async (keys) =>
        (
          await db
            .selectFrom('deployment_artifacts')
            .innerJoin('deployments', 'deployments.id', 'deployment_artifacts.deployment_id')
            .leftJoin('documents', 'documents.id', 'deployments.document_id')
            .select((eb) => ['deployment_artifacts.digest_value', 'deployments.recorded_by', 'documents.status', eb.fn.count<number>('deployments.id').distinct().as('count')])
            .where('deployment_artifacts.digest_value', 'in', keys.map(hexOf))
            .groupBy(['deployment_artifacts.digest_value', 'deployments.recorded_by', 'documents.status'])
            .execute()
        ).map((row) => ({ key: `sha256:${row.digest_value}`, count: row.count, judged: judgedDeployment(row.recorded_by, row.status) })),
      rows: (keys) => deploymentsNaming().where('deployment_artifacts.digest_value', 'in', keys.map(hexOf)).execute(),
      newest: (key, limit) => deploymentsNaming().where('deployment_artifacts.digest_value', '=', hexOf(key)).limit(limit).execute(),
      keyOf: (row) => `sha256:${row.digest_value}`,
      items: (rows) => deploymentFacts(rows),
    }),
  )
  const deploymentsNaming = () =>
    db
      .selectFrom('deployment_artifacts')
      .innerJoin('deployments', 'deployments.id', 'deployment_artifacts.deployment_id')
      .selectAll('deployments')
      .select('deployment_artifacts.digest_value')
      .distinct()
      .orderBy('deployments.deployed_at', 'desc')
      .orderBy('deployments.id', 'desc')

  /**
   * An environment has thousands of deployments: they are counted per kind of record and signature status from the
   * kept counters (migration 0038), and only the newest `limit` are read, along (environment, deployed_at, id).
   */
  const deploymentsIn = async (environment: string, limit: number): Promise<Members<DeploymentFact>> => {
    const base = () => db.selectFrom('deployments').where('deployments.environment', '=', environment)
    const counts = await recordsIn(db, environment)
    const { total, states } = tally(counts.map((row) => ({ key: environment, count: row.deployments, judged: judgedDeployment(row.recordedBy, row.signature) }))).get(environment) ?? { total: 0, states: noStates() }
    if (limit === 0 || total === 0) return { total, items: [], states }
    const rows = await base().selectAll('deployments').orderBy('deployments.deployed_at', 'desc').orderBy('deployments.id', 'desc').limit(limit).execute()
    return { total, items: await deploymentFacts(rows), states }
  }

  const deploymentsById = coalesce<string, DeploymentFact | null>(async (ids) => {
    const rows = await db.selectFrom('deployments').selectAll().where('id', 'in', [...ids]).execute()
    const found = new Map((await deploymentFacts(rows)).map((fact) => [fact.id, fact]))
    return ids.map((id) => found.get(id) ?? null)
  }, String)

  const environment = async (name: string): Promise<EnvironmentFact | null> => {
    const current = await currentIn(name)
    if (current.services === 0) return null
    const ids = [...current.ids]
    const latest = ids.length === 0 ? [] : await db.selectFrom('deployments').selectAll().where('id', 'in', ids).execute()
    const read = await readDeployments(db, latest, current.ids)
    return { name, services: current.services, flagged: read.filter(({ deployment }) => deployment.flagged).length }
  }

  return { deploymentsById, deploymentsOf, deploymentsIn, environment }
}
