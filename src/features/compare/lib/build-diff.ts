import type { BuildDetail } from '../../../contract/builds'
import { flatten, hostsContacted, parsePurl, toolVersions } from '../../../lib/build-facts'
import { compareText, digestEntries } from '../../../lib/format'

/** `removed`: only in A (the older, left build); `added`: only in B. */
export type Change = 'same' | 'changed' | 'added' | 'removed'

export type DiffRow = { key: string; a: string | null; b: string | null; change: Change }

export type DiffSection = {
  id: 'builder' | 'parameters' | 'environment' | 'dependencies' | 'tools' | 'hosts' | 'outputs'
  title: string
  rows: DiffRow[]
  /** Rows that are not `same`. */
  changes: number
  /** False when neither build records this (e.g. no CI telemetry for hosts): nothing to compare, not "no change". */
  recorded: boolean
}

function changeOf(a: string | null, b: string | null): Change {
  if (a === b) return 'same'
  if (a === null) return 'added'
  if (b === null) return 'removed'
  return 'changed'
}

/** Rows for two keyed maps, in key order, each key once. */
function rowsOf(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): DiffRow[] {
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort(compareText)
  return keys.map((key) => {
    const left = a.get(key) ?? null
    const right = b.get(key) ?? null
    return { key, a: left, b: right, change: changeOf(left, right) }
  })
}

function section(id: DiffSection['id'], title: string, rows: DiffRow[], recorded = true): DiffSection {
  return { id, title, rows, changes: rows.filter((row) => row.change !== 'same').length, recorded }
}

const digestText = (digest: Record<string, string>) =>
  digestEntries(digest)
    .map(([algorithm, value]) => `${algorithm}:${value}`)
    .join(' ')

/** A dependency's identity without its version, so that a version bump is one changed row, not a removal and an addition. */
function dependencies(build: BuildDetail): Map<string, string> {
  const out = new Map<string, string>()
  build.resolvedDependencies.forEach((dependency, index) => {
    const purl = dependency.uri === null ? null : parsePurl(dependency.uri)
    const digest = digestText(dependency.digest)
    if (purl) {
      out.set(`pkg:${purl.type}/${purl.name}`, [purl.version ?? '(no version)', digest].filter(Boolean).join(' '))
      return
    }
    const key = dependency.uri ?? dependency.name ?? `#${index + 1}`
    out.set(key, digest || '(no digest)')
  })
  return out
}

function facts(build: BuildDetail): Map<string, string> {
  const out = new Map<string, string>()
  const set = (key: string, value: string | null) => {
    if (value !== null) out.set(key, value)
  }
  set('Builder', build.builderId)
  set('Build type', build.buildType)
  set('Source repository', build.sourceRepo)
  set('Source commit', build.sourceCommit)
  set('SLSA provenance', build.slsaVersion)
  set('Verification', build.status + (build.failedCheck ? ` (${build.failedCheck})` : ''))
  set('CI ref', build.pipeline?.ref ?? null)
  return out
}

const flatMap = (value: unknown) => new Map(flatten(value).map((entry) => [entry.path, entry.value]))

/** What differs between two builds, section by section; a pure function of the two records. */
export function diffBuilds(a: BuildDetail, b: BuildDetail): DiffSection[] {
  const tools = (build: BuildDetail) => {
    const out = new Map<string, string[]>()
    for (const tool of toolVersions(build)) out.set(tool.name, [...(out.get(tool.name) ?? []), tool.version ?? '(no version)'])
    return new Map([...out].map(([name, versions]) => [name, versions.join(', ')]))
  }
  const hosts = (build: BuildDetail) => new Map(hostsContacted(build.pipeline).map((contact) => [contact.host, 'contacted']))
  const outputs = (build: BuildDetail) => new Map(build.subjects.map((subject) => [subject.name, digestText(subject.digest)]))
  return [
    section('builder', 'Builder and source', rowsOf(facts(a), facts(b))),
    section('parameters', 'External parameters', rowsOf(flatMap(a.externalParameters), flatMap(b.externalParameters))),
    section('environment', 'Environment (internal parameters)', rowsOf(flatMap(a.internalParameters), flatMap(b.internalParameters))),
    section('dependencies', 'Resolved dependencies', rowsOf(dependencies(a), dependencies(b))),
    section('tools', 'Tool versions', rowsOf(tools(a), tools(b))),
    section('hosts', 'Network hosts contacted', rowsOf(hosts(a), hosts(b)), a.pipeline !== null || b.pipeline !== null),
    section('outputs', 'Outputs (subjects)', rowsOf(outputs(a), outputs(b))),
  ]
}
