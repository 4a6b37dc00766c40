import type { BuildSummary } from '../../src/contract/builds'
import { SearchResponse, type SearchResult } from '../../src/contract/search'
import { splitDigest } from '../../domain/digests'
import { searchReadings } from '../../domain/search-query'
import { newestFirst, type DemoIndex } from './demo-index'

const MAX_RESULTS = 20
const short = (hex: string) => (hex.length > 12 ? `${hex.slice(0, 12)}…` : hex)

function buildResult(build: BuildSummary, kind: 'build' | 'commit', title: string): SearchResult {
  return { kind, title, detail: `${build.project} · built ${build.time} · ${build.status}`, target: { type: 'build', id: build.id } }
}

function digestResults(index: DemoIndex, text: string): SearchResult[] {
  const { algorithm, value } = splitDigest(text)
  if (algorithm !== null && algorithm !== 'sha256') return []
  const exact = index.artifacts.get(value)
  const entries = exact ? [exact] : [...index.artifacts.values()].filter((entry) => entry.sha256.startsWith(value)).sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1))
  return entries.slice(0, MAX_RESULTS).map((entry) => {
    const newest = [...entry.builds].sort(newestFirst)[0]
    return {
      kind: 'artifact',
      title: entry.names[0] ?? `sha256:${short(entry.sha256)}`,
      detail: `sha256:${short(entry.sha256)} · ${newest ? `${newest.project} · built ${newest.time}` : 'described by an SBOM'}`,
      target: { type: 'artifact', digest: `sha256:${entry.sha256}` },
    }
  })
}

function textResults(index: DemoIndex, text: string): SearchResult[] {
  const exact: SearchResult[] = []
  const prefixed: SearchResult[] = []
  const place = (value: string, result: SearchResult) => (value === text ? exact : prefixed).push(result)
  const names = new Map<string, { sha256: string; project: string; time: string }>()
  for (const summary of index.db.summaries) {
    for (const subject of summary.subjects) {
      const sha256 = subject.digest.sha256
      if (sha256 !== undefined && subject.name.startsWith(text) && !names.has(subject.name)) names.set(subject.name, { sha256, project: summary.project, time: summary.time })
    }
  }
  for (const [name, newest] of [...names.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).slice(0, MAX_RESULTS)) {
    place(name, { kind: 'artifact', title: name, detail: `${newest.project} · newest built ${newest.time} · sha256:${short(newest.sha256)}`, target: { type: 'artifact', digest: `sha256:${newest.sha256}` } })
  }
  const signers = new Map<string, number>()
  for (const row of index.signatureRows) if (row.signer !== null && row.signer.startsWith(text)) signers.set(row.signer, (signers.get(row.signer) ?? 0) + 1)
  for (const [signer, count] of [...signers.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).slice(0, MAX_RESULTS)) {
    place(signer, { kind: 'signer', title: signer, detail: `signer of ${count >= 1000 ? '1,000+' : count} document${count === 1 ? '' : 's'}`, target: { type: 'signatures', signer } })
  }
  return [...exact, ...prefixed]
}

/** The demo searched as the server searches: the same readings (domain/search-query.ts), tried in order. */
export function demoSearch(index: DemoIndex, q: string): SearchResponse {
  const query = q.trim()
  const lower = query.toLowerCase()
  const respond = (interpretedAs: SearchResponse['interpretedAs'], results: SearchResult[]) => SearchResponse.parse({ query, interpretedAs, results: results.slice(0, MAX_RESULTS) })
  for (const reading of searchReadings(query)) {
    if (reading === 'build-id') {
      const build = index.db.summaries.find((summary) => summary.id === lower)
      if (build) return respond('build-id', [buildResult(build, 'build', build.project), ...digestResults(index, lower)])
    } else if (reading === 'commit') {
      const builds = index.db.summaries.filter((summary) => summary.sourceCommit === lower)
      if (builds.length > 0) return respond('commit', builds.map((build) => buildResult(build, 'commit', `commit ${lower.slice(0, 12)}`)))
    } else if (reading === 'digest') {
      return respond('digest', digestResults(index, lower))
    } else {
      return respond('text', textResults(index, query))
    }
  }
  return respond('text', [])
}
