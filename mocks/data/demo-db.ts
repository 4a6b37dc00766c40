import type { BuildDetail, BuildPage, BuildQuery, BuildSummary, ProjectList } from '../../src/contract/builds'
import { BuildNeighbours, BuildPage as BuildPageSchema } from '../../src/contract/builds'
import { DEMO_BUILD_COUNT, DEMO_SEED, demoBuilds, type DemoBuild } from '../../demo/model'
import { demoBuildDetail, projectList, toSummary } from './factories'
import { withAlertScenarios } from '../../demo/alerts-scenarios'

/**
 * The demo's builds as an in-memory API: what the mocks answer. Built once, lazily, because 1,600 builds with
 * their statements take a moment and many tests never need them.
 */
export type DemoDb = {
  summaries: readonly BuildSummary[]
  /** The demo facts behind each build id. */
  facts: ReadonlyMap<string, DemoBuild>
  listBuilds(query: BuildQuery): BuildPage | { error: 'invalid-cursor' }
  getBuild(id: string): BuildDetail | null
  listProjects(): ProjectList
  /** The same project's builds just before and after; null for an unknown build. */
  neighbours(id: string): BuildNeighbours | null
}

function encodeCursor(offset: number): string {
  return btoa(JSON.stringify({ offset }))
}

function decodeCursor(cursor: string): number | null {
  try {
    const value: unknown = JSON.parse(atob(cursor))
    if (typeof value === 'object' && value !== null && 'offset' in value) {
      const offset = value.offset
      if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset
    }
  } catch {
    // An unreadable cursor is the caller's error; reported below.
  }
  return null
}

export function createDemoDb(builds: readonly DemoBuild[]): DemoDb {
  const details = new Map<string, BuildDetail>()
  const facts = new Map<string, DemoBuild>()
  for (const build of builds) {
    const detail = demoBuildDetail(build)
    details.set(detail.id, detail)
    facts.set(detail.id, build)
  }
  // Newest first, as the API sorts: by time, then by id so that equal times have a stable order.
  const summaries = [...details.values()]
    .map(toSummary)
    .sort((a, b) => (a.time === b.time ? (a.id < b.id ? 1 : -1) : a.time < b.time ? 1 : -1))
  const projects = projectList(summaries)

  return {
    summaries,
    facts,
    listBuilds(query) {
      const offset = query.cursor === undefined ? 0 : decodeCursor(query.cursor)
      if (offset === null) return { error: 'invalid-cursor' }
      const from = query.from === undefined ? null : Date.parse(query.from)
      const to = query.to === undefined ? null : Date.parse(query.to)
      const matching = summaries.filter((build) => {
        if (query.project !== undefined && build.project !== query.project) return false
        if (query.repo !== undefined && build.sourceRepo !== query.repo) return false
        if (query.status !== undefined && build.status !== query.status) return false
        // As the server reads it: a full SHA, or a prefix of 7 or more (the contract lower-cases it).
        if (query.commit !== undefined && !(build.sourceCommit ?? '').startsWith(query.commit)) return false
        const time = Date.parse(build.time)
        if (from !== null && time < from) return false
        if (to !== null && time >= to) return false
        return true
      })
      const items = matching.slice(offset, offset + query.limit)
      const next = offset + items.length
      return BuildPageSchema.parse({ items, nextCursor: next < matching.length ? encodeCursor(next) : null })
    },
    getBuild(id) {
      return details.get(id) ?? null
    },
    listProjects() {
      return projects
    },
    neighbours(id) {
      const build = details.get(id)
      if (!build) return null
      // Newest first, so the previous build is the next one of the same project in the list.
      const list = summaries.filter((summary) => summary.project === build.project)
      const position = list.findIndex((summary) => summary.id === id)
      return BuildNeighbours.parse({ previous: list[position + 1] ?? null, next: list[position - 1] ?? null })
    },
  }
}

let shared: DemoDb | null = null

/** The demo database every handler shares: the same seed as the server's demo. */
export function demoDb(): DemoDb {
  // With the builds after the history that the server's seed adds for the anomaly rules.
  shared ??= createDemoDb(withAlertScenarios(demoBuilds(DEMO_BUILD_COUNT, DEMO_SEED)))
  return shared
}
