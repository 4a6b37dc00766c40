import { sql, type Kysely, type Selectable, type Transaction } from 'kysely'
import { z } from 'zod'
import { PipelineList, PipelineRun, PipelineStatus, PipelineTool, PipelineWorker, type PipelineQuery } from '../../src/contract/telemetry'
import { isPipelineTrace, parseRunUrl, repoKey, runFromSpans } from './model'
import type {
  AttributeValue,
  RunRecord,
  TaskRecord,
  TelemetryBatch,
  TelemetryIngestOutcome,
  TelemetryLookup,
  TelemetrySpan,
} from './types'
import type { StoreKind } from '../store/db'
import type { Database } from '../store/schema'

/*
 * Storage of CI telemetry (migration 0004), over the store's Kysely handle widened with the telemetry tables.
 * See docs/telemetry.md for the model.
 */

export interface TelemetryRepository {
  /** CI telemetry (OTLP spans, GitHub webhook runs and jobs), in one transaction; idempotent. */
  ingest(batch: TelemetryBatch): Promise<TelemetryIngestOutcome>
  /** The pipeline run behind a build: by run id (and attempt) when known, else by repository and commit. */
  forBuild(lookup: TelemetryLookup): Promise<PipelineRun | null>
  pipelines(query: PipelineQuery): Promise<PipelineList>
}

export function telemetryRepository(db: Kysely<Database>, kind: StoreKind): TelemetryRepository {
  return {
    ingest: (batch) => ingestTelemetry(db, kind, batch, Date.now()),
    forBuild: (lookup) => findPipelineRun(db, lookup),
    pipelines: (query) => listPipelineRuns(db, query),
  }
}

export type TelemetrySpansTable = {
  trace_id: string
  span_id: string
  parent_span_id: string | null
  name: string
  kind: number
  start_time_unix_nano: string | null
  end_time_unix_nano: string | null
  status_code: number
  status_message: string | null
  attributes: string
  resource: string
  events: string
  received_at: number
}

export type TelemetryRunsTable = {
  key: string
  source: string
  trace_id: string | null
  repo: string | null
  repo_key: string | null
  commit_sha: string | null
  ref: string | null
  run_id: string | null
  attempt: number | null
  name: string | null
  url: string | null
  status: string | null
  result: string | null
  started_at: number | null
  finished_at: number | null
  detail: string
  updated_at: number
}

export type TelemetryTasksTable = {
  run_key: string
  key: string
  name: string
  url: string | null
  task_run_id: string | null
  type: string | null
  status: string | null
  result: string | null
  started_at: number | null
  finished_at: number | null
  queued_ms: number | null
  worker: string | null
  steps: string
  tools: string
  hosts: string
  updated_at: number
}

export type TelemetryTables = {
  telemetry_spans: TelemetrySpansTable
  telemetry_runs: TelemetryRunsTable
  telemetry_tasks: TelemetryTasksTable
}

type Db = Kysely<Database & TelemetryTables>
type Trx = Transaction<Database & TelemetryTables>

/** Rows per multi-row insert: 13 columns × 500 stays far below both engines' bind-parameter limits. */
const ROWS_PER_INSERT = 500

export async function ingestTelemetry(base: Kysely<Database>, kind: StoreKind, batch: TelemetryBatch, now: number): Promise<TelemetryIngestOutcome> {
  const db: Db = base.withTables<TelemetryTables>()
  if (batch.spans.length === 0 && batch.runs.length === 0 && batch.tasks.length === 0) return { spans: 0, ignoredSpans: 0, runs: [] }
  return db.transaction().execute(async (trx) => {
    const batchByTrace = new Map<string, Map<string, TelemetrySpan>>()
    // The last copy of a span in the request wins, as it does across requests.
    for (const span of batch.spans) {
      const spans = batchByTrace.get(span.traceId) ?? new Map<string, TelemetrySpan>()
      spans.set(span.spanId, span)
      batchByTrace.set(span.traceId, spans)
    }
    if (kind === 'postgres') {
      // Two requests carrying spans of one trace (or events of one run) must not each derive the run from half
      // the spans: serialise them per key. Sorted, so two batches never wait on each other in opposite orders.
      const keys = [...new Set([...[...batchByTrace.keys()].map((id) => `otlp:${id}`), ...batch.runs.map((run) => run.key)])].sort()
      for (const key of keys) await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx)
    }
    const stored = await storedTraces(trx, [...batchByTrace.keys()])
    // Only CI/CD traces are kept: ones with a cicd.pipeline.* attribute here, or already stored (a step's HTTP
    // client span may come in a later request than its pipeline's spans).
    const traceIds = [...batchByTrace]
      .filter(([traceId, spans]) => stored.has(traceId) || isPipelineTrace([...spans.values()]))
      .map(([traceId]) => traceId)
      .sort()
    const spans = traceIds.flatMap((traceId) => [...(batchByTrace.get(traceId)?.values() ?? [])])
    const ignoredSpans = batch.spans.length - spans.length
    const touched = new Set<string>()
    await upsertSpans(trx, spans, now)
    for (let start = 0; start < traceIds.length; start += ROWS_PER_INSERT) {
      const chunk = traceIds.slice(start, start + ROWS_PER_INSERT)
      // A trace seen before is re-read whole; a new one is all in this request.
      const reread = chunk.filter((traceId) => stored.has(traceId))
      const byTrace = new Map<string, TelemetrySpan[]>()
      if (reread.length > 0) {
        const rows = await trx.selectFrom('telemetry_spans').selectAll().where('trace_id', 'in', reread).orderBy('trace_id').orderBy('span_id').execute()
        for (const row of rows) {
          const list = byTrace.get(row.trace_id) ?? []
          list.push(spanFromRow(row))
          byTrace.set(row.trace_id, list)
        }
      }
      const runs: RunRecord[] = []
      const tasks: TaskRecord[] = []
      for (const traceId of chunk) {
        const derived = runFromSpans(byTrace.get(traceId) ?? [...(batchByTrace.get(traceId)?.values() ?? [])])
        if (derived === null) continue
        runs.push(derived.run)
        tasks.push(...derived.tasks)
        touched.add(derived.run.key)
      }
      await replaceDerivedRuns(trx, runs, tasks, now)
    }
    for (const incoming of batch.runs) {
      const existing = await trx.selectFrom('telemetry_runs').selectAll().where('key', '=', incoming.key).executeTakeFirst()
      await writeRun(trx, mergeRun(existing ? runFromRow(existing) : null, incoming), now)
      touched.add(incoming.key)
    }
    for (const incoming of batch.tasks) {
      const existing = await trx
        .selectFrom('telemetry_tasks')
        .selectAll()
        .where('run_key', '=', incoming.runKey)
        .where('key', '=', incoming.key)
        .executeTakeFirst()
      await writeTask(trx, mergeTask(existing ? taskFromRow(existing) : null, incoming), now)
      touched.add(incoming.runKey)
    }
    return { spans: spans.length, ignoredSpans, runs: [...touched].sort() }
  })
}

/** Which of these traces already have stored spans. */
async function storedTraces(trx: Trx, traceIds: string[]): Promise<Set<string>> {
  const stored = new Set<string>()
  for (let start = 0; start < traceIds.length; start += ROWS_PER_INSERT) {
    const rows = await trx
      .selectFrom('telemetry_spans')
      .select('trace_id')
      .distinct()
      .where('trace_id', 'in', traceIds.slice(start, start + ROWS_PER_INSERT))
      .execute()
    for (const row of rows) stored.add(row.trace_id)
  }
  return stored
}

async function upsertSpans(trx: Trx, spans: TelemetrySpan[], now: number): Promise<void> {
  for (let start = 0; start < spans.length; start += ROWS_PER_INSERT) {
    const values = spans.slice(start, start + ROWS_PER_INSERT).map((span) => ({
      trace_id: span.traceId,
      span_id: span.spanId,
      parent_span_id: span.parentSpanId,
      name: span.name,
      kind: span.kind,
      start_time_unix_nano: span.startTimeUnixNano,
      end_time_unix_nano: span.endTimeUnixNano,
      status_code: span.statusCode,
      status_message: span.statusMessage,
      attributes: JSON.stringify(span.attributes),
      resource: JSON.stringify(span.resource),
      events: JSON.stringify(span.events),
      received_at: now,
    }))
    await trx
      .insertInto('telemetry_spans')
      .values(values)
      .onConflict((oc) =>
        oc.columns(['trace_id', 'span_id']).doUpdateSet((eb) => ({
          parent_span_id: eb.ref('excluded.parent_span_id'),
          name: eb.ref('excluded.name'),
          kind: eb.ref('excluded.kind'),
          start_time_unix_nano: eb.ref('excluded.start_time_unix_nano'),
          end_time_unix_nano: eb.ref('excluded.end_time_unix_nano'),
          status_code: eb.ref('excluded.status_code'),
          status_message: eb.ref('excluded.status_message'),
          attributes: eb.ref('excluded.attributes'),
          resource: eb.ref('excluded.resource'),
          events: eb.ref('excluded.events'),
          received_at: eb.ref('excluded.received_at'),
        })),
      )
      .execute()
  }
}

/** OTLP runs are derived from every stored span of their trace, so they replace what was there. */
async function replaceDerivedRuns(trx: Trx, runs: RunRecord[], tasks: TaskRecord[], now: number): Promise<void> {
  if (runs.length === 0) return
  for (let start = 0; start < runs.length; start += ROWS_PER_INSERT) {
    await trx
      .insertInto('telemetry_runs')
      .values(runs.slice(start, start + ROWS_PER_INSERT).map((run) => runRow(run, now)))
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          source: eb.ref('excluded.source'),
          trace_id: eb.ref('excluded.trace_id'),
          repo: eb.ref('excluded.repo'),
          repo_key: eb.ref('excluded.repo_key'),
          commit_sha: eb.ref('excluded.commit_sha'),
          ref: eb.ref('excluded.ref'),
          run_id: eb.ref('excluded.run_id'),
          attempt: eb.ref('excluded.attempt'),
          name: eb.ref('excluded.name'),
          url: eb.ref('excluded.url'),
          status: eb.ref('excluded.status'),
          result: eb.ref('excluded.result'),
          started_at: eb.ref('excluded.started_at'),
          finished_at: eb.ref('excluded.finished_at'),
          detail: eb.ref('excluded.detail'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute()
    const keys = runs.slice(start, start + ROWS_PER_INSERT).map((run) => run.key)
    await trx.deleteFrom('telemetry_tasks').where('run_key', 'in', keys).execute()
  }
  for (let start = 0; start < tasks.length; start += ROWS_PER_INSERT) {
    await trx
      .insertInto('telemetry_tasks')
      .values(tasks.slice(start, start + ROWS_PER_INSERT).map((task) => taskRow(task, now)))
      .execute()
  }
}

async function writeRun(trx: Trx, run: RunRecord, now: number): Promise<void> {
  const row = runRow(run, now)
  const { key: _key, ...update } = row
  await trx
    .insertInto('telemetry_runs')
    .values(row)
    .onConflict((oc) => oc.column('key').doUpdateSet(update))
    .execute()
}

async function writeTask(trx: Trx, task: TaskRecord, now: number): Promise<void> {
  const row = taskRow(task, now)
  const { run_key: _runKey, key: _key, ...update } = row
  await trx
    .insertInto('telemetry_tasks')
    .values(row)
    .onConflict((oc) => oc.columns(['run_key', 'key']).doUpdateSet(update))
    .execute()
}

const statusRank = (status: string | null) => (status === 'completed' ? 2 : status === 'in_progress' ? 1 : status === 'queued' ? 0 : -1)

/** Fields of `incoming` that are set win over `base`. */
function overlay<T extends Record<string, unknown>>(base: T, incoming: T): T {
  const out = { ...base }
  for (const key of Object.keys(incoming) as (keyof T)[]) {
    if (incoming[key] !== null && incoming[key] !== undefined) out[key] = incoming[key]
  }
  return out
}

/**
 * Webhooks arrive out of order and more than once. The run's own event (`authoritative`) wins unless it is
 * older than what is stored (in_progress after completed); a job's placeholder for its run only fills gaps.
 */
export function mergeRun(existing: RunRecord | null, incoming: RunRecord): RunRecord {
  if (existing === null) return incoming
  const wins = incoming.detail.authoritative !== 0 && statusRank(incoming.status) >= statusRank(existing.status)
  return wins
    ? { ...overlay(existing, incoming), detail: { ...existing.detail, ...incoming.detail } }
    : { ...overlay(incoming, existing), detail: { ...incoming.detail, ...existing.detail } }
}

export function mergeTask(existing: TaskRecord | null, incoming: TaskRecord): TaskRecord {
  if (existing === null) return incoming
  if (statusRank(incoming.status) >= statusRank(existing.status)) {
    return { ...overlay(existing, incoming), steps: incoming.steps.length > 0 ? incoming.steps : existing.steps }
  }
  return { ...overlay(incoming, existing), steps: existing.steps.length > 0 ? existing.steps : incoming.steps }
}

function runRow(run: RunRecord, now: number): TelemetryRunsTable {
  return {
    key: run.key,
    source: run.source,
    trace_id: run.traceId,
    repo: run.repo,
    repo_key: repoKey(run.repo),
    commit_sha: run.commit,
    ref: run.ref,
    run_id: run.runId,
    attempt: run.attempt,
    name: run.name,
    url: run.url,
    status: run.status,
    result: run.result,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    detail: JSON.stringify(run.detail),
    updated_at: now,
  }
}

function taskRow(task: TaskRecord, now: number): TelemetryTasksTable {
  return {
    run_key: task.runKey,
    key: task.key,
    name: task.name,
    url: task.url,
    task_run_id: task.taskRunId,
    type: task.type,
    status: task.status,
    result: task.result,
    started_at: task.startedAt,
    finished_at: task.finishedAt,
    queued_ms: task.queuedMs,
    worker: task.worker === null ? null : JSON.stringify(task.worker),
    steps: JSON.stringify(task.steps),
    tools: JSON.stringify(task.tools),
    hosts: JSON.stringify(task.hosts),
    updated_at: now,
  }
}

const Result = z.enum(['success', 'failure', 'error', 'timeout', 'cancellation', 'skip']).nullable().catch(null)
const Status = PipelineStatus.nullable().catch(null)
const StoredStep = z.object({
  name: z.string(),
  number: z.number().int().nullable(),
  status: Status,
  result: Result,
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  tools: z.array(PipelineTool),
  hosts: z.array(z.string()),
})
const Detail = z.record(z.string(), z.union([z.string(), z.number(), z.null()]))
const AttributeMap = z.record(z.string(), z.custom<AttributeValue>(() => true))
const Events = z.array(z.object({ name: z.string(), timeUnixNano: z.string().nullable(), attributes: AttributeMap }))

const parseJson = (text: string): unknown => JSON.parse(text)

function spanFromRow(row: Selectable<TelemetrySpansTable>): TelemetrySpan {
  return {
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
    name: row.name,
    kind: row.kind,
    startTimeUnixNano: row.start_time_unix_nano,
    endTimeUnixNano: row.end_time_unix_nano,
    statusCode: row.status_code,
    statusMessage: row.status_message,
    attributes: AttributeMap.parse(parseJson(row.attributes)),
    resource: AttributeMap.parse(parseJson(row.resource)),
    events: Events.parse(parseJson(row.events)),
  }
}

function runFromRow(row: Selectable<TelemetryRunsTable>): RunRecord {
  return {
    key: row.key,
    source: row.source === 'otlp' ? 'otlp' : 'github-webhook',
    traceId: row.trace_id,
    repo: row.repo,
    commit: row.commit_sha,
    ref: row.ref,
    runId: row.run_id,
    attempt: row.attempt,
    name: row.name,
    url: row.url,
    status: Status.parse(row.status),
    result: Result.parse(row.result),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    detail: Detail.parse(parseJson(row.detail)),
  }
}

function taskFromRow(row: Selectable<TelemetryTasksTable>): TaskRecord {
  return {
    runKey: row.run_key,
    key: row.key,
    name: row.name,
    url: row.url,
    taskRunId: row.task_run_id,
    type: row.type,
    status: Status.parse(row.status),
    result: Result.parse(row.result),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    queuedMs: row.queued_ms,
    worker: row.worker === null ? null : PipelineWorker.parse(parseJson(row.worker)),
    steps: z.array(StoredStep).parse(parseJson(row.steps)),
    tools: z.array(PipelineTool).parse(parseJson(row.tools)),
    hosts: z.array(z.string()).parse(parseJson(row.hosts)),
  }
}

/** Latest instant `Date#toISOString` writes in the plain `YYYY-MM-DD` form the contract's Instant accepts. */
const MAX_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999)
const instant = (ms: number | null) => (ms === null || ms < 0 || ms > MAX_INSTANT ? null : new Date(ms).toISOString())

function timing(record: { status: string | null; result: string | null; startedAt: number | null; finishedAt: number | null }) {
  const startedAt = instant(record.startedAt)
  const finishedAt = instant(record.finishedAt)
  return {
    status: record.status,
    result: record.result,
    startedAt,
    finishedAt,
    durationMs:
      startedAt !== null && finishedAt !== null && record.finishedAt !== null && record.startedAt !== null && record.finishedAt >= record.startedAt
        ? record.finishedAt - record.startedAt
        : null,
  }
}

async function pipelineRuns(db: Db, rows: Selectable<TelemetryRunsTable>[]): Promise<PipelineRun[]> {
  if (rows.length === 0) return []
  const taskRows = await db
    .selectFrom('telemetry_tasks')
    .selectAll()
    .where(
      'run_key',
      'in',
      rows.map((row) => row.key),
    )
    .execute()
  const byRun = new Map<string, TaskRecord[]>()
  for (const row of taskRows) {
    const list = byRun.get(row.run_key) ?? []
    list.push(taskFromRow(row))
    byRun.set(row.run_key, list)
  }
  return rows.map((row) => {
    const run = runFromRow(row)
    const tasks = (byRun.get(row.key) ?? []).sort(
      (a, b) => (a.startedAt ?? Number.MAX_SAFE_INTEGER) - (b.startedAt ?? Number.MAX_SAFE_INTEGER) || a.name.localeCompare(b.name) || a.key.localeCompare(b.key),
    )
    // Parsed with the contract so the API never serves a shape the SPA would reject.
    return PipelineRun.parse({
      id: run.key,
      source: run.source,
      name: run.name,
      url: run.url,
      repo: run.repo,
      commit: run.commit,
      ref: run.ref,
      runId: run.runId,
      attempt: run.attempt,
      traceId: run.traceId,
      ...timing(run),
      updatedAt: instant(row.updated_at) ?? new Date(0).toISOString(),
      tasks: tasks.map((task) => ({
        id: task.key,
        name: task.name,
        url: task.url,
        taskRunId: task.taskRunId,
        type: task.type,
        ...timing(task),
        queuedMs: task.queuedMs !== null && task.queuedMs >= 0 ? Math.round(task.queuedMs) : null,
        worker: task.worker,
        steps: task.steps.map((step) => ({ name: step.name, number: step.number, ...timing(step), tools: step.tools, hosts: step.hosts })),
        tools: task.tools,
        hosts: task.hosts,
      })),
    })
  })
}

const taskCount = (run: PipelineRun) => run.tasks.length

/**
 * The pipeline run behind a build. With a run id (GitHub's invocation id names it) only that run counts, in
 * the same attempt when both sides say which; a different run on the same commit is another pipeline and is
 * not shown as this build's. Without a run id, the latest run of the repository at that commit.
 * When OTLP and webhooks both describe the run, the record with more tasks wins, then the newer one.
 */
export async function findPipelineRun(base: Kysely<Database>, lookup: TelemetryLookup): Promise<PipelineRun | null> {
  const db: Db = base.withTables<TelemetryTables>()
  const wantedRepo = repoKey(lookup.repo)
  const commit = lookup.commit?.toLowerCase() ?? null
  let rows: Selectable<TelemetryRunsTable>[]
  if (lookup.runId !== null) {
    rows = (await db.selectFrom('telemetry_runs').selectAll().where('run_id', '=', lookup.runId).limit(50).execute()).filter(
      (row) =>
        (wantedRepo === null || row.repo_key === null || row.repo_key === wantedRepo) &&
        (commit === null || row.commit_sha === null || row.commit_sha === commit),
    )
    if (lookup.attempt !== null) {
      const exact = rows.filter((row) => row.attempt === lookup.attempt)
      rows = exact.length > 0 ? exact : rows.filter((row) => row.attempt === null)
    }
  } else if (wantedRepo !== null && commit !== null) {
    rows = await db
      .selectFrom('telemetry_runs')
      .selectAll()
      .where('repo_key', '=', wantedRepo)
      .where('commit_sha', '=', commit)
      .orderBy('updated_at', 'desc')
      .limit(20)
      .execute()
  } else {
    return null
  }
  const runs = await pipelineRuns(db, rows)
  runs.sort((a, b) => taskCount(b) - taskCount(a) || b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id))
  return runs[0] ?? null
}

/** A build's lookup from its provenance: run id and attempt from a CI run URL in the invocation id. */
export function lookupForBuild(build: { sourceRepo: string | null; sourceCommit: string | null; invocationId: string | null }): TelemetryLookup {
  const fromUrl = parseRunUrl(build.invocationId)
  return { repo: build.sourceRepo ?? fromUrl?.repo ?? null, commit: build.sourceCommit, runId: fromUrl?.runId ?? null, attempt: fromUrl?.attempt ?? null }
}

export async function listPipelineRuns(base: Kysely<Database>, query: PipelineQuery): Promise<PipelineList> {
  const db: Db = base.withTables<TelemetryTables>()
  let select = db.selectFrom('telemetry_runs').selectAll()
  const wantedRepo = repoKey(query.repo ?? null)
  if (query.repo !== undefined) select = select.where('repo_key', '=', wantedRepo ?? query.repo.toLowerCase())
  if (query.commit !== undefined) select = select.where('commit_sha', '=', query.commit.toLowerCase())
  if (query.runId !== undefined) select = select.where('run_id', '=', query.runId)
  const rows = await select.orderBy('started_at', 'desc').orderBy('key').limit(query.limit).execute()
  return PipelineList.parse({ items: await pipelineRuns(db, rows) })
}
