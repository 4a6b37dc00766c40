import type { BuildSummary } from '../../src/contract/builds'
import { SearchResponse, type SearchResult } from '../../src/contract/search'
import { splitDigest } from '../../domain/digests'
import { MAX_NAME_ARTIFACTS, nameCountCap, nameSummary, projectSummary, searchReadings, signerSummary } from '../../domain/search-query'
import { newestFirst, type DemoIndex } from './demo-index'

const MAX_RESULTS = 20
const short = (hex: string) => (hex.length > 12 ? `${hex.slice(0, 12)}…` : hex)

function buildResult(build: BuildSummary, kind: 'build' | 'commit', title: string): SearchResult {
  return { kind, title, detail: `${build.project} · ${build.status}`, when: { what: 'built', at: build.time }, target: { type: 'build', id: build.id } }
}

function digestResults(index: DemoIndex, text: string): SearchResult[] {
  const { algorithm, value } = splitDigest(text)
  if (algorithm !== null && algorithm !== 'sha256') return []
  const exact = index.artifacts.get(value)
  const entries = exact
    ? [exact]
    : [...index.artifacts.values()].filter((entry) => entry.sha256.startsWith(value)).sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1))
  return entries.slice(0, MAX_RESULTS).map((entry) => {
    const newest = [...entry.builds].sort(newestFirst)[0]
    return {
      kind: 'artifact',
      title: entry.names[0] ?? `sha256:${short(entry.sha256)}`,
      detail: `sha256:${short(entry.sha256)} · ${newest ? newest.project : 'described by an SBOM'}`,
      when: newest ? { what: 'built', at: newest.time } : null,
      target: { type: 'artifact', digest: `sha256:${entry.sha256}` },
    }
  })
}

function textResults(index: DemoIndex, text: string): SearchResult[] {
  const exact: SearchResult[] = []
  const prefixed: SearchResult[] = []
  const place = (value: string, result: SearchResult) => (value === text ? exact : prefixed).push(result)
  // Summaries are newest first, so the first subject seen of a name is its newest and the lists come out newest first.
  const names = new Map<string, { artifacts: Map<string, { project: string; time: string }>; builds: Set<string> }>()
  for (const summary of index.db.summaries) {
    for (const subject of summary.subjects) {
      const sha256 = subject.digest.sha256
      if (sha256 === undefined || !subject.name.startsWith(text)) continue
      const entry = names.get(subject.name) ?? { artifacts: new Map(), builds: new Set() }
      names.set(subject.name, entry)
      entry.builds.add(summary.id)
      if (!entry.artifacts.has(sha256)) entry.artifacts.set(sha256, { project: summary.project, time: summary.time })
    }
  }
  for (const [name, { artifacts, builds }] of [...names.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).slice(0, MAX_RESULTS)) {
    const entries = [...artifacts.entries()]
    const [newest] = entries
    if (newest === undefined) continue
    if (entries.length === 1) {
      place(name, {
        kind: 'artifact',
        title: name,
        detail: `${newest[1].project} · sha256:${short(newest[0])}`,
        when: { what: 'newest built', at: newest[1].time },
        target: { type: 'artifact', digest: `sha256:${newest[0]}` },
      })
      continue
    }
    // The server lists a name's artifacts from its 200 newest subject rows and counts builds to a cap; a name found
    // by prefix only says that several artifacts carry it.
    const exact = name === text
    const listed = entries.slice(0, 200)
    const cap = nameCountCap(exact)
    place(name, {
      kind: 'artifact',
      title: name,
      detail: nameSummary(name, exact ? listed.length : null, entries.length > 200, Math.min(builds.size, cap), builds.size >= cap),
      when: { what: 'newest built', at: newest[1].time },
      target: { type: 'artifacts', name },
    })
    if (!exact) continue
    listed.slice(0, MAX_NAME_ARTIFACTS).forEach(([sha256, where], position) => {
      place(name, {
        kind: 'artifact',
        title: `${name} (${position === 0 ? 'newest' : `${position + 1} of ${listed.length}`})`,
        detail: `${where.project} · sha256:${short(sha256)}`,
        when: { what: 'built', at: where.time },
        target: { type: 'artifact', digest: `sha256:${sha256}` },
      })
    })
  }
  const projects = new Map<string, number>()
  for (const summary of index.db.summaries) if (summary.project.startsWith(text)) projects.set(summary.project, (projects.get(summary.project) ?? 0) + 1)
  for (const [project, builds] of [...projects.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).slice(0, MAX_RESULTS)) {
    place(project, { kind: 'project', title: project, detail: projectSummary(builds), when: null, target: { type: 'builds', project } })
  }
  const signers = new Map<string, number>()
  for (const entry of index.signatures)
    if (entry.signer !== null && entry.signer.startsWith(text)) signers.set(entry.signer, (signers.get(entry.signer) ?? 0) + 1)
  for (const [signer, count] of [...signers.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).slice(0, MAX_RESULTS)) {
    place(signer, { kind: 'signer', title: signer, detail: signerSummary(count), when: null, target: { type: 'signatures', signer } })
  }
  return [...exact, ...prefixed]
}

/** The demo searched as the server searches: the same readings (domain/search-query.ts), tried in order. */
export function demoSearch(index: DemoIndex, q: string): SearchResponse {
  const query = q.trim()
  const lower = query.toLowerCase()
  const respond = (interpretedAs: SearchResponse['interpretedAs'], results: SearchResult[]) =>
    SearchResponse.parse({ query, interpretedAs, results: results.slice(0, MAX_RESULTS) })
  for (const reading of searchReadings(query)) {
    if (reading === 'build-id') {
      const build = index.db.summaries.find((summary) => summary.id === lower)
      if (build) return respond('build-id', [buildResult(build, 'build', build.project), ...digestResults(index, lower)])
    } else if (reading === 'commit') {
      const builds = index.db.summaries.filter((summary) => summary.sourceCommit === lower)
      if (builds.length > 0)
        return respond(
          'commit',
          builds.map((build) => buildResult(build, 'commit', `commit ${lower.slice(0, 12)}`)),
        )
    } else if (reading === 'commit-prefix') {
      // Distinct commits in byte order, each one's builds newest first, as the server seeks them.
      const commits = [...new Set(index.db.summaries.flatMap((summary) => (summary.sourceCommit?.startsWith(lower) ? [summary.sourceCommit] : [])))].sort()
      const builds = commits.flatMap((commit) =>
        index.db.summaries.filter((summary) => summary.sourceCommit === commit).map((build) => buildResult(build, 'commit', `commit ${commit.slice(0, 12)}`)),
      )
      if (builds.length > 0) return respond('commit', builds)
    } else if (reading === 'build-id-prefix') {
      const builds = index.db.summaries.filter((summary) => summary.id.startsWith(lower)).sort((a, b) => (a.id < b.id ? -1 : 1))
      if (builds.length > 0)
        return respond(
          'build-id',
          builds.slice(0, MAX_RESULTS).map((build) => buildResult(build, 'build', `build ${build.id.slice(0, 12)}`)),
        )
    } else if (reading === 'digest') {
      return respond('digest', digestResults(index, lower))
    } else {
      return respond('text', textResults(index, query))
    }
  }
  return respond('text', [])
}
