import { CompiledQuery, type Generated, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely'
import { z } from 'zod'
import {
  Alert,
  AlertDetail,
  AlertEvidence,
  type AlertHistoryEntry,
  AlertPage,
  AlertSubject,
  alertSeverities,
  DEPLOYMENT_RULE,
  UNRESOLVED,
  unresolvedStates,
  Waiver,
  type AlertPatch,
  type AlertQuery,
  type AlertSeverity,
  type AlertStateCounts,
  type WebhookDelivery,
} from '../../src/contract/alerts'
import { mergeFinding, severityWeight, type Occurrence } from '../../domain/alerts/aggregate'
import { alertId, type Finding } from '../../domain/alerts/rules'
import { applyTriage, expireWaiver, type TriageResult } from '../../domain/alerts/triage'
import type { BuildFactsInput, RebuildVerdictFacts } from '../../domain/alerts/facts'
import type { Overview } from '../../src/contract/overview'
import { buildsInOrder, deploymentsOf, factsInputs, pendingWork, rebuildsFor, recentBuildIds, storedKinds, withPipelines, type PendingWork, type StoredKinds } from './evaluation-reads'
import type { HandedBuild } from './handover'
import { binaryChunks, paddedList } from './statement-shapes'
import { shapesOf, type ShapeCache } from './compiled-shapes'
import type { Deployment } from '../../src/contract/deployments'
import { readDeployments } from '../deployments/store'
import { overviewFor } from '../overview/store'
import { instant, parseJson } from '../store/db'
import { StoreQueryError } from '../store/errors'
import type { Database } from '../store/schema'
import { UNSYNCED_COMMIT } from '../store/durable-sqlite'

/* Alerts and their triage (migration 0011), over the store's Kysely handle widened with the alert tables. */

export type AlertsTable = {
  id: string
  project: string
  rule: string
  cause: string
  severity: string
  severity_weight: number
  title: string
  subject: string
  evidence: string
  state: string
  waiver: string | null
  waiver_expires_at: number | null
  first_seen: number
  last_seen: number
  occurrences: number
  last_build_id: string
  updated_at: number
}
export type AlertTables = {
  alerts: AlertsTable
  alert_occurrences: { alert_id: string; build_id: string; document_id: string; at: number; expected: string | null; found: string }
  alert_history: { seq: Generated<number>; alert_id: string; at: number; actor: string; kind: string; from_state: string | null; to_state: string; reason: string | null }
  alert_deliveries: { seq: Generated<number>; alert_id: string; at: number; attempt: number; url: string; status: number | null; ok: number; response: string }
  verdict_changes: { seq: Generated<number>; document_id: string; changed_at: number }
}
type Db = Kysely<Database & AlertTables>

type Trx = Transaction<Database & AlertTables>

const UNSYNCED = CompiledQuery.raw(UNSYNCED_COMMIT)

export type TransitionOutcome = { ok: true; alert: AlertDetail } | Extract<TriageResult, { ok: false }> | { ok: false; status: 404; code: 'not-found'; message: string; path: string }

export interface AlertRepository {
  list(query: AlertQuery): Promise<AlertPage>
  get(id: string): Promise<AlertDetail | null>
  /**
   * Files findings as alerts in one transaction; answers the alerts it created. With `synced: false` the commit does
   * not wait for the disk (PostgreSQL's synchronous_commit off; ../store/durable-sqlite.ts): for findings filed with
   * the position that covers them, which a crash can only set back to be judged again.
   */
  record(items: readonly { finding: Finding; occurrence: Occurrence }[], now: number, settings?: Readonly<Record<string, string>>, options?: { synced: boolean }): Promise<Alert[]>
  /** A person's change of state, checked by the triage rules; nothing changes when it is refused. */
  transition(id: string, patch: AlertPatch, actor: string, now: number): Promise<TransitionOutcome>
  /** Reopens every alert whose waiver has ended by `now`; answers how many. */
  expireWaivers(now: number): Promise<number>
  /** After re-evaluating everything: open or acknowledged alerts no build shows any more are resolved by the rules. */
  clearAbsent(seen: ReadonlySet<string>, reason: string, now: number): Promise<number>
  recordDelivery(alertId: string, delivery: WebhookDelivery): Promise<void>
  /** Open (not acknowledged, resolved or waived) alerts by severity, for the overview. */
  openBySeverity(): Promise<Record<AlertSeverity, number>>
  /** The overview's figures for whole UTC days ending with `day` (server/overview/store.ts). */
  overview(day: string, now: number): Promise<Overview>
  /** Several evaluation marks from the settings table in one read (null where unset). */
  marks<K extends string>(keys: readonly K[]): Promise<Record<K, string | null>>
  /** What evaluation reads: work since the watermarks, rebuild verdicts, baseline windows, every build in order. */
  pending(seq: number, telemetry: number, limit: number, verdictsAfter?: number): Promise<PendingWork>
  /** Whether any rebuild verdict, CI telemetry run or deployment is stored (./evaluation-reads.ts). */
  storedKinds(): Promise<StoredKinds>
  rebuildsFor(digests: readonly string[]): Promise<RebuildVerdictFacts[]>
  /** What the rules read of many builds at once: a few queries a batch instead of a build page each. */
  factsInputs(ids: readonly string[], telemetry?: boolean): Promise<(BuildFactsInput & { sourceCommit: string | null })[]>
  /** Builds ingest handed over (./handover.ts) with the CI telemetry matched to them, read now. */
  withPipelines(builds: readonly HandedBuild[]): Promise<(BuildFactsInput & { sourceCommit: string | null })[]>
  recentBuildIds(project: string, before: { time: number; id: string }, limit: number): Promise<string[]>
  buildsInOrder(after: { time: number; id: string } | null, limit: number): Promise<{ id: string; time: number }[]>
  /** Deployments recorded after the mark (ingest time, then id), oldest first: what the deployment rule has not seen. */
  deploymentsSince(after: { at: number; id: string } | null, limit: number): Promise<{ id: string; at: number }[]>
  /** Deployments whose provenance may have changed with the documents stored in (fromSeq, toSeq]: their own attestation, or a build naming a digest they deployed. */
  deploymentsTouched(fromSeq: number, toSeq: number): Promise<string[]>
  /**
   * What the deployment rule reads: the deployments as GET /api/v1/deployments answers them (provenance judged),
   * the project recorded for each service (for a deployment that names none) and the provenance documents of the builds they cite.
   */
  deploymentFacts(ids: readonly string[]): Promise<{ deployments: Deployment[]; projects: Map<string, string>; documents: Map<string, string> }>
  /**
   * What the environments' verdicts depend on, in three index lookups: the newest document, verdict change and
   * deployment. Equal answers mean the environments read before are still what a read now would find.
   */
  environmentsMark(): Promise<string>
  /** Documents whose verdict was replaced after the `after` mark (migration 0021), their builds, and the new mark. */
  verdictChanges(after: number, limit: number): Promise<{ seq: number; documentIds: string[]; buildIds: string[] }>
  /** Deployments whose provenance rests on these documents: their own attestation, or a build of theirs naming a digest they deployed. */
  deploymentsCiting(documentIds: readonly string[]): Promise<string[]>
  /**
   * After builds were judged again under a changed verdict: their occurrences of the verdict rules' alerts that they no
   * longer show are taken back, and an alert left with none is resolved by the rules with `reasonFor(build)`.
   * Answers the ids of the alerts it resolved.
   */
  withdraw(shown: ReadonlyMap<string, ReadonlySet<string>>, isVerdictCause: (rule: string, cause: string) => boolean, reasonFor: (buildId: string) => string, now: number): Promise<string[]>
  /** Resolves, by the rules, the deployment alerts that are not in `active` (nothing unverified runs for their cause any more). */
  clearDeploymentAlerts(active: ReadonlySet<string>, reasonFor: (cause: string) => string, now: number): Promise<number>
}

export function alertRepository(base: Kysely<Database>): AlertRepository {
  const db: Db = base.withTables<AlertTables>()
  // Keyed by the store's own handle: the shapes live as long as the store.
  const shape = shapesOf(base)
  return {
    list: (query) => listAlerts(db, query),
    get: (id) => getAlert(db, id),
    // The evaluation's watermarks are written in the same transaction: one commit (one fsync) per evaluated batch.
    record: (items, now, settings = {}, options = { synced: true }) => {
      const marks = Object.entries(settings).map(([key, value]) => ({ key, value }))
      if (items.length === 0 && marks.length === 0) return Promise.resolve([])
      return db.transaction().execute(async (trx) => {
        if (!options.synced) await trx.executeQuery(UNSYNCED)
        const created = await recordFindings(db, trx, shape, items, now)
        // Every mark in one statement.
        if (marks.length > 0) {
          const upsert = shape(`marks upsert ${marks.length}`, (slot) =>
            db
              .insertInto('settings')
              .values(marks.map((_, index) => ({ key: slot<string>(2 * index), value: slot<string>(2 * index + 1) })))
              .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value') }))),
          )
          await trx.executeQuery(upsert.bind(marks.flatMap((mark) => [mark.key, mark.value])))
        }
        return created
      })
    },
    transition: (id, patch, actor, now) => db.transaction().execute((trx) => transition(trx, id, patch, actor, now)),
    expireWaivers: (now) => expireWaivers(db, shape, now),
    clearAbsent: (seen, reason, now) => clearAbsent(db, seen, reason, now),
    recordDelivery: async (alertId, delivery) => {
      await db
        .insertInto('alert_deliveries')
        .values({ alert_id: alertId, at: Date.parse(delivery.at), attempt: delivery.attempt, url: delivery.url, status: delivery.status, ok: delivery.ok ? 1 : 0, response: delivery.response })
        .execute()
    },
    overview: async (day, now) => overviewFor(base, day, await openBySeverity(db), now),
    marks: async <K extends string>(keys: readonly K[]) => {
      const select = shape(`marks ${keys.length}`, (slot) => base.selectFrom('settings').select(['key', 'value']).where('key', 'in', keys.map((_, index) => slot<string>(index))))
      const { rows } = await base.executeQuery<{ key: string; value: string }>(select.bind(keys))
      const found = new Map(rows.map((row) => [row.key, row.value]))
      return Object.fromEntries(keys.map((key) => [key, found.get(key) ?? null])) as Record<K, string | null>
    },
    pending: (seq, telemetry, limit, verdictsAfter) => pendingWork(base, seq, telemetry, limit, verdictsAfter ?? null),
    storedKinds: () => storedKinds(base),
    rebuildsFor: (digests) => rebuildsFor(base, digests),
    factsInputs: (ids, telemetry) => factsInputs(base, ids, telemetry),
    withPipelines: (builds) => withPipelines(base, builds),
    recentBuildIds: (project, before, limit) => recentBuildIds(base, project, before, limit),
    buildsInOrder: (after, limit) => buildsInOrder(base, after, limit),
    openBySeverity: () => openBySeverity(db),
    deploymentsSince: async (after, limit) => {
      const page = (from: { at: number; id: string } | null, size: number) => {
        const select = base.selectFrom('deployments').select(['id', 'ingested_at'])
        return (from === null ? select : select.where((eb) => eb(eb.refTuple('ingested_at', 'id'), '>', eb.tuple(from.at, from.id)))).orderBy('ingested_at').orderBy('id').limit(size)
      }
      const { rows } = await base.executeQuery<{ id: string; ingested_at: number }>(
        after === null
          ? shape('deployments since the start', (slot) => page(null, slot(0))).bind([limit])
          : shape('deployments since a mark', (slot) => page({ at: slot(0), id: slot(1) }, slot(2))).bind([after.at, after.id, limit]),
      )
      return rows.map((row) => ({ id: row.id, at: row.ingested_at }))
    },
    deploymentsTouched: (fromSeq, toSeq) => deploymentsOf(base, base.selectFrom('documents').select('id').where('seq', '>', fromSeq).where('seq', '<=', toSeq)),
    deploymentsCiting: async (documentIds) => {
      const out = new Set<string>()
      for (let offset = 0; offset < documentIds.length; offset += 500) {
        for (const id of await deploymentsOf(base, base.selectFrom('documents').select('id').where('id', 'in', documentIds.slice(offset, offset + 500)))) out.add(id)
      }
      return [...out]
    },
    environmentsMark: async () => {
      const document = await base.selectFrom('documents').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst()
      const verdict = await db.selectFrom('verdict_changes').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst()
      const deployment = await base.selectFrom('deployments').select(['ingested_at', 'id']).orderBy('ingested_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst()
      return `${document?.seq ?? 0}:${verdict?.seq ?? 0}:${deployment?.ingested_at ?? 0}:${deployment?.id ?? ''}`
    },
    verdictChanges: async (after, limit) => {
      const select = shape('verdict changes', (slot) => db.selectFrom('verdict_changes').select(['seq', 'document_id']).where('seq', '>', slot<number>(0)).orderBy('seq').limit(slot<number>(1)))
      const { rows } = await db.executeQuery<{ seq: number; document_id: string }>(select.bind([after, limit]))
      const documentIds = [...new Set(rows.map((row) => row.document_id))]
      const buildIds: string[] = []
      for (let offset = 0; offset < documentIds.length; offset += 500) {
        for (const row of await base.selectFrom('builds').select('id').where('document_id', 'in', documentIds.slice(offset, offset + 500)).execute()) buildIds.push(row.id)
      }
      return { seq: Number(rows.at(-1)?.seq ?? after), documentIds, buildIds }
    },
    withdraw: (shown, isVerdictCause, reasonFor, now) => withdraw(db, shown, isVerdictCause, reasonFor, now),
    deploymentFacts: async (ids) => {
      const deployments: Deployment[] = []
      for (let offset = 0; offset < ids.length; offset += 500) {
        const rows = await base.selectFrom('deployments').selectAll().where('id', 'in', ids.slice(offset, offset + 500)).execute()
        deployments.push(...(await readDeployments(base, rows)).map((read) => read.deployment))
      }
      const projects = new Map<string, string>()
      for (const service of new Set(deployments.filter((deployment) => deployment.project === null).map((deployment) => deployment.service))) {
        const row = await base.selectFrom('deployments').select('project').where('service', '=', service).where('project', 'is not', null).orderBy('deployed_at', 'desc').limit(1).executeTakeFirst()
        if (row?.project) projects.set(service, row.project)
      }
      const buildIds = [...new Set(deployments.flatMap((deployment) => deployment.artifacts.flatMap((artifact) => (artifact.provenance.buildId === null ? [] : [artifact.provenance.buildId]))))]
      const documents = new Map<string, string>()
      if (buildIds.length > 0) for (const row of await base.selectFrom('builds').select(['id', 'document_id']).where('id', 'in', buildIds).execute()) documents.set(row.id, row.document_id)
      return { deployments, projects, documents }
    },
    clearDeploymentAlerts: async (active, reasonFor, now) => {
      const rows = await db.selectFrom('alerts').select(['id', 'state', 'cause']).where('rule', '=', DEPLOYMENT_RULE).where('state', 'in', ['open', 'acknowledged', 'waived']).execute()
      const gone = rows.filter((row) => !active.has(row.id))
      for (const row of gone) {
        await db.transaction().execute(async (trx) => {
          await trx.updateTable('alerts').set({ state: 'resolved', waiver: null, waiver_expires_at: null, updated_at: now }).where('id', '=', row.id).execute()
          await addHistory(trx, row.id, [{ at: instant(now), actor: 'rules', kind: 'cleared', from: row.state === 'acknowledged' ? 'acknowledged' : row.state === 'waived' ? 'waived' : 'open', to: 'resolved', reason: reasonFor(row.cause) }])
        })
      }
      return gone.length
    },
  }
}

/** See AlertRepository.withdraw. */
async function withdraw(
  db: Db,
  shown: ReadonlyMap<string, ReadonlySet<string>>,
  isVerdictCause: (rule: string, cause: string) => boolean,
  reasonFor: (buildId: string) => string,
  now: number,
): Promise<string[]> {
  const buildIds = [...shown.keys()]
  const resolved: string[] = []
  for (let offset = 0; offset < buildIds.length; offset += 500) {
    const rows = await db
      .selectFrom('alert_occurrences')
      .innerJoin('alerts', 'alerts.id', 'alert_occurrences.alert_id')
      .select(['alert_occurrences.alert_id', 'alert_occurrences.build_id', 'alerts.rule', 'alerts.cause'])
      .where('alert_occurrences.build_id', 'in', buildIds.slice(offset, offset + 500))
      .execute()
    const gone = rows.filter((row) => isVerdictCause(row.rule, row.cause) && !(shown.get(row.build_id)?.has(row.alert_id) ?? false))
    if (gone.length === 0) continue
    await db.transaction().execute(async (trx) => {
      for (const row of gone) {
        await trx.deleteFrom('alert_occurrences').where('alert_id', '=', row.alert_id).where('build_id', '=', row.build_id).execute()
        const left = await trx.selectFrom('alert_occurrences').select((eb) => eb.fn.countAll<number>().as('count')).where('alert_id', '=', row.alert_id).executeTakeFirst()
        const count = Number(left?.count ?? 0)
        const alert = await trx.selectFrom('alerts').select(['state']).where('id', '=', row.alert_id).executeTakeFirst()
        if (alert === undefined) continue
        const unresolved = alert.state === 'open' || alert.state === 'acknowledged' || alert.state === 'waived'
        await trx
          .updateTable('alerts')
          // The count of occurrences stays: it says how often the cause was seen, and it was seen then.
          .set({ updated_at: now, ...(count === 0 && unresolved ? { state: 'resolved', waiver: null, waiver_expires_at: null } : {}) })
          .where('id', '=', row.alert_id)
          .execute()
        if (count === 0 && unresolved) {
          await addHistory(trx, row.alert_id, [{ at: instant(now), actor: 'rules', kind: 'cleared', from: alert.state === 'acknowledged' ? 'acknowledged' : alert.state === 'waived' ? 'waived' : 'open', to: 'resolved', reason: reasonFor(row.build_id) }])
          resolved.push(row.alert_id)
        }
      }
    })
  }
  return resolved
}

async function openBySeverity(db: Db): Promise<Record<AlertSeverity, number>> {
  // Counted by severity_weight, which the (state, severity_weight, …) index holds: the count never reads a row. By
  // severity, every open alert's row was read (60 ms with 20,000 alerts under load, most of the overview's time).
  const rows = await db.selectFrom('alerts').select((eb) => ['severity_weight', eb.fn.countAll<number>().as('count')]).where('state', '=', 'open').groupBy('severity_weight').execute()
  const counts: Record<AlertSeverity, number> = { critical: 0, high: 0, medium: 0, low: 0 }
  for (const row of rows) {
    const severity = alertSeverities.find((candidate) => severityWeight(candidate) === Number(row.severity_weight))
    if (severity !== undefined) counts[severity] += Number(row.count)
  }
  return counts
}

function toAlert(row: Selectable<AlertsTable>): Alert {
  return Alert.parse({
    id: row.id,
    rule: row.rule,
    severity: row.severity,
    project: row.project,
    cause: row.cause,
    title: row.title,
    subject: AlertSubject.parse(parseJson(row.subject)),
    evidence: AlertEvidence.parse(parseJson(row.evidence)),
    state: row.state,
    waiver: row.waiver === null ? null : Waiver.parse(parseJson(row.waiver)),
    firstSeen: instant(row.first_seen),
    lastSeen: instant(row.last_seen),
    occurrences: row.occurrences,
    updatedAt: instant(row.updated_at),
  })
}

/*
 * Filing reads the same few dozen recurring alerts for every batch ingested, and parsing a row (its subject, evidence
 * and waiver JSON, through the contract's schema) was the costliest part of reading it. A row equal in every column
 * to one parsed before gives the same alert, so that one is used (bounded; alerts are never changed in place).
 */
const PARSED_LIMIT = 5000
const parsed = new Map<string, { row: Selectable<AlertsTable>; alert: Alert }>()
const ALERT_ROW_COLUMNS = ['id', 'project', 'rule', 'cause', 'severity', 'severity_weight', 'title', 'subject', 'evidence', 'state', 'waiver', 'waiver_expires_at', 'first_seen', 'last_seen', 'occurrences', 'last_build_id', 'updated_at'] as const satisfies readonly (keyof AlertsTable)[]
function parsedAlert(row: Selectable<AlertsTable>): Alert {
  const known = parsed.get(row.id)
  if (known !== undefined && ALERT_ROW_COLUMNS.every((column) => known.row[column] === row[column])) return known.alert
  const alert = toAlert(row)
  if (parsed.size >= PARSED_LIMIT) parsed.clear()
  parsed.set(row.id, { row, alert })
  return alert
}

function toRow(alert: Alert, lastBuildId: string): AlertsTable {
  return {
    id: alert.id,
    project: alert.project,
    rule: alert.rule,
    cause: alert.cause,
    severity: alert.severity,
    severity_weight: severityWeight(alert.severity),
    title: alert.title,
    subject: JSON.stringify(alert.subject),
    evidence: JSON.stringify(alert.evidence),
    state: alert.state,
    waiver: alert.waiver === null ? null : JSON.stringify(alert.waiver),
    waiver_expires_at: alert.waiver === null ? null : Date.parse(alert.waiver.expiresAt),
    first_seen: Date.parse(alert.firstSeen),
    last_seen: Date.parse(alert.lastSeen),
    occurrences: alert.occurrences,
    last_build_id: lastBuildId,
    updated_at: Date.parse(alert.updatedAt),
  }
}

const Cursor = z.tuple([z.number().int(), z.number().int(), z.string().regex(/^[0-9a-f]{24}$/)])

function decodeAlertCursor(text: string): z.infer<typeof Cursor> {
  try {
    return Cursor.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')))
  } catch {
    throw new StoreQueryError('invalid-cursor', 'cursor is not one this server issued; drop it to start from the first page', 'cursor')
  }
}

async function listAlerts(db: Db, query: AlertQuery): Promise<AlertPage> {
  let filtered = db.selectFrom('alerts')
  if (query.rule !== undefined) filtered = filtered.where('rule', '=', query.rule)
  if (query.project !== undefined) filtered = filtered.where('project', '=', query.project)
  if (query.severity !== undefined) filtered = filtered.where('severity', '=', query.severity)
  if (query.buildId !== undefined) {
    const buildId = query.buildId
    filtered = filtered.where('id', 'in', (eb) => eb.selectFrom('alert_occurrences').select('alert_id').where('build_id', '=', buildId))
  }
  const countRows = await filtered.select((eb) => ['state', eb.fn.countAll<number>().as('count')]).groupBy('state').execute()
  const counts: AlertStateCounts = { open: 0, acknowledged: 0, resolved: 0, waived: 0 }
  for (const row of countRows) if (row.state in counts) counts[row.state as keyof AlertStateCounts] = Number(row.count)

  let select = filtered.selectAll()
  if (query.state === UNRESOLVED) select = select.where('state', 'in', [...unresolvedStates])
  else if (query.state !== undefined) select = select.where('state', '=', query.state)
  if (query.cursor !== undefined) {
    const [weight, lastSeen, id] = decodeAlertCursor(query.cursor)
    select =
      query.sort === 'severity'
        ? select.where((eb) => eb(eb.refTuple('severity_weight', 'last_seen', 'id'), '<', eb.tuple(weight, lastSeen, id)))
        : select.where((eb) => eb(eb.refTuple('last_seen', 'id'), '<', eb.tuple(lastSeen, id)))
  }
  if (query.sort === 'severity') select = select.orderBy('severity_weight', 'desc')
  const rows = await select.orderBy('last_seen', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute()
  const page = rows.slice(0, query.limit)
  const last = page.at(-1)
  return AlertPage.parse({
    items: page.map(toAlert),
    counts,
    nextCursor: rows.length > query.limit && last ? Buffer.from(JSON.stringify([last.severity_weight, last.last_seen, last.id])).toString('base64url') : null,
  })
}

async function getAlert(db: Db | Trx, id: string): Promise<AlertDetail | null> {
  const row = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst()
  if (row === undefined) return null
  const history = await db.selectFrom('alert_history').selectAll().where('alert_id', '=', id).orderBy('seq').execute()
  const occurrences = await db.selectFrom('alert_occurrences').selectAll().where('alert_id', '=', id).orderBy('at', 'desc').orderBy('build_id', 'desc').limit(50).execute()
  const deliveries = await db.selectFrom('alert_deliveries').selectAll().where('alert_id', '=', id).orderBy('seq').execute()
  return AlertDetail.parse({
    ...toAlert(row),
    history: history.map((entry) => ({ at: instant(entry.at), actor: entry.actor, kind: entry.kind, from: entry.from_state, to: entry.to_state, reason: entry.reason })),
    recentOccurrences: occurrences.map((entry) => ({ buildId: entry.build_id, documentId: entry.document_id, at: instant(entry.at), expected: entry.expected, found: entry.found })),
    deliveries: deliveries.map((entry) => ({ at: instant(entry.at), attempt: entry.attempt, url: entry.url, status: entry.status, ok: entry.ok === 1, response: entry.response })),
  })
}

const historyRows = (alertId: string, entries: readonly AlertHistoryEntry[]): Insertable<AlertTables['alert_history']>[] =>
  entries.map((entry) => ({ alert_id: alertId, at: Date.parse(entry.at), actor: entry.actor, kind: entry.kind, from_state: entry.from, to_state: entry.to, reason: entry.reason }))

async function addHistory(trx: Db | Trx, alertId: string, entries: readonly AlertHistoryEntry[]): Promise<void> {
  if (entries.length === 0) return
  await trx.insertInto('alert_history').values(historyRows(alertId, entries)).execute()
}

/** Rows a chunk, so one statement's parameters stay well under SQLite's and PostgreSQL's limits. */
const CHUNK = 500
/** Every column of an alert but its id: what filing writes over a stored alert. */
const UPSERTED = ['project', 'rule', 'cause', 'severity', 'severity_weight', 'title', 'subject', 'evidence', 'state', 'waiver', 'waiver_expires_at', 'first_seen', 'last_seen', 'occurrences', 'last_build_id', 'updated_at'] as const satisfies readonly Exclude<keyof AlertsTable, 'id'>[]

const ALERT_COLUMNS = ['id', ...UPSERTED] as const satisfies readonly (keyof AlertsTable)[]
type OccurrenceRow = AlertTables['alert_occurrences']
const OCCURRENCE_COLUMNS = ['alert_id', 'build_id', 'document_id', 'at', 'expected', 'found'] as const satisfies readonly (keyof OccurrenceRow)[]
type HistoryRow = Omit<AlertTables['alert_history'], 'seq'>
const HISTORY_COLUMNS = ['alert_id', 'at', 'actor', 'kind', 'from_state', 'to_state', 'reason'] as const satisfies readonly (keyof HistoryRow)[]

/** `count` rows of slots for a multi-row insert's shape: row r's column c in slot r × columns + c. */
function slotRows<R>(count: number, columns: readonly (keyof R & string)[], slot: <T>(index: number) => T): R[] {
  return Array.from({ length: count }, (_, row) => Object.fromEntries(columns.map((column, index) => [column, slot(row * columns.length + index)])) as R)
}
/** The values of `rows` in the slots' order (slotRows). */
function rowValues<R>(rows: readonly R[], columns: readonly (keyof R)[]): unknown[] {
  const values: unknown[] = []
  for (const row of rows) for (const column of columns) values.push(row[column])
  return values
}

/**
 * Files a batch's findings. The alerts and occurrences it touches are read in a few statements first; the findings are
 * merged in memory in order (several of them may share an alert); then each alert is written once, and its new
 * occurrences and history entries in multi-row inserts, history in the order it happened. Evaluation calls this for
 * every batch ingested, and a statement per finding was the larger part of the rules' cost at ingest.
 */
async function recordFindings(db: Db, trx: Trx, shape: ShapeCache, items: readonly { finding: Finding; occurrence: Occurrence }[], now: number): Promise<Alert[]> {
  if (items.length === 0) return []
  const ids = [...new Set(items.map(({ finding }) => alertId(finding.project, finding.rule, finding.cause)))]
  const current = new Map<string, { alert: Alert; lastBuildId: string; changed: boolean }>()
  for (let offset = 0; offset < ids.length; offset += CHUNK) {
    const list = paddedList(ids.slice(offset, offset + CHUNK))
    const select = shape(`alerts by id ${list.length}`, (slot) => db.selectFrom('alerts').selectAll().where('id', 'in', list.map((_, index) => slot<string>(index))))
    for (const row of (await trx.executeQuery<Selectable<AlertsTable>>(select.bind(list))).rows) {
      current.set(row.id, { alert: parsedAlert(row), lastBuildId: row.last_build_id, changed: false })
    }
  }
  const pair = (alert: string, build: string) => `${alert}\n${build}`
  const known = new Set<string>()
  const storedIds = [...current.keys()]
  const buildIds = [...new Set(items.map(({ occurrence }) => occurrence.buildId))]
  for (let offset = 0; offset < storedIds.length; offset += CHUNK) {
    for (let from = 0; from < buildIds.length; from += CHUNK) {
      const alerts = paddedList(storedIds.slice(offset, offset + CHUNK))
      const builds = paddedList(buildIds.slice(from, from + CHUNK))
      const select = shape(`occurrences of ${alerts.length} alerts in ${builds.length} builds`, (slot) =>
        db
          .selectFrom('alert_occurrences')
          .select(['alert_id', 'build_id'])
          .where('alert_id', 'in', alerts.map((_, index) => slot<string>(index)))
          .where('build_id', 'in', builds.map((_, index) => slot<string>(alerts.length + index))),
      )
      const rows = (await trx.executeQuery<{ alert_id: string; build_id: string }>(select.bind([...alerts, ...builds]))).rows
      for (const row of rows) known.add(pair(row.alert_id, row.build_id))
    }
  }
  const created: Alert[] = []
  const occurrences: Insertable<AlertTables['alert_occurrences']>[] = []
  const history: Insertable<AlertTables['alert_history']>[] = []
  const fresh = new Set<string>()
  for (const { finding, occurrence } of items) {
    const id = alertId(finding.project, finding.rule, finding.cause)
    const entry = current.get(id)
    const isNew = !known.has(pair(id, occurrence.buildId))
    if (isNew) {
      known.add(pair(id, occurrence.buildId))
      occurrences.push({ alert_id: id, build_id: occurrence.buildId, document_id: occurrence.documentId, at: occurrence.at, expected: occurrence.expected, found: occurrence.found })
    }
    const merged = mergeFinding(entry?.alert ?? null, finding, occurrence, isNew, now)
    const lastBuildId = merged.alert.lastSeen === entry?.alert.lastSeen ? (entry?.lastBuildId ?? occurrence.buildId) : occurrence.buildId
    if (entry === undefined) {
      fresh.add(id)
      created.push(merged.alert)
    }
    history.push(...historyRows(id, merged.history))
    current.set(id, { alert: merged.alert, lastBuildId, changed: (entry?.changed ?? false) || merged.alert !== entry?.alert })
  }
  // New alerts and changed ones in multi-row upserts: a batch touches the same few dozen recurring alerts, and one
  // UPDATE statement each was most of the statements filing ran.
  const rows: AlertsTable[] = []
  for (const [id, entry] of current) if (fresh.has(id) || entry.changed) rows.push(toRow(entry.alert, entry.lastBuildId))
  // Each alert before its occurrences and history, as the foreign keys want.
  // Rows go in chunks of power-of-two sizes (./statement-shapes.ts), so a few statement texts serve every batch.
  for (const chunk of binaryChunks(rows, 16)) {
    const upsert = shape(`alerts upsert ${chunk.length}`, (slot) =>
      db
        .insertInto('alerts')
        .values(slotRows<AlertsTable>(chunk.length, ALERT_COLUMNS, slot))
        .onConflict((oc) => oc.column('id').doUpdateSet((eb) => Object.fromEntries(UPSERTED.map((column) => [column, eb.ref(`excluded.${column}`)])))),
    )
    await trx.executeQuery(upsert.bind(rowValues(chunk, ALERT_COLUMNS)))
  }
  for (const chunk of binaryChunks(occurrences, 64)) {
    const insert = shape(`occurrences insert ${chunk.length}`, (slot) => db.insertInto('alert_occurrences').values(slotRows<OccurrenceRow>(chunk.length, OCCURRENCE_COLUMNS, slot)))
    await trx.executeQuery(insert.bind(rowValues(chunk, OCCURRENCE_COLUMNS)))
  }
  for (const chunk of binaryChunks(history, 64)) {
    const insert = shape(`history insert ${chunk.length}`, (slot) => db.insertInto('alert_history').values(slotRows<HistoryRow>(chunk.length, HISTORY_COLUMNS, slot)))
    await trx.executeQuery(insert.bind(rowValues(chunk, HISTORY_COLUMNS)))
  }
  return created
}

async function transition(trx: Trx, id: string, patch: AlertPatch, actor: string, now: number): Promise<TransitionOutcome> {
  const row = await trx.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst()
  if (row === undefined) return { ok: false, status: 404, code: 'not-found', message: `no alert with id ${id}`, path: 'path.id' }
  const alert = toAlert(row)
  const result = applyTriage({ state: alert.state, waiver: alert.waiver }, patch, actor, now)
  if (!result.ok) return result
  const waiver = result.next.waiver
  await trx
    .updateTable('alerts')
    .set({ state: result.next.state, waiver: waiver === null ? null : JSON.stringify(waiver), waiver_expires_at: waiver === null ? null : Date.parse(waiver.expiresAt), updated_at: now })
    .where('id', '=', id)
    .execute()
  await addHistory(trx, id, [result.entry])
  const detail = await getAlert(trx, id)
  if (detail === null) throw new Error(`alert ${id} vanished inside its own transaction`)
  return { ok: true, alert: detail }
}

async function expireWaivers(db: Db, shape: ShapeCache, now: number): Promise<number> {
  // Asked before every evaluation: compiled once.
  const select = shape('waivers due', (slot) => db.selectFrom('alerts').selectAll().where('waiver_expires_at', '<=', slot<number>(0)).where('state', '=', 'waived'))
  const due = (await db.executeQuery<Selectable<AlertsTable>>(select.bind([now]))).rows
  for (const row of due) {
    const alert = toAlert(row)
    const expired = expireWaiver({ state: alert.state, waiver: alert.waiver }, now)
    if (expired === null) continue
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('alerts').set({ state: expired.next.state, waiver: null, waiver_expires_at: null, updated_at: now }).where('id', '=', row.id).where('state', '=', 'waived').execute()
      await addHistory(trx, row.id, [expired.entry])
    })
  }
  return due.length
}

async function clearAbsent(db: Db, seen: ReadonlySet<string>, reason: string, now: number): Promise<number> {
  const active = await db.selectFrom('alerts').select(['id', 'state']).where('state', 'in', ['open', 'acknowledged']).execute()
  const gone = active.filter((row) => !seen.has(row.id))
  for (const row of gone) {
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('alerts').set({ state: 'resolved', updated_at: now }).where('id', '=', row.id).execute()
      await addHistory(trx, row.id, [{ at: instant(now), actor: 'rules', kind: 'cleared', from: row.state === 'acknowledged' ? 'acknowledged' : 'open', to: 'resolved', reason }])
    })
  }
  return gone.length
}
