import type { BuildDetail } from '../../src/contract/builds'
import type { Rebuild } from '../../src/contract/rebuilds'
import type { SignatureRow } from '../../src/contract/signatures'
import { DEMO_BUILD_COUNT, DEMO_SEED, demoBuilds, type DemoBuild } from '../../demo/model'
import { demoRebuilds } from '../../demo/rebuilds'
import { demoDb, type DemoDb } from './demo-db'
import { demoBuildId, demoRebuild, signatureRow } from './factories'

/**
 * The demo's builds and rebuilds indexed the ways the mocks look them up (by artifact, by project, newest first).
 * Built lazily, once, from the same seeded facts the server's demo ingests.
 */
export type DemoIndex = {
  db: DemoDb
  /** Every build's detail, in the database's order (newest first). */
  details: readonly BuildDetail[]
  /** The demo facts behind each build id. */
  facts: ReadonlyMap<string, DemoBuild>
  /** Artifacts by sha256: their names and the builds that list them. */
  artifacts: ReadonlyMap<string, { sha256: string; names: string[]; builds: BuildDetail[] }>
  /** Every rebuild verdict, oldest first. */
  rebuilds: readonly Rebuild[]
  /** Rebuild verdicts per artifact sha256, oldest first. */
  rebuildsByArtifact: ReadonlyMap<string, readonly Rebuild[]>
  /** One verification result a build document, newest ingest first. */
  signatureRows: readonly SignatureRow[]
}

export function createDemoIndex(db: DemoDb, builds: readonly DemoBuild[]): DemoIndex {
  const facts = new Map<string, DemoBuild>()
  for (const build of builds) facts.set(demoBuildId(build), build)
  const details = db.summaries.map((summary) => db.getBuild(summary.id)).filter((detail): detail is BuildDetail => detail !== null)

  const artifacts = new Map<string, { sha256: string; names: string[]; builds: BuildDetail[] }>()
  for (const detail of details) {
    for (const subject of detail.subjects) {
      const sha256 = subject.digest.sha256
      if (sha256 === undefined) continue
      const entry = artifacts.get(sha256) ?? { sha256, names: [], builds: [] }
      if (!entry.names.includes(subject.name)) entry.names.push(subject.name)
      entry.builds.push(detail)
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

  // Newest signing (else ingest) time first, as the server lists them.
  const signatureRows = details.map(signatureRow).sort((a, b) => (a.time === b.time ? 0 : a.time < b.time ? 1 : -1))
  return { db, details, facts, artifacts, rebuilds, rebuildsByArtifact, signatureRows }
}

let shared: DemoIndex | null = null

/** The index every handler shares: the same seed as the server's demo. */
export function demoIndex(): DemoIndex {
  shared ??= createDemoIndex(demoDb(), demoBuilds(DEMO_BUILD_COUNT, DEMO_SEED))
  return shared
}

/** Newest first by an ISO time, as the API sorts. */
export const newestFirst = (a: { time: string }, b: { time: string }) => (a.time === b.time ? 0 : a.time < b.time ? 1 : -1)
