import type { PipelineResult, PipelineTool } from '../../src/contract/telemetry'
import { nanosToMillis } from './otlp'
import type { AttributeValue, Attributes, RunRecord, StepRecord, TaskRecord, TelemetrySpan } from './types'

/*
 * Turns the spans of one trace into a pipeline run with tasks and steps. Pure: the store calls it with every
 * stored span of a trace after each request, so the answer never depends on how a Collector batched the spans.
 *
 * Two vocabularies are read, because they differ today (compare the Collector's githubreceiver goldens with the
 * semantic-conventions registry): the OpenTelemetry CI/CD conventions (`cicd.pipeline.result`,
 * `cicd.pipeline.task.run.result`, `cicd.worker.*`, `vcs.ref.head.name`) and what the githubreceiver emits
 * (`cicd.pipeline.run.status`, `cicd.pipeline.run.task.status`, `cicd.pipeline.worker.*`, `vcs.ref.head`).
 * docs/telemetry.md lists every name; keep it in step with the constants below.
 */

/** Every attribute name read, by what it gives. The docs table is checked against this in a test. */
export const ATTR = {
  pipelineName: 'cicd.pipeline.name',
  runId: 'cicd.pipeline.run.id',
  runUrl: 'cicd.pipeline.run.url.full',
  runPreviousAttemptUrl: 'cicd.pipeline.run.previous_attempt.url.full',
  pipelineResult: 'cicd.pipeline.result',
  collectorRunStatus: 'cicd.pipeline.run.status',
  queueDuration: 'cicd.pipeline.run.queue.duration',
  taskName: 'cicd.pipeline.task.name',
  taskRunId: 'cicd.pipeline.task.run.id',
  taskRunUrl: 'cicd.pipeline.task.run.url.full',
  taskType: 'cicd.pipeline.task.type',
  taskRunResult: 'cicd.pipeline.task.run.result',
  collectorTaskStatus: 'cicd.pipeline.run.task.status',
  workerId: 'cicd.worker.id',
  workerName: 'cicd.worker.name',
  collectorWorkerId: 'cicd.pipeline.worker.id',
  collectorWorkerName: 'cicd.pipeline.worker.name',
  collectorWorkerGroup: 'cicd.pipeline.worker.group.name',
  collectorWorkerLabels: 'cicd.pipeline.worker.labels',
  repoUrl: 'vcs.repository.url.full',
  repoName: 'vcs.repository.name',
  ownerName: 'vcs.owner.name',
  providerName: 'vcs.provider.name',
  collectorVendorName: 'vcs.vendor.name',
  refName: 'vcs.ref.head.name',
  collectorRef: 'vcs.ref.head',
  revision: 'vcs.ref.head.revision',
  toolName: 'cicd.tool.name',
  toolVersion: 'cicd.tool.version',
  runtimeName: 'process.runtime.name',
  runtimeVersion: 'process.runtime.version',
  executableName: 'process.executable.name',
  serverAddress: 'server.address',
  urlFull: 'url.full',
  urlDomain: 'url.domain',
  netPeerName: 'net.peer.name',
  httpUrl: 'http.url',
  httpHost: 'http.host',
} as const

/** Span events read for tools and hosts; their attributes use the same names as span attributes. */
export const TOOL_EVENTS = ['tool', 'cicd.tool'] as const
export const HOST_EVENTS = ['network.connect', 'net.connect', 'dns.lookup'] as const

const HOST_ATTRIBUTES = [ATTR.serverAddress, ATTR.urlFull, ATTR.urlDomain, ATTR.netPeerName, ATTR.httpUrl, ATTR.httpHost] as const
/** A task is marked by any of these on the span (or on a resource describing one task, as the githubreceiver's is). */
const TASK_MARKERS = [ATTR.taskRunId, ATTR.taskRunUrl, ATTR.taskType, ATTR.taskRunResult] as const

const MAX_TEXT = 512
const MAX_LIST = 200

export function text(value: AttributeValue | undefined): string | null {
  if (typeof value === 'string') {
    const trimmed = value.trim()
    return trimmed === '' ? null : trimmed.slice(0, MAX_TEXT)
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value === 'boolean') return String(value)
  return null
}

function textList(value: AttributeValue | undefined): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => text(item) ?? []).slice(0, MAX_LIST)
  const single = text(value)
  return single === null ? [] : [single]
}

/** The first attribute present, looking through the maps in order. */
function first(maps: readonly Attributes[], ...keys: string[]): string | null {
  for (const map of maps) {
    for (const key of keys) {
      const value = Object.hasOwn(map, key) ? text(map[key]) : null
      if (value !== null) return value
    }
  }
  return null
}

const has = (map: Attributes, keys: readonly string[]) => keys.some((key) => Object.hasOwn(map, key) && text(map[key]) !== null)

/** GitHub conclusions and OTel result values to one vocabulary; anything else is unknown (null). */
export function normaliseResult(value: string | null): PipelineResult | null {
  switch (value?.toLowerCase()) {
    case 'success':
    case 'neutral':
      return 'success'
    case 'failure':
    case 'failed':
      return 'failure'
    case 'error':
    case 'startup_failure':
      return 'error'
    case 'timeout':
    case 'timed_out':
      return 'timeout'
    case 'cancellation':
    case 'cancelled':
    case 'canceled':
    case 'stale':
      return 'cancellation'
    case 'skip':
    case 'skipped':
      return 'skip'
    default:
      return null
  }
}

/** OTLP status code: ERROR is a failure, OK a success, UNSET says nothing. */
const resultFromStatus = (code: number): PipelineResult | null => (code === 2 ? 'failure' : code === 1 ? 'success' : null)

/** A host name from an address, `host:port`, or URL; null when it is not a plausible host name. */
export function hostOf(value: string): string | null {
  let host = value.trim()
  if (host.includes('://')) {
    try {
      host = new URL(host).hostname
    } catch {
      return null
    }
  } else if (/^[^:[\]]+:\d+$/.test(host)) {
    host = host.slice(0, host.lastIndexOf(':'))
  }
  host = host.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase()
  if (host === '' || host.length > 253) return null
  return /^[a-z0-9_.-]+$/.test(host) || /^[0-9a-f:.]+$/.test(host) ? host : null
}

function toolFrom(attributes: Attributes): PipelineTool | null {
  const name = first([attributes], ATTR.toolName, ATTR.runtimeName, ATTR.executableName)
  if (name === null) return null
  return { name: name.slice(0, 200), version: first([attributes], ATTR.toolVersion, ATTR.runtimeVersion) }
}

function hostsFrom(attributes: Attributes): string[] {
  return HOST_ATTRIBUTES.flatMap((key) => {
    const value = Object.hasOwn(attributes, key) ? text(attributes[key]) : null
    return value === null ? [] : (hostOf(value) ?? [])
  })
}

/**
 * Tools and hosts of one span: from its own attributes and its `tool` / `network.connect` events. Resource
 * attributes are never read here: they describe the exporter (a Collector's own Go runtime), not the build.
 */
function evidence(span: TelemetrySpan): { tools: PipelineTool[]; hosts: string[] } {
  const tools: PipelineTool[] = []
  const hosts: string[] = []
  const own = toolFrom(span.attributes)
  if (own !== null) tools.push(own)
  hosts.push(...hostsFrom(span.attributes))
  for (const event of span.events) {
    if ((TOOL_EVENTS as readonly string[]).includes(event.name)) {
      const tool = toolFrom(event.attributes)
      if (tool !== null) tools.push(tool)
    }
    if ((HOST_EVENTS as readonly string[]).includes(event.name)) hosts.push(...hostsFrom(event.attributes))
  }
  return { tools, hosts }
}

export function uniqueTools(tools: readonly PipelineTool[]): PipelineTool[] {
  const seen = new Map<string, PipelineTool>()
  for (const tool of tools) seen.set(`${tool.name}\u0000${tool.version ?? ''}`, tool)
  // A bare name adds nothing when the same tool is also known with a version.
  const versioned = new Set([...seen.values()].filter((tool) => tool.version !== null).map((tool) => tool.name))
  return [...seen.values()].filter((tool) => tool.version !== null || !versioned.has(tool.name)).slice(0, MAX_LIST)
}

export const uniqueHosts = (hosts: readonly string[]) => [...new Set(hosts)].sort().slice(0, MAX_LIST)

/** Repository, run id and attempt from a CI URL: GitHub `…/OWNER/REPO/actions/runs/ID[/attempts/N]`, GitLab `…/-/pipelines/ID`. */
export function parseRunUrl(url: string | null): { repo: string; runId: string; attempt: number | null } | null {
  if (url === null) return null
  const github = /^(https?:\/\/[^/\s]+\/[^/\s]+\/[^/\s]+)\/actions\/runs\/(\d+)(?:\/attempts\/(\d+))?/.exec(url)
  if (github?.[1] && github[2]) return { repo: github[1], runId: github[2], attempt: github[3] ? Number(github[3]) : null }
  const gitlab = /^(https?:\/\/[^/\s]+\/.+?)\/-\/pipelines\/(\d+)/.exec(url)
  if (gitlab?.[1] && gitlab[2]) return { repo: gitlab[1], runId: gitlab[2], attempt: null }
  return null
}

/** `git+https://github.com/Acme/Web.git/` → `https://github.com/Acme/Web`; the key for matching lower-cases it. */
export function normaliseRepoUrl(url: string | null): string | null {
  if (url === null) return null
  const trimmed = url.trim().replace(/^git\+/, '').replace(/\/+$/, '').replace(/\.git$/, '')
  const at = trimmed.indexOf('@', trimmed.indexOf('://') + 3)
  const repo = at > 0 && !trimmed.slice(0, at).includes('@') ? trimmed.slice(0, at) : trimmed
  return /^https?:\/\/[^/\s]+\/\S+$/.test(repo) ? repo : null
}

export const repoKey = (repo: string | null) => normaliseRepoUrl(repo)?.toLowerCase() ?? null

const isCommit = (value: string | null) => (value !== null && /^[0-9a-fA-F]{7,64}$/.test(value) ? value.toLowerCase() : null)

function millis(span: TelemetrySpan) {
  const startedAt = nanosToMillis(span.startTimeUnixNano)
  const finishedAt = nanosToMillis(span.endTimeUnixNano)
  return { startedAt, finishedAt: finishedAt !== null && startedAt !== null && finishedAt < startedAt ? startedAt : finishedAt }
}

const byStart = <T extends { startedAt: number | null; name: string }>(a: T, b: T) =>
  (a.startedAt ?? Number.MAX_SAFE_INTEGER) - (b.startedAt ?? Number.MAX_SAFE_INTEGER) || a.name.localeCompare(b.name)

/** True when the trace carries any CI/CD attribute: other traces are not ours to store. */
export function isPipelineTrace(spans: readonly TelemetrySpan[]): boolean {
  const ci = (map: Attributes) => Object.keys(map).some((key) => key.startsWith('cicd.pipeline.'))
  return spans.some((span) => ci(span.attributes) || ci(span.resource))
}

/** Spans whose attribute `cicd.pipeline.run.queue.duration` marks them as the wait before a task: transparent. */
const isQueueSpan = (span: TelemetrySpan) => Object.hasOwn(span.attributes, ATTR.queueDuration) && !has(span.attributes, TASK_MARKERS)

/** Derives the run and its tasks from every span of one trace. */
export function runFromSpans(spans: readonly TelemetrySpan[]): { run: RunRecord; tasks: TaskRecord[] } | null {
  const traceId = spans[0]?.traceId
  if (traceId === undefined) return null
  const byId = new Map(spans.map((span) => [span.spanId, span]))
  const children = new Map<string, TelemetrySpan[]>()
  for (const span of spans) {
    if (span.parentSpanId === null || !byId.has(span.parentSpanId)) continue
    const list = children.get(span.parentSpanId) ?? []
    list.push(span)
    children.set(span.parentSpanId, list)
  }
  const taskMarked = (span: TelemetrySpan) => has(span.attributes, TASK_MARKERS)
  const roots = spans.filter((span) => span.parentSpanId === null)
  const runSpan = roots
    .filter((span) => !taskMarked(span))
    .map((span) => ({ span, name: span.name, ...millis(span) }))
    .sort(byStart)[0]?.span

  // Tasks: children of the run span; spans whose parent was not (yet) received, which the githubreceiver's
  // job traces are (the run span comes in another request); and task-marked roots.
  const taskSpans = new Map<string, TelemetrySpan>()
  const queued = new Set<string>()
  const addTask = (span: TelemetrySpan) => {
    if (!isQueueSpan(span)) taskSpans.set(span.spanId, span)
    else if (!queued.has(span.spanId)) {
      queued.add(span.spanId)
      for (const child of children.get(span.spanId) ?? []) addTask(child)
    }
  }
  if (runSpan !== undefined) for (const child of children.get(runSpan.spanId) ?? []) addTask(child)
  for (const span of spans) {
    const orphan = span.parentSpanId !== null && !byId.has(span.parentSpanId)
    if (orphan || (span.parentSpanId === null && span !== runSpan)) addTask(span)
  }

  const tasks = [...taskSpans.values()].map((span) => taskFromSpan(span, children, traceId)).sort(byStart)

  // Run-level facts: the run span and its resource first, then any resource that does not describe a single
  // task (the githubreceiver names the job in `cicd.pipeline.name` of a job's resource), then task spans.
  const runMaps: Attributes[] = runSpan ? [runSpan.attributes, runSpan.resource] : []
  const runResources = spans.map((span) => span.resource).filter((resource) => !has(resource, [ATTR.taskRunId, ATTR.taskRunUrl]))
  const anyResources = spans.map((span) => span.resource)
  const taskMaps = [...taskSpans.values()].map((span) => span.attributes)
  const look = [...runMaps, ...runResources, ...anyResources, ...taskMaps]

  const runUrl = first(look, ATTR.runUrl)
  const fromRunUrl = parseRunUrl(runUrl)
  const fromTaskUrl = parseRunUrl(first(look, ATTR.taskRunUrl))
  const previous = parseRunUrl(first(look, ATTR.runPreviousAttemptUrl))
  const owner = first(look, ATTR.ownerName)
  const repoName = first(look, ATTR.repoName)
  const provider = first(look, ATTR.providerName, ATTR.collectorVendorName)
  const repo =
    normaliseRepoUrl(first(look, ATTR.repoUrl)) ??
    fromRunUrl?.repo ??
    fromTaskUrl?.repo ??
    (owner && repoName && provider?.toLowerCase() === 'github' ? `https://github.com/${owner}/${repoName}` : null)

  const runTimes = runSpan ? millis(runSpan) : { startedAt: null, finishedAt: null }
  const startedAt = runTimes.startedAt ?? minOf(tasks.map((task) => task.startedAt))
  const finishedAt = runSpan ? runTimes.finishedAt : tasks.length > 0 && tasks.every((task) => task.finishedAt !== null) ? maxOf(tasks.map((task) => task.finishedAt)) : null
  const runResult = runSpan
    ? (normaliseResult(first([runSpan.attributes, runSpan.resource, ...runResources], ATTR.pipelineResult, ATTR.collectorRunStatus)) ?? resultFromStatus(runSpan.statusCode))
    : normaliseResult(first(runResources, ATTR.pipelineResult, ATTR.collectorRunStatus))

  const run: RunRecord = {
    key: `otlp:${traceId}`,
    source: 'otlp',
    traceId,
    repo,
    commit: isCommit(first(look, ATTR.revision)),
    ref: first(look, ATTR.refName, ATTR.collectorRef),
    runId: first(look, ATTR.runId) ?? fromRunUrl?.runId ?? fromTaskUrl?.runId ?? null,
    attempt: fromRunUrl?.attempt ?? (previous?.attempt != null ? previous.attempt + 1 : null),
    name: first([...runMaps, ...runResources], ATTR.pipelineName) ?? (runSpan?.name.slice(0, MAX_TEXT) || null),
    url: runUrl ?? (fromTaskUrl ? `${fromTaskUrl.repo}/actions/runs/${fromTaskUrl.runId}` : null),
    status: runSpan ? (runTimes.finishedAt !== null ? 'completed' : 'in_progress') : null,
    result: runResult,
    startedAt,
    finishedAt,
    detail: { spans: spans.length },
  }
  return { run, tasks: tasks.map((task) => ({ ...task, runKey: run.key })) }
}

function minOf(values: (number | null)[]): number | null {
  const known = values.filter((value): value is number => value !== null)
  return known.length === 0 ? null : Math.min(...known)
}
function maxOf(values: (number | null)[]): number | null {
  const known = values.filter((value): value is number => value !== null)
  return known.length === 0 ? null : Math.max(...known)
}

/** Every span below `root`, breadth first, each once even if the parent links form a cycle. */
function descendants(root: TelemetrySpan, children: Map<string, TelemetrySpan[]>): TelemetrySpan[] {
  const out: TelemetrySpan[] = []
  const seen = new Set([root.spanId])
  const queue = [...(children.get(root.spanId) ?? [])]
  while (queue.length > 0) {
    const span = queue.shift()
    if (span === undefined || seen.has(span.spanId)) continue
    seen.add(span.spanId)
    out.push(span)
    queue.push(...(children.get(span.spanId) ?? []))
  }
  return out
}

function taskFromSpan(span: TelemetrySpan, children: Map<string, TelemetrySpan[]>, traceId: string): TaskRecord {
  // The resource counts for the task only when it describes one task, as the githubreceiver's job resource does.
  const resource = has(span.resource, [ATTR.taskRunId, ATTR.taskRunUrl]) ? [span.resource] : []
  const maps = [span.attributes, ...resource]
  const stepSpans: TelemetrySpan[] = []
  let queuedMs: number | null = null
  const visited = new Set([span.spanId])
  const collect = (parent: TelemetrySpan) => {
    for (const child of children.get(parent.spanId) ?? []) {
      if (visited.has(child.spanId)) continue
      visited.add(child.spanId)
      if (isQueueSpan(child)) {
        const { startedAt, finishedAt } = millis(child)
        if (startedAt !== null && finishedAt !== null) queuedMs = (queuedMs ?? 0) + (finishedAt - startedAt)
        collect(child)
      } else stepSpans.push(child)
    }
  }
  collect(span)
  const steps: StepRecord[] = stepSpans.map((step) => {
    const found = [step, ...descendants(step, children)].map(evidence)
    return {
      name: first([step.attributes], ATTR.taskName) ?? (step.name.slice(0, MAX_TEXT) || step.spanId),
      number: null,
      status: step.endTimeUnixNano !== null ? 'completed' : 'in_progress',
      result: normaliseResult(first([step.attributes], ATTR.taskRunResult, ATTR.collectorTaskStatus)) ?? resultFromStatus(step.statusCode),
      ...millis(step),
      tools: uniqueTools(found.flatMap((item) => item.tools)),
      hosts: uniqueHosts(found.flatMap((item) => item.hosts)),
    }
  })
  steps.sort(byStart)
  const own = evidence(span)
  const { startedAt, finishedAt } = millis(span)
  const workerId = first(maps, ATTR.workerId, ATTR.collectorWorkerId)
  const workerName = first(maps, ATTR.workerName, ATTR.collectorWorkerName)
  const workerGroup = first(maps, ATTR.collectorWorkerGroup)
  const labels = maps.flatMap((map) => (Object.hasOwn(map, ATTR.collectorWorkerLabels) ? textList(map[ATTR.collectorWorkerLabels]) : []))
  const queueAttribute = first([span.attributes], ATTR.queueDuration)
  return {
    runKey: `otlp:${traceId}`,
    key: `span:${span.spanId}`,
    name: first([span.attributes], ATTR.taskName) ?? (span.name.slice(0, MAX_TEXT) || first(resource, ATTR.pipelineName) || span.spanId),
    url: first(maps, ATTR.taskRunUrl),
    taskRunId: first(maps, ATTR.taskRunId),
    type: first(maps, ATTR.taskType),
    status: span.endTimeUnixNano !== null ? 'completed' : 'in_progress',
    result: normaliseResult(first(maps, ATTR.taskRunResult, ATTR.collectorTaskStatus)) ?? resultFromStatus(span.statusCode),
    startedAt,
    finishedAt,
    // `cicd.pipeline.run.queue.duration` is in nanoseconds in the githubreceiver's output.
    queuedMs: queuedMs ?? (queueAttribute !== null && Number.isFinite(Number(queueAttribute)) ? Math.round(Number(queueAttribute) / 1e6) : null),
    worker: workerId || workerName || workerGroup || labels.length > 0 ? { id: workerId, name: workerName, group: workerGroup, labels } : null,
    steps,
    tools: uniqueTools([...own.tools, ...steps.flatMap((step) => step.tools)]),
    hosts: uniqueHosts([...own.hosts, ...steps.flatMap((step) => step.hosts)]),
  }
}
