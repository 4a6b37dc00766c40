import type { Rebuild } from '../../src/contract/rebuilds'
import { RebuilderMatrix, ReproducibilityHistory, ReproducibilitySummary, type HistoryQuery, type MatrixQuery } from '../../src/contract/reproducibility'
import { bucketMs, bucketRange } from '../../domain/buckets'
import { currentStreak, rebuilderOf, rowAgreement, streakFactsOf } from '../../domain/reproducibility'
import type { DemoIndex } from './demo-index'

const newestRebuilds = (index: DemoIndex, project?: string): Rebuild[] => [...index.rebuilds].reverse().filter((rebuild) => project === undefined || rebuild.project === project)

const streakOf = (rebuilds: readonly Rebuild[]) => currentStreak(streakFactsOf(rebuilds.map((rebuild) => rebuild.verdict)))

/** Per project: counts, current streak, last mismatch. */
export function demoReproducibilitySummary(index: DemoIndex): ReproducibilitySummary {
  const projects = new Map<string, Rebuild[]>()
  for (const rebuild of newestRebuilds(index)) {
    const list = projects.get(rebuild.project) ?? []
    list.push(rebuild)
    projects.set(rebuild.project, list)
  }
  return ReproducibilitySummary.parse({
    items: [...projects.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
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

/** A project's verdicts per bucket, the range and buckets decided as the server decides them (domain/buckets.ts). */
export function demoHistory(index: DemoIndex, query: HistoryQuery, now: number): ReproducibilityHistory | { error: string; path: string } {
  const range = bucketRange({ bucket: query.bucket, ...(query.from === undefined ? {} : { from: Date.parse(query.from) }), ...(query.to === undefined ? {} : { to: Date.parse(query.to) }) }, now)
  if ('message' in range) return { error: range.message, path: range.path }
  const size = bucketMs(range.size)
  const buckets = Array.from({ length: range.count }, (_, position) => ({ start: new Date(range.start + position * size).toISOString(), matched: 0, mismatched: 0 }))
  const all = newestRebuilds(index, query.project)
  let matched = 0
  let mismatched = 0
  for (const rebuild of all) {
    const time = Date.parse(rebuild.time)
    const bucket = time >= range.start && time < range.end ? buckets[Math.floor((time - range.start) / size)] : undefined
    if (bucket === undefined) continue
    if (rebuild.verdict === 'match') {
      bucket.matched += 1
      matched += 1
    } else {
      bucket.mismatched += 1
      mismatched += 1
    }
  }
  return ReproducibilityHistory.parse({
    project: query.project,
    bucket: range.size,
    from: new Date(range.start).toISOString(),
    to: new Date(range.end).toISOString(),
    buckets,
    matched,
    mismatched,
    currentStreak: streakOf(all),
    lastMismatch: all.find((rebuild) => rebuild.verdict === 'mismatch') ?? null,
  })
}

/** Rebuilders × the project's most recently rebuilt artifacts, each cell a rebuilder's latest verdict. */
export function demoMatrix(index: DemoIndex, query: MatrixQuery): RebuilderMatrix {
  const rows = new Map<string, Rebuild[]>()
  for (const rebuild of newestRebuilds(index, query.project)) {
    const sha256 = rebuild.artifact.digest.sha256 ?? ''
    if (!rows.has(sha256) && rows.size >= query.limit) continue
    const list = rows.get(sha256) ?? []
    list.push(rebuild)
    rows.set(sha256, list)
  }
  const rebuilders = [...new Set([...rows.values()].flat().map(rebuilderOf))].sort()
  return RebuilderMatrix.parse({
    project: query.project,
    rebuilders,
    artifacts: [...rows.entries()].map(([sha256, list]) => {
      const cells = rebuilders.map((rebuilder) => {
        const latest = list.find((rebuild) => rebuilderOf(rebuild) === rebuilder)
        return latest ? { verdict: latest.verdict, rebuildId: latest.id, time: latest.time } : null
      })
      return { name: list[0]?.artifact.name ?? null, digest: `sha256:${sha256}`, cells, ...rowAgreement(cells) }
    }),
  })
}
