import type { BuildDetail } from '../contract/builds'
import type { PipelineResult, PipelineRun } from '../contract/telemetry'
import { compareText } from './format'

/*
 * "How it was built", derived from a build record: the tool versions, the hosts contacted, the environment and
 * the CI timeline. Pure, shared by the build page and the comparison.
 */

export type ToolVersion = {
  name: string
  version: string | null
  /** Where the version was read: CI telemetry, or a `pkg:` resolved dependency of the provenance. */
  sources: ('pipeline' | 'provenance')[]
}

/** `pkg:type/namespace/name@version?qualifiers#subpath` → name and version (decoded), or null if not a purl. */
export function parsePurl(uri: string): { type: string; name: string; version: string | null } | null {
  const match = /^pkg:([a-zA-Z.+-]+)\/([^?#]+?)(?:@([^?#]+))?(?:[?#].*)?$/.exec(uri)
  if (!match?.[1] || !match[2]) return null
  const segments = match[2].split('/').filter(Boolean)
  const last = segments.at(-1)
  if (last === undefined) return null
  const decode = (value: string) => {
    try {
      return decodeURIComponent(value)
    } catch {
      return value
    }
  }
  const name = match[1] === 'generic' ? decode(last) : segments.map(decode).join('/')
  return { type: match[1].toLowerCase(), name, version: match[3] === undefined ? null : decode(match[3]) }
}

/** Every tool with a version, from the pipeline's tasks and steps and from `pkg:` dependencies, by name. */
export function toolVersions(build: Pick<BuildDetail, 'pipeline' | 'resolvedDependencies'>): ToolVersion[] {
  const found = new Map<string, ToolVersion>()
  const add = (name: string, version: string | null, source: ToolVersion['sources'][number]) => {
    const key = `${name}\u0000${version ?? ''}`
    const entry = found.get(key) ?? { name, version, sources: [] }
    if (!entry.sources.includes(source)) entry.sources.push(source)
    found.set(key, entry)
  }
  for (const task of build.pipeline?.tasks ?? []) {
    for (const tool of task.tools) add(tool.name, tool.version, 'pipeline')
    for (const step of task.steps) for (const tool of step.tools) add(tool.name, tool.version, 'pipeline')
  }
  for (const dependency of build.resolvedDependencies) {
    const purl = dependency.uri === null ? null : parsePurl(dependency.uri)
    if (purl) add(purl.name, purl.version, 'provenance')
  }
  // A version-less mention adds nothing when the same tool is known with a version.
  const withVersion = new Set([...found.values()].filter((tool) => tool.version !== null).map((tool) => tool.name))
  return [...found.values()]
    .filter((tool) => tool.version !== null || !withVersion.has(tool.name))
    .sort((a, b) => compareText(a.name, b.name) || compareText(a.version ?? '', b.version ?? ''))
}

export type HostContact = { host: string; steps: string[] }

/** Hosts the pipeline contacted, sorted, each with the steps (or tasks) that contacted it. */
export function hostsContacted(pipeline: PipelineRun | null): HostContact[] {
  const byHost = new Map<string, Set<string>>()
  const add = (host: string, where: string) => {
    const set = byHost.get(host) ?? new Set<string>()
    set.add(where)
    byHost.set(host, set)
  }
  for (const task of pipeline?.tasks ?? []) {
    for (const step of task.steps) for (const host of step.hosts) add(host, `${task.name} › ${step.name}`)
    for (const host of task.hosts) if (!task.steps.some((step) => step.hosts.includes(host))) add(host, task.name)
  }
  return [...byHost.entries()].map(([host, steps]) => ({ host, steps: [...steps] })).sort((a, b) => compareText(a.host, b.host))
}

export type FlatEntry = { path: string; value: string }

/**
 * A JSON value as `path = value` lines (`workflow.ref = refs/heads/main`), for showing and comparing parameters.
 * Bounded: a hostile document cannot make the page render a million rows.
 */
export function flatten(value: unknown, limit = 500): FlatEntry[] {
  const out: FlatEntry[] = []
  const walk = (current: unknown, path: string, depth: number) => {
    if (out.length >= limit) return
    if (current !== null && typeof current === 'object' && depth < 12) {
      const entries = Array.isArray(current) ? current.map((item, index) => [String(index), item] as const) : Object.entries(current)
      if (entries.length === 0) {
        out.push({ path: path || '(root)', value: Array.isArray(current) ? '[]' : '{}' })
        return
      }
      for (const [key, item] of entries) walk(item, path ? `${path}.${key}` : key, depth + 1)
      return
    }
    out.push({ path: path || '(root)', value: typeof current === 'string' ? current : JSON.stringify(current) ?? String(current) })
  }
  if (value !== undefined && value !== null) walk(value, '', 0)
  return out
}

export type TimelineBar = {
  key: string
  label: string
  kind: 'task' | 'step'
  /** Offset from the run's start and length, in ms; null when the telemetry lacks the times. */
  offsetMs: number | null
  durationMs: number | null
  result: PipelineResult | null
}

export type Timeline = { startedAt: string | null; totalMs: number; bars: TimelineBar[] }

const parse = (iso: string | null) => (iso === null ? null : Date.parse(iso))

/** The pipeline's tasks and steps as bars on one time axis that starts when the run started. */
export function pipelineTimeline(pipeline: PipelineRun): Timeline {
  const starts = [parse(pipeline.startedAt), ...pipeline.tasks.flatMap((task) => [parse(task.startedAt), ...task.steps.map((step) => parse(step.startedAt))])].filter(
    (value): value is number => value !== null && Number.isFinite(value),
  )
  const origin = starts.length > 0 ? Math.min(...starts) : null
  const bars: TimelineBar[] = []
  let end = 0
  const bar = (key: string, label: string, kind: TimelineBar['kind'], item: { startedAt: string | null; finishedAt: string | null; durationMs: number | null; result: PipelineResult | null }) => {
    const start = parse(item.startedAt)
    const finish = parse(item.finishedAt)
    const duration = item.durationMs ?? (start !== null && finish !== null ? Math.max(0, finish - start) : null)
    const offset = origin !== null && start !== null ? start - origin : null
    if (offset !== null && duration !== null) end = Math.max(end, offset + duration)
    bars.push({ key, label, kind, offsetMs: offset, durationMs: duration, result: item.result })
  }
  for (const task of pipeline.tasks) {
    bar(task.id, task.name, 'task', task)
    task.steps.forEach((step, index) => bar(`${task.id}/${index}`, step.name, 'step', step))
  }
  const runDuration = pipeline.durationMs ?? (parse(pipeline.finishedAt) !== null && origin !== null ? (parse(pipeline.finishedAt) ?? 0) - origin : 0)
  return { startedAt: origin === null ? null : new Date(origin).toISOString(), totalMs: Math.max(end, runDuration, 1), bars }
}
