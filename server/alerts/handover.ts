import type { Subject, Verification } from '../../src/contract/common'
import type { BuildFactsInput } from '../../domain/alerts/facts'
import type { BuildRecord } from '../documents/records'
import { instant } from '../store/db'

/*
 * Ingest hands the builds it has just stored to the alert engine of the same process, so the engine need not read
 * them back from the database and parse them again (that read was most of what the rules added to ingest).
 *
 * It is only a cache: the engine still decides what to judge from the database (the documents after its position),
 * takes from here only builds it finds there, reads every other build (stored by another server, or before a
 * restart) from the database, and always reads CI telemetry and rebuild verdicts there, since those arrive on their
 * own. A catch-up takes everything handed over so far and drops what it did not use, so nothing handed over outlives
 * the next evaluation (a verdict changed later is read from the database).
 */

/** What the rules read of a stored build, apart from its CI telemetry: as factsInputs reads it back from the database. */
export type HandedBuild = Omit<BuildFactsInput, 'pipeline'> & { sourceCommit: string | null; invocationId: string | null }

/** Handed-over builds wait here per store; a process whose store has no engine keeps at most this many. */
const LIMIT = 5000
const waiting = new WeakMap<object, Map<string, HandedBuild>>()

/** Digests keyed by algorithm in code-unit order, as the database reads them back (ordered by algorithm). */
const sortedDigest = (digest: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(digest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

/** A build as ingest stored it, in the shape the database reads give (instants as ISO text, subjects' digests sorted). */
export function handedBuild(build: BuildRecord, verification: Verification): HandedBuild {
  const subjects: Subject[] = build.subjects.map((subject) => ({ name: subject.name, digest: sortedDigest(subject.digest) }))
  return {
    id: build.id as HandedBuild['id'],
    document: { id: build.documentId },
    project: build.project,
    sourceRepo: build.sourceRepo,
    sourceCommit: build.sourceCommit,
    invocationId: build.invocationId,
    time: instant(build.time),
    startedAt: build.startedAt === null ? null : instant(build.startedAt),
    finishedAt: build.finishedAt === null ? null : instant(build.finishedAt),
    builderId: build.builderId,
    buildType: build.buildType,
    verification,
    // Only the fields the column's schema keeps, as reading the stored JSON back would.
    resolvedDependencies: build.resolvedDependencies.map((dependency) => ({ uri: dependency.uri, name: dependency.name, digest: dependency.digest })),
    subjects,
  }
}

/** Called by ingest once the builds are committed. */
export function handOver(store: object, builds: readonly HandedBuild[]): void {
  if (builds.length === 0) return
  let map = waiting.get(store)
  if (map === undefined) {
    map = new Map()
    waiting.set(store, map)
  }
  for (const build of builds) map.set(build.id, build)
  // Oldest first in a Map: a store nobody evaluates keeps only the newest.
  for (const id of map.keys()) {
    if (map.size <= LIMIT) break
    map.delete(id)
  }
}

/** Everything handed over for this store so far; the next caller starts empty. */
export function takeHandedOver(store: object): Map<string, HandedBuild> {
  const map = waiting.get(store) ?? new Map<string, HandedBuild>()
  waiting.delete(store)
  return map
}
