import type { Kysely, Selectable } from 'kysely'
import { VerificationStatus } from '../../src/contract/common'
import {
  Deployment,
  DeploymentPage,
  EnvironmentList,
  type DeployedProvenance,
  type DeploymentInput,
  type DeploymentQuery,
  type EnvironmentSummary,
} from '../../src/contract/deployments'
import { canonicalDeployment } from '../../domain/deployment-id'
import { isFlagged, judgeProvenance, serviceOf, type ProvenanceFact, type RebuildFact } from '../../domain/deployment-provenance'
import { decodeCursor, encodeCursor } from '../store/cursor'
import { instant, type Db, type StoreKind } from '../store/db'
import { StoreQueryError } from '../store/errors'
import type { Database, DeploymentsTable } from '../store/schema'
import { servicesDeployed } from './counts'

/*
 * Deployments: stored as posted (or as a signed deployment attestation carried them), read with the provenance
 * of every deployed digest judged from the current verdicts (domain/deployment-provenance.ts), so a deployment
 * is flagged or cleared as its artifacts' evidence is re-verified, without rewriting the deployment.
 */

/** A deployment ready to store: the parsed input and what was derived from it. */
export type DeploymentRecord = {
  id: string
  input: DeploymentInput
  /** The canonical JSON of `input`, kept as the record. */
  canonical: string
  service: string
  project: string | null
  recordedBy: 'api' | 'attestation'
  documentId: string | null
  ingestedAt: number
}

export type DeploymentIngestOutcome = { id: string; created: boolean }

/** A deployment as read, and whether it is what runs now for its service in its environment. */
export type ReadDeployment = { deployment: Deployment; current: boolean }

export interface DeploymentRepository {
  /** Stores a batch in one transaction; a deployment already stored (same id) is left as it was. */
  ingest(records: DeploymentRecord[]): Promise<DeploymentIngestOutcome[]>
  get(id: string): Promise<Deployment | null>
  /** The ids among `ids` that are stored. */
  existing(ids: readonly string[]): Promise<Set<string>>
  list(query: DeploymentQuery): Promise<DeploymentPage>
  environments(): Promise<EnvironmentList>
  /** The project of the newest build listing the digest (`sha256:<hex>`), for a deployment that names none. */
  projectOf(digest: string): Promise<string | null>
}

export function deploymentRepository(db: Db, kind: StoreKind): DeploymentRepository {
  return {
    ingest: (records) =>
      db.transaction().execute(async (trx) => {
        // A deployment adds to its counter row (migration 0038), held until commit on PostgreSQL. Two posts naming
        // the same services in opposite orders, or a post beside a re-verification moving those counts, would wait
        // on each other until one is aborted as a deadlock; taking the log row first, as ingest and re-verification
        // do, orders them all. SQLite has one writer already.
        if (kind === 'postgres') await trx.selectFrom('log_state').select('id').where('id', '=', 1).forUpdate().execute()
        return insertDeployments(trx, records)
      }),
    get: async (id) => {
      const row = await db.selectFrom('deployments').selectAll().where('id', '=', id).executeTakeFirst()
      return row === undefined ? null : ((await readDeployments(db, [row]))[0]?.deployment ?? null)
    },
    existing: async (ids) => {
      if (ids.length === 0) return new Set()
      const rows = await db.selectFrom('deployments').select('id').where('id', 'in', [...ids]).execute()
      return new Set(rows.map((row) => row.id))
    },
    list: (query) => listDeployments(db, query),
    environments: () => listEnvironments(db),
    projectOf: (digest) => projectOf(db, digest),
  }
}

const hexOf = (digest: string) => digest.replace(/^sha256:/, '')

/** The rows of a batch of deployments; used by ingest and by the attestation path inside its own transaction. */
export async function insertDeployments(trx: Kysely<Database>, records: readonly DeploymentRecord[]): Promise<DeploymentIngestOutcome[]> {
  const outcomes: DeploymentIngestOutcome[] = []
  for (const record of records) {
    const { input } = record
    // ON CONFLICT DO NOTHING: a retried post (or a concurrent one) finds the first record and changes nothing.
    const inserted = await trx
      .insertInto('deployments')
      .values({
        id: record.id,
        environment: input.environment.name,
        cluster: input.environment.cluster ?? null,
        namespace: input.environment.namespace ?? null,
        region: input.environment.region ?? null,
        service: record.service,
        project: record.project,
        deployed_at: Date.parse(input.deployedAt),
        system_name: input.system.name,
        run_url: input.system.runUrl ?? null,
        replaces: input.replaces ?? null,
        recorded_by: record.recordedBy,
        document_id: record.documentId,
        ingested_at: record.ingestedAt,
        input: record.canonical,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst()
    if (inserted !== undefined) {
      await trx
        .insertInto('deployment_artifacts')
        .values(
          input.artifacts.map((artifact, position) => ({
            deployment_id: record.id,
            position,
            digest_value: hexOf(artifact.digest),
            name: artifact.name ?? null,
            environment: input.environment.name,
            deployed_at: Date.parse(input.deployedAt),
          })),
        )
        .execute()
    }
    outcomes.push({ id: record.id, created: inserted !== undefined })
  }
  return outcomes
}

/**
 * The deployment a signed deployment attestation records, stored inside the document's ingest transaction. Its id
 * is the document's: the same statement stored twice is one document, so one deployment.
 */
export async function insertAttestedDeployment(trx: Kysely<Database>, document: { id: string; ingestedAt: number }, input: DeploymentInput): Promise<void> {
  const first = input.artifacts[0]
  const project = input.project ?? (first === undefined ? null : await projectOf(trx, first.digest))
  await insertDeployments(trx, [
    {
      id: document.id,
      input,
      canonical: canonicalDeployment(input),
      service: serviceOf(input, project),
      project,
      recordedBy: 'attestation',
      documentId: document.id,
      ingestedAt: document.ingestedAt,
    },
  ])
}

/** The deployments of an artifact (sha256 hex) for its page, newest first. */
export async function artifactDeployments(db: Db, hex: string, limit = 20): Promise<{ environment: string; at: string; id: string; service: string; current: boolean; flagged: boolean }[]> {
  const rows = await db
    .selectFrom('deployments')
    .selectAll()
    .where('id', 'in', db.selectFrom('deployment_artifacts').select('deployment_id').where('digest_value', '=', hex))
    .orderBy('deployed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
  return (await readDeployments(db, rows)).map(({ deployment, current }) => ({
    environment: deployment.environment.name,
    at: deployment.deployedAt,
    id: deployment.id,
    service: deployment.service,
    current,
    flagged: deployment.flagged,
  }))
}

async function projectOf(db: Kysely<Database>, digest: string): Promise<string | null> {
  const row = await db
    .selectFrom('subjects')
    .innerJoin('builds', 'builds.id', 'subjects.build_id')
    .select('builds.project')
    .where('subjects.digest_value', '=', hexOf(digest))
    .where('subjects.digest_algorithm', '=', 'sha256')
    .orderBy('subjects.time', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row?.project ?? null
}

/** The most builds and rebuilds read to judge one batch of digests; far more than any artifact has. */
const MAX_FACT_ROWS = 5000

export type ProvenanceFacts = { builds: (ProvenanceFact & { project: string; name: string })[]; rebuilds: RebuildFact[] }

/** The builds naming each digest (sha256 hex) and the rebuilds of it: what its provenance is judged from. */
export async function provenanceFacts(db: Db, hexes: readonly string[]): Promise<Map<string, ProvenanceFacts>> {
  const facts = new Map<string, ProvenanceFacts>()
  const unique = [...new Set(hexes)]
  for (const hex of unique) facts.set(hex, { builds: [], rebuilds: [] })
  if (unique.length === 0) return facts
  const [builds, rebuilds] = await Promise.all([
    db
      .selectFrom('subjects')
      .innerJoin('builds', 'builds.id', 'subjects.build_id')
      .select(['subjects.digest_value', 'subjects.name', 'builds.id', 'builds.project', 'builds.status', 'builds.failed_check', 'builds.source_repo', 'builds.source_commit', 'builds.time'])
      .where('subjects.digest_algorithm', '=', 'sha256')
      .where('subjects.digest_value', 'in', unique)
      .limit(MAX_FACT_ROWS)
      .execute(),
    db
      .selectFrom('rebuilds')
      .select(['artifact_digest', 'rebuilder_id', 'verdict', 'time'])
      .where('artifact_algorithm', '=', 'sha256')
      .where('artifact_digest', 'in', unique)
      .limit(MAX_FACT_ROWS)
      .execute(),
  ])
  for (const row of builds) {
    facts.get(row.digest_value ?? '')?.builds.push({
      id: row.id,
      project: row.project,
      name: row.name,
      status: VerificationStatus.parse(row.status),
      failedCheck: row.failed_check,
      sourceRepo: row.source_repo,
      sourceCommit: row.source_commit,
      time: row.time,
    })
  }
  for (const row of rebuilds) {
    facts.get(row.artifact_digest ?? '')?.rebuilds.push({ rebuilderId: row.rebuilder_id, verdict: row.verdict === 'mismatch' ? 'mismatch' : 'match', time: row.time })
  }
  return facts
}

/** Judged provenance of each digest (sha256 hex). */
export async function provenanceOf(db: Db, hexes: readonly string[]): Promise<Map<string, DeployedProvenance>> {
  const facts = await provenanceFacts(db, hexes)
  return new Map([...facts.entries()].map(([hex, { builds, rebuilds }]) => [hex, judgeProvenance(builds, rebuilds)]))
}

type DeploymentRow = Selectable<DeploymentsTable>

/** Rows to contract deployments: their artifacts, each artifact's provenance, what replaced them, and whether each runs now. */
export async function readDeployments(db: Db, rows: readonly DeploymentRow[], knownCurrent?: ReadonlySet<string>): Promise<ReadDeployment[]> {
  if (rows.length === 0) return []
  const ids = rows.map((row) => row.id)
  const documentIds = rows.flatMap((row) => (row.document_id === null ? [] : [row.document_id]))
  const [artifactRows, replacing, documents] = await Promise.all([
    db.selectFrom('deployment_artifacts').select(['deployment_id', 'position', 'digest_value', 'name']).where('deployment_id', 'in', ids).orderBy('deployment_id').orderBy('position').execute(),
    db.selectFrom('deployments').select(['id', 'replaces', 'deployed_at']).where('replaces', 'in', ids).orderBy('deployed_at', 'desc').execute(),
    documentIds.length === 0 ? Promise.resolve([]) : db.selectFrom('documents').select(['id', 'status']).where('id', 'in', documentIds).execute(),
  ])
  const provenance = await provenanceOf(db, artifactRows.map((row) => row.digest_value))
  const artifactsOf = new Map<string, typeof artifactRows>()
  for (const row of artifactRows) artifactsOf.set(row.deployment_id, [...(artifactsOf.get(row.deployment_id) ?? []), row])
  const replacedBy = new Map<string, string>()
  for (const row of replacing) if (row.replaces !== null && !replacedBy.has(row.replaces)) replacedBy.set(row.replaces, row.id)
  const signature = new Map(documents.map((row) => [row.id, VerificationStatus.parse(row.status)]))
  // Callers that read the current deployments already know which they are.
  const current = knownCurrent ?? (await currentIds(db, rows))
  return rows.map((row) => {
    const artifacts = (artifactsOf.get(row.id) ?? []).map((artifact) => ({
      digest: `sha256:${artifact.digest_value}`,
      name: artifact.name,
      provenance: provenance.get(artifact.digest_value) ?? judgeProvenance([], []),
    }))
    return {
      current: current.has(row.id),
      deployment: Deployment.parse({
        id: row.id,
        environment: { name: row.environment, cluster: row.cluster, namespace: row.namespace, region: row.region },
        service: row.service,
        project: row.project,
        artifacts,
        deployedAt: instant(row.deployed_at),
        system: { name: row.system_name, runUrl: row.run_url },
        replaces: row.replaces,
        replacedBy: replacedBy.get(row.id) ?? null,
        recordedBy: row.recorded_by === 'attestation' ? 'attestation' : 'api',
        documentId: row.document_id,
        signature: row.document_id === null ? null : (signature.get(row.document_id) ?? null),
        flagged: isFlagged(artifacts.map((artifact) => artifact.provenance)),
        ingestedAt: instant(row.ingested_at),
      }),
    }
  })
}

/** The latest deployment of a service in an environment that no other deployment replaces: what runs there now. */
async function latestOf(db: Db, environment: string, service: string): Promise<DeploymentRow | undefined> {
  return db
    .selectFrom('deployments as d')
    .selectAll('d')
    .where('d.environment', '=', environment)
    .where('d.service', '=', service)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('deployments as r').select('r.id').whereRef('r.replaces', '=', 'd.id'))))
    .orderBy('d.deployed_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(1)
    .executeTakeFirst()
}

async function currentIds(db: Db, rows: readonly DeploymentRow[]): Promise<Set<string>> {
  const pairs = new Map(rows.map((row) => [`${row.environment}\n${row.service}`, { environment: row.environment, service: row.service }]))
  const current = new Set<string>()
  for (const { environment, service } of pairs.values()) {
    const latest = await latestOf(db, environment, service)
    if (latest !== undefined) current.add(latest.id)
  }
  return current
}

function parseInstant(text: string, path: 'from' | 'to'): number {
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) throw new StoreQueryError('invalid-time', `${path} must be an ISO-8601 instant such as 2025-01-31T00:00:00Z`, path)
  return ms
}

/** How many rows a `flagged` filter reads for one page before it answers with what it found and a cursor. */
const FLAGGED_SCAN = 2000

async function listDeployments(db: Db, query: DeploymentQuery): Promise<DeploymentPage> {
  const limit = Math.min(Math.max(Math.trunc(query.limit), 1), 500)
  const from = query.from === undefined ? undefined : parseInstant(query.from, 'from')
  const to = query.to === undefined ? undefined : parseInstant(query.to, 'to')
  let after = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
  const items: Deployment[] = []
  let scanned = 0
  // Without `flagged` one round answers; with it (judged when read, so not in SQL) rounds go on until the page
  // is full or FLAGGED_SCAN rows were read, and the cursor says where the next page resumes.
  for (;;) {
    let select = db.selectFrom('deployments').selectAll()
    if (query.environment !== undefined) select = select.where('environment', '=', query.environment)
    if (query.service !== undefined) select = select.where('service', '=', query.service)
    if (query.project !== undefined) select = select.where('project', '=', query.project)
    if (query.digest !== undefined) {
      const hex = hexOf(query.digest)
      select = select.where('id', 'in', db.selectFrom('deployment_artifacts').select('deployment_id').where('digest_value', '=', hex))
    }
    if (from !== undefined) select = select.where('deployed_at', '>=', from)
    if (to !== undefined) select = select.where('deployed_at', '<', to)
    if (after !== undefined) {
      const { time, id } = after
      select = select.where((eb) => eb(eb.refTuple('deployed_at', 'id'), '<', eb.tuple(time, id)))
    }
    const want = limit - items.length
    const rows = await select.orderBy('deployed_at', 'desc').orderBy('id', 'desc').limit(want + 1).execute()
    const page = rows.slice(0, want)
    scanned += page.length
    const read = await readDeployments(db, page)
    for (const { deployment } of read) if (query.flagged === undefined || deployment.flagged === query.flagged) items.push(deployment)
    const last = page.at(-1)
    const more = rows.length > want
    if (last !== undefined) after = { time: last.deployed_at, id: last.id }
    if (!more) return DeploymentPage.parse({ items, nextCursor: null })
    if (items.length >= limit || scanned >= FLAGGED_SCAN || last === undefined) {
      return DeploymentPage.parse({ items, nextCursor: after === undefined ? null : encodeCursor(after) })
    }
  }
}

/** Per environment, what runs now: the latest unreplaced deployment of each service. */
async function listEnvironments(db: Db): Promise<EnvironmentList> {
  // From the kept counters (migration 0038): a few rows per environment, however many deployments it has had.
  const pairs = await servicesDeployed(db)
  const latest: DeploymentRow[] = []
  const counts = new Map<string, number>()
  for (const pair of pairs) {
    const row = await latestOf(db, pair.environment, pair.service)
    if (row === undefined) continue
    latest.push(row)
    counts.set(row.id, pair.deployments)
  }
  const read = await readDeployments(db, latest, new Set(latest.map((row) => row.id)))
  const byEnvironment = new Map<string, EnvironmentSummary>()
  for (const { deployment } of read) {
    const name = deployment.environment.name
    const summary = byEnvironment.get(name) ?? { name, services: [], flagged: 0, lastDeployedAt: deployment.deployedAt }
    summary.services.push({ service: deployment.service, project: deployment.project, deployment, deployments: counts.get(deployment.id) ?? 1 })
    if (deployment.flagged) summary.flagged++
    if (deployment.deployedAt > summary.lastDeployedAt) summary.lastDeployedAt = deployment.deployedAt
    byEnvironment.set(name, summary)
  }
  return EnvironmentList.parse({ items: [...byEnvironment.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) })
}
