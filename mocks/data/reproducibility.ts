import type { Rebuild } from '../../src/contract/rebuilds'
import { RebuilderMatrix, ReproducibilityHistory, ReproducibilitySummary, type HistoryQuery, type MatrixQuery } from '../../src/contract/reproducibility'
import { bucketMs, bucketRange } from '../../domain/buckets'
import { currentStreak, rebuilderOf, rowAgreement } from '../../domain/reproducibility'
import { verdictsNewestFirst, type DemoIndex, type DemoRebuildEntry } from './demo-index'

const iso = (ms: number) => new Date(ms).toISOString()

const projectVerdicts = (index: DemoIndex, project: string): DemoRebuildEntry[] => index.rebuilds.filter((entry) => entry.project === project)

/**
 * The current streak and the last mismatch of a project's verdicts (newest first by time), from the facts the
 * server gathers (server/rebuilds/store.ts) and judged by the same rule: walked in the server's order only as far
 * as the newest verdict of each kind, since ordering ties costs their ids.
 */
function streakAndLastMismatch(entries: readonly DemoRebuildEntry[]) {
  const matched = entries.filter((entry) => entry.facts.verdict === 'match').length
  const mismatched = entries.length - matched
  let newest: DemoRebuildEntry['facts']['verdict'] | null = null
  let sinceOther: number | null = null
  let lastMismatch: Rebuild | null = null
  let position = 0
  for (const entry of verdictsNewestFirst(entries)) {
    newest ??= entry.facts.verdict
    if (entry.facts.verdict !== newest && sinceOther === null) sinceOther = position
    if (entry.facts.verdict === 'mismatch' && lastMismatch === null) lastMismatch = entry.rebuild()
    const otherSeen = sinceOther !== null || (newest === 'match' ? mismatched : matched) === 0
    if (otherSeen && (lastMismatch !== null || mismatched === 0)) break
    position += 1
  }
  return { currentStreak: currentStreak({ newest, matched, mismatched, sinceOther }), lastMismatch, matched, mismatched }
}

/** Per project: counts, current streak, last mismatch. */
export function demoReproducibilitySummary(index: DemoIndex): ReproducibilitySummary {
  const projects = [...new Set(index.rebuilds.map((entry) => entry.project))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return ReproducibilitySummary.parse({
    items: projects.map((project) => {
      const entries = projectVerdicts(index, project)
      const { currentStreak: streak, lastMismatch, matched, mismatched } = streakAndLastMismatch(entries)
      return {
        project,
        rebuilds: entries.length,
        matched,
        mismatched,
        currentStreak: streak,
        lastMismatch,
        lastRebuildAt: entries[0] === undefined ? null : iso(entries[0].time),
      }
    }),
  })
}

/** A project's verdicts per bucket, the range and buckets decided as the server decides them (domain/buckets.ts). */
export function demoHistory(index: DemoIndex, query: HistoryQuery, now: number): ReproducibilityHistory | { error: string; path: string } {
  const range = bucketRange({ bucket: query.bucket, ...(query.from === undefined ? {} : { from: Date.parse(query.from) }), ...(query.to === undefined ? {} : { to: Date.parse(query.to) }) }, now)
  if ('message' in range) return { error: range.message, path: range.path }
  const size = bucketMs(range.size)
  const buckets = Array.from({ length: range.count }, (_, position) => ({ start: iso(range.start + position * size), matched: 0, mismatched: 0 }))
  const entries = projectVerdicts(index, query.project)
  let matched = 0
  let mismatched = 0
  for (const entry of entries) {
    const bucket = entry.time >= range.start && entry.time < range.end ? buckets[Math.floor((entry.time - range.start) / size)] : undefined
    if (bucket === undefined) continue
    if (entry.facts.verdict === 'match') {
      bucket.matched += 1
      matched += 1
    } else {
      bucket.mismatched += 1
      mismatched += 1
    }
  }
  const { currentStreak: streak, lastMismatch } = streakAndLastMismatch(entries)
  return ReproducibilityHistory.parse({
    project: query.project,
    bucket: range.size,
    from: iso(range.start),
    to: iso(range.end),
    buckets,
    matched,
    mismatched,
    currentStreak: streak,
    lastMismatch,
  })
}

/** Rebuilders × the project's most recently rebuilt artifacts, each cell a rebuilder's latest verdict. */
export function demoMatrix(index: DemoIndex, query: MatrixQuery): RebuilderMatrix {
  // The project's verdicts newest first until `limit` distinct artifacts are seen, as the server walks them.
  const chosen: string[] = []
  for (const entry of verdictsNewestFirst(projectVerdicts(index, query.project))) {
    if (chosen.length >= query.limit) break
    if (!chosen.includes(entry.facts.artifact.sha256)) chosen.push(entry.facts.artifact.sha256)
  }
  // Then every verdict on those artifacts, whoever filed it, newest first: a rebuilder's first is its latest.
  const rows = chosen.map((sha256) => ({ sha256, verdicts: [...verdictsNewestFirst(index.rebuildsByArtifact.get(sha256) ?? [])].map((entry) => entry.rebuild()) }))
  const rebuilders = [...new Set(rows.flatMap((row) => row.verdicts.map(rebuilderOf)))].sort()
  return RebuilderMatrix.parse({
    project: query.project,
    rebuilders,
    artifacts: rows.map(({ sha256, verdicts }) => {
      const cells = rebuilders.map((rebuilder) => {
        const latest = verdicts.find((rebuild) => rebuilderOf(rebuild) === rebuilder)
        return latest ? { verdict: latest.verdict, rebuildId: latest.id, time: latest.time, status: latest.status } : null
      })
      return { name: verdicts[0]?.artifact.name ?? null, digest: `sha256:${sha256}`, cells, ...rowAgreement(cells) }
    }),
  })
}
