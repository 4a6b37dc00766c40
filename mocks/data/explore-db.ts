import type { BuildDetail, BuildSummary } from '../../src/contract/builds'
import { ArtifactDetail } from '../../src/contract/artifacts'
import { BuildNeighbours } from '../../src/contract/builds'
import { RebuilderMatrix, ReproducibilityHistory, ReproducibilitySummary, type HistoryBucket, type HistoryQuery, type MatrixQuery } from '../../src/contract/reproducibility'
import { SearchResponse, type SearchResult } from '../../src/contract/search'
import { SignaturePage, type SignatureQuery, type SignatureRow, type StatusCounts } from '../../src/contract/signatures'
import type { Rebuild } from '../../src/contract/rebuilds'
import { demoDb, type DemoDb } from './demo-db'
import { DEMO_BUILD_COUNT, DEMO_END, DEMO_SEED, demoBuilds, type DemoBuild } from '../../demo/model'
import { demoRebuilds } from '../../demo/rebuilds'
import { buildAttestation, demoBuildId, demoRebuild, demoSbom, signatureRow, sigstoreAttestation, toSummary } from './factories'

/**
 * The explore endpoints (artifacts, signatures, reproducibility, neighbours, search) over the demo's builds and
 * rebuilds: what the mocks answer. Built lazily, once, from the same seeded facts the server's demo ingests.
 */
export type ExploreDb = {
  artifact(digest: string): ArtifactDetail | null
  signatures(query: SignatureQuery): SignaturePage | { error: 'invalid-cursor' }
  summary(): ReproducibilitySummary
  history(query: HistoryQuery, now?: number): ReproducibilityHistory
  matrix(query: MatrixQuery): RebuilderMatrix
  neighbours(id: string): BuildNeighbours | null
  search(q: string): SearchResponse
  /** Every rebuild, oldest first. */
  rebuilds: readonly Rebuild[]
}

const DAY = 86_400_000

type ArtifactEntry = { sha256: string; names: string[]; builds: BuildDetail[]; facts: DemoBuild[] }

const newestFirst = (a: { time: string }, b: { time: string }) => (a.time === b.time ? 0 : a.time < b.time ? 1 : -1)

function normaliseDigest(value: string): string | null {
  const match = /^(?:sha256:)?([0-9a-fA-F]{12,64})$/.exec(value.trim())
  return match?.[1] ? match[1].toLowerCase() : null
}

function streakOf(rebuilds: readonly Rebuild[]): { verdict: 'match' | 'mismatch'; length: number } | null {
  const [latest] = rebuilds
  if (!latest) return null
  let length = 0
  for (const rebuild of rebuilds) {
    if (rebuild.verdict !== latest.verdict) break
    length++
  }
  return { verdict: latest.verdict, length }
}

/** UTC midnight of the day, or of the Monday of the week, containing `time`. */
export function bucketStart(time: number, bucket: 'day' | 'week'): number {
  const day = Math.floor(time / DAY) * DAY
  if (bucket === 'day') return day
  const weekday = (new Date(day).getUTCDay() + 6) % 7
  return day - weekday * DAY
}

export function createExploreDb(db: DemoDb, builds: readonly DemoBuild[]): ExploreDb {
  const facts = new Map<string, DemoBuild>()
  for (const build of builds) facts.set(demoBuildId(build), build)
  const details = db.summaries.map((summary) => db.getBuild(summary.id)).filter((detail): detail is BuildDetail => detail !== null)

  const artifacts = new Map<string, ArtifactEntry>()
  for (const detail of details) {
    for (const subject of detail.subjects) {
      const sha256 = subject.digest.sha256
      if (sha256 === undefined) continue
      const entry = artifacts.get(sha256) ?? { sha256, names: [], builds: [], facts: [] }
      if (!entry.names.includes(subject.name)) entry.names.push(subject.name)
      entry.builds.push(detail)
      const fact = facts.get(detail.id)
      if (fact) entry.facts.push(fact)
      artifacts.set(sha256, entry)
    }
  }

  const rebuilds = demoRebuilds(builds).map(demoRebuild)
  const rebuildsByArtifact = new Map<string, Rebuild[]>()
  for (const rebuild of rebuilds) {
    const sha256 = rebuild.artifact.digest.sha256 ?? ''
    const list = rebuildsByArtifact.get(sha256) ?? []
    list.push(rebuild)
    rebuildsByArtifact.set(sha256, list)
  }
  const newestRebuilds = [...rebuilds].reverse()

  const signatureRows = details.map(signatureRow).sort((a, b) => (a.ingestedAt === b.ingestedAt ? 0 : a.ingestedAt < b.ingestedAt ? 1 : -1))
  const byProject = new Map<string, BuildSummary[]>()
  for (const summary of db.summaries) {
    const list = byProject.get(summary.project) ?? []
    list.push(summary)
    byProject.set(summary.project, list)
  }

  function artifact(digest: string): ArtifactDetail | null {
    const hex = normaliseDigest(digest)
    if (hex === null) return null
    const entry = artifacts.get(hex) ?? [...artifacts.values()].find((candidate) => candidate.sha256.startsWith(hex))
    if (!entry) return null
    const builds = [...entry.builds].sort(newestFirst)
    const newest = builds[0] ?? null
    const newestFact = newest ? facts.get(newest.id) : undefined
    const artifactRebuilds = [...(rebuildsByArtifact.get(entry.sha256) ?? [])].reverse()
    const latestByRebuilder = new Map<string, Rebuild>()
    for (const rebuild of artifactRebuilds) if (!latestByRebuilder.has(rebuild.rebuilderId ?? '')) latestByRebuilder.set(rebuild.rebuilderId ?? '', rebuild)
    const latest = [...latestByRebuilder.values()]
    return ArtifactDetail.parse({
      digest: `sha256:${entry.sha256}`,
      digests: { sha256: entry.sha256 },
      names: [...entry.names],
      producedBy: newest ? toSummary(newest) : null,
      builds: builds.slice(0, 20).map(toSummary),
      attestations: builds.flatMap((build) => [buildAttestation(build), ...(build.project === 'acme/cli' ? [sigstoreAttestation(build)] : [])]),
      sbom: newestFact ? demoSbom(newestFact, { name: entry.names[0] ?? '', sha256: entry.sha256 }) : null,
      rebuilds: artifactRebuilds,
      reproducibility: {
        rebuilders: latest.length,
        matched: latest.filter((rebuild) => rebuild.verdict === 'match').length,
        mismatched: latest.filter((rebuild) => rebuild.verdict === 'mismatch').length,
      },
      deployments: [],
    })
  }

  function signatures(query: SignatureQuery): SignaturePage | { error: 'invalid-cursor' } {
    const offset = query.cursor === undefined ? 0 : Number.parseInt(atob(query.cursor), 10)
    if (!Number.isInteger(offset) || offset < 0) return { error: 'invalid-cursor' }
    const from = query.from === undefined ? null : Date.parse(query.from)
    const to = query.to === undefined ? null : Date.parse(query.to)
    const counts: StatusCounts = { verified: 0, failed: 0, untrusted: 0, unsigned: 0, unverifiable: 0 }
    const matching: SignatureRow[] = []
    for (const row of signatureRows) {
      if (query.project !== undefined && row.project !== query.project) continue
      if (query.signer !== undefined && row.signer !== query.signer) continue
      const time = Date.parse(row.ingestedAt)
      if (from !== null && time < from) continue
      if (to !== null && time >= to) continue
      counts[row.status] += 1
      if (query.status !== undefined && row.status !== query.status) continue
      matching.push(row)
    }
    const items = matching.slice(offset, offset + query.limit)
    const next = offset + items.length
    return SignaturePage.parse({ items, nextCursor: next < matching.length ? btoa(String(next)) : null, counts })
  }

  function summary(): ReproducibilitySummary {
    const projects = new Map<string, Rebuild[]>()
    for (const rebuild of newestRebuilds) {
      const list = projects.get(rebuild.project) ?? []
      list.push(rebuild)
      projects.set(rebuild.project, list)
    }
    return ReproducibilitySummary.parse({
      items: [...projects.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([project, list]) => ({
          project,
          rebuilds: list.length,
          matched: list.filter((rebuild) => rebuild.verdict === 'match').length,
          mismatched: list.filter((rebuild) => rebuild.verdict === 'mismatch').length,
          currentStreak: streakOf(list),
          lastMismatch: list.find((rebuild) => rebuild.verdict === 'mismatch') ?? null,
          lastRebuildAt: list[0]?.time ?? null,
        })),
    })
  }

  function history(query: HistoryQuery, now = DEMO_END): ReproducibilityHistory {
    const to = query.to === undefined ? now : Date.parse(query.to)
    const from = query.from === undefined ? to - 30 * DAY : Date.parse(query.from)
    const bucket = query.bucket === 'auto' ? (to - from <= 120 * DAY ? 'day' : 'week') : query.bucket
    const size = bucket === 'day' ? DAY : 7 * DAY
    const buckets: HistoryBucket[] = []
    const index = new Map<number, HistoryBucket>()
    for (let start = bucketStart(from, bucket); start < to; start += size) {
      const entry = { start: new Date(start).toISOString(), matched: 0, mismatched: 0 }
      buckets.push(entry)
      index.set(start, entry)
    }
    const inRange = newestRebuilds.filter((rebuild) => {
      const time = Date.parse(rebuild.time)
      return rebuild.project === query.project && time >= from && time < to
    })
    for (const rebuild of inRange) {
      const entry = index.get(bucketStart(Date.parse(rebuild.time), bucket))
      if (!entry) continue
      if (rebuild.verdict === 'match') entry.matched += 1
      else entry.mismatched += 1
    }
    const all = newestRebuilds.filter((rebuild) => rebuild.project === query.project)
    return ReproducibilityHistory.parse({
      project: query.project,
      bucket,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      buckets,
      matched: inRange.filter((rebuild) => rebuild.verdict === 'match').length,
      mismatched: inRange.filter((rebuild) => rebuild.verdict === 'mismatch').length,
      currentStreak: streakOf(all),
      lastMismatch: all.find((rebuild) => rebuild.verdict === 'mismatch') ?? null,
    })
  }

  function matrix(query: MatrixQuery): RebuilderMatrix {
    const rows = new Map<string, Rebuild[]>()
    for (const rebuild of newestRebuilds) {
      if (rebuild.project !== query.project) continue
      const sha256 = rebuild.artifact.digest.sha256 ?? ''
      if (!rows.has(sha256) && rows.size >= query.limit) continue
      const list = rows.get(sha256) ?? []
      list.push(rebuild)
      rows.set(sha256, list)
    }
    const rebuilders = [...new Set([...rows.values()].flat().map((rebuild) => rebuild.rebuilderId ?? 'unknown'))].sort()
    return RebuilderMatrix.parse({
      project: query.project,
      rebuilders,
      artifacts: [...rows.entries()].map(([sha256, list]) => {
        const cells = rebuilders.map((rebuilder) => {
          const latest = list.find((rebuild) => (rebuild.rebuilderId ?? 'unknown') === rebuilder)
          return latest ? { verdict: latest.verdict, rebuildId: latest.id, time: latest.time } : null
        })
        return {
          name: list[0]?.artifact.name ?? null,
          digest: `sha256:${sha256}`,
          cells,
          agree: cells.filter((cell) => cell?.verdict === 'match').length,
          total: cells.filter((cell) => cell !== null).length,
        }
      }),
    })
  }

  function neighbours(id: string): BuildNeighbours | null {
    const build = db.summaries.find((summary) => summary.id === id)
    if (!build) return null
    // Newest first, so the previous build is the next entry.
    const list = byProject.get(build.project) ?? []
    const position = list.findIndex((summary) => summary.id === id)
    return BuildNeighbours.parse({ previous: list[position + 1] ?? null, next: list[position - 1] ?? null })
  }

  function search(q: string): SearchResponse {
    const query = q.trim()
    const results: SearchResult[] = []
    const hex = normaliseDigest(query)
    let interpretedAs: SearchResponse['interpretedAs'] = 'text'
    if (hex !== null) {
      interpretedAs = 'digest'
      for (const entry of artifacts.values()) {
        if (!entry.sha256.startsWith(hex)) continue
        const newest = [...entry.builds].sort(newestFirst)[0]
        results.push({
          kind: 'artifact',
          title: entry.names[0] ?? `sha256:${entry.sha256.slice(0, 12)}`,
          detail: `sha256:${entry.sha256.slice(0, 12)}… · ${newest?.project ?? ''}`,
          target: { type: 'artifact', digest: `sha256:${entry.sha256}` },
        })
      }
      if (!query.includes(':')) {
        for (const summary of db.summaries) {
          if (summary.id.startsWith(hex)) {
            if (hex.length === 64) interpretedAs = 'build-id'
            results.push({ kind: 'build', title: `${summary.project} build`, detail: `build ${summary.id.slice(0, 12)}… · ${summary.time}`, target: { type: 'build', id: summary.id } })
          } else if (summary.sourceCommit?.startsWith(hex)) {
            if (results.length === 0) interpretedAs = 'commit'
            results.push({ kind: 'commit', title: `${summary.project} @ ${summary.sourceCommit.slice(0, 7)}`, detail: `build ${summary.id.slice(0, 12)}… · ${summary.time}`, target: { type: 'build', id: summary.id } })
          }
        }
      }
    } else {
      const needle = query.toLowerCase()
      const purl = /^pkg:[^/]+\/([^@]+)@?(.*)$/.exec(needle)
      if (purl) {
        for (const summary of db.summaries) {
          const detail = db.getBuild(summary.id)
          if (detail?.resolvedDependencies.some((dependency) => dependency.uri?.toLowerCase().startsWith(needle))) {
            results.push({ kind: 'package', title: query, detail: `${summary.project} build ${summary.id.slice(0, 12)}… · ${summary.time}`, target: { type: 'build', id: summary.id } })
          }
          if (results.length >= 10) break
        }
      } else {
        const signers = new Set(signatureRows.map((row) => row.signer).filter((signer): signer is string => signer !== null && signer.toLowerCase().includes(needle)))
        for (const signer of signers) results.push({ kind: 'signer', title: signer, detail: 'signer identity', target: { type: 'signatures', signer } })
        const seen = new Set<string>()
        for (const summary of db.summaries) {
          for (const subject of summary.subjects) {
            const sha256 = subject.digest.sha256
            if (sha256 === undefined || seen.has(sha256) || !subject.name.toLowerCase().includes(needle)) continue
            seen.add(sha256)
            results.push({ kind: 'artifact', title: subject.name, detail: `sha256:${sha256.slice(0, 12)}… · ${summary.project} · ${summary.time}`, target: { type: 'artifact', digest: `sha256:${sha256}` } })
          }
          if (seen.size >= 10) break
        }
      }
    }
    return SearchResponse.parse({ query, interpretedAs, results: results.slice(0, 20) })
  }

  return { artifact, signatures, summary, history, matrix, neighbours, search, rebuilds }
}

let shared: ExploreDb | null = null

/** The explore data every handler shares: the same seed as the server's demo. */
export function exploreDb(): ExploreDb {
  shared ??= createExploreDb(demoDb(), demoBuilds(DEMO_BUILD_COUNT, DEMO_SEED))
  return shared
}
