import type { BuildDetail } from '../../src/contract/builds'
import type { VerificationStatus } from '../../src/contract/common'
import type { Rebuild } from '../../src/contract/rebuilds'
import type { ArtifactAttestation } from '../../src/contract/artifacts'
import type { Sbom } from '../../src/contract/sboms'
import type { SignatureRow } from '../../src/contract/signatures'
import { DEMO_BUILD_COUNT, type DemoBuild } from '../../demo/model'
import { demoRebuilds, type DemoRebuild } from '../../demo/rebuilds'
import { demoSbomStatement } from '../../demo/sboms'
import { demoDb, type DemoDb } from './demo-db'
import { demoReleaseKeyIds, rebuilderKeyId } from './documents'
import { demoDeploymentRecords, deploymentSignatureRow } from './lineage-documents'
import { demoRebuild, demoSbom, rebuildIngestedAt, rebuildSignatureRow, rebuildSigningTime, sbomAttestation, sbomIngestedAt, sbomSignatureRow, sbomSigningTime, signatureRow } from './factories'

/**
 * The demo's builds and rebuilds indexed the ways the mocks look them up (by artifact, by project, newest first).
 * Built lazily, once, from the same seeded facts the server's demo ingests.
 *
 * A rebuild's ids cost an Ed25519 signature each (mocks/data/documents.ts), and the demo has thousands, so a
 * verdict is made into its API shape only when a response needs it; counting and filtering use the facts.
 */

/** One rebuild verdict: its facts at once, its API shape (ids included) on first use. */
export type DemoRebuildEntry = {
  facts: DemoRebuild
  /** The project the server files it under: that of the newest build listing the artifact. */
  project: string
  /** Milliseconds; the server orders verdicts by it, then by id. */
  time: number
  rebuild(): Rebuild
}

/** One SBOM a build wrote and attested: the digests it describes at once, its API shapes (a signature each) on first use. */
export type DemoSbomEntry = {
  build: DemoBuild
  /** The sha256 digests of the artifacts it describes (its Statement's subjects). */
  describes: readonly string[]
  /** The project the server files it under: that of the newest build listing what it describes. */
  project: string
  /** Milliseconds: when the mocks say it was ingested (the server returns the most recently stored one first). */
  ingestedAt: number
  sbom(): Sbom
  attestation(): ArtifactAttestation
}

/** One verification result: what the signatures list filters and counts by at once, its row on first use. */
export type DemoSignatureEntry = {
  project: string | null
  signer: string | null
  status: VerificationStatus
  /** Milliseconds. */
  ingestedAt: number
  /** Milliseconds: when it was signed, else ingested; the list is newest first by it and filtered by it. */
  time: number
  row(): SignatureRow
}

export type DemoIndex = {
  db: DemoDb
  /** Every build's detail, in the database's order (newest first). */
  details: readonly BuildDetail[]
  /** The demo facts behind each build id. */
  facts: ReadonlyMap<string, DemoBuild>
  /** Artifacts by sha256: their names and the builds that list them. */
  artifacts: ReadonlyMap<string, { sha256: string; names: string[]; builds: BuildDetail[] }>
  /** Every rebuild verdict, newest first by time; verdicts of equal time are ordered by `verdictsNewestFirst`. */
  rebuilds: readonly DemoRebuildEntry[]
  /** Rebuild verdicts per artifact sha256, newest first by time. */
  rebuildsByArtifact: ReadonlyMap<string, readonly DemoRebuildEntry[]>
  /** SBOM attestations per artifact sha256 they describe, most recently ingested first. */
  sbomsByArtifact: ReadonlyMap<string, readonly DemoSbomEntry[]>
  /** One verification result a document (builds' provenance, SBOM and rebuild attestations), newest first by time. */
  signatures: readonly DemoSignatureEntry[]
}

/** A value made on first use and kept. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined
  return () => (made ??= { value: make() }).value
}

/**
 * Entries in the order the server lists them: newest first and, at equal times, by id descending. `entries` are
 * newest first by time; an id is asked for only within a tie the walk reaches (ids can cost a signature each),
 * and whole ties before `skip` are passed over unsorted. Stop early.
 */
export function* newestFirstThenId<T extends { time: number }>(entries: readonly T[], id: (entry: T) => string, skip = 0): Generator<T> {
  let start = 0
  while (start < entries.length) {
    const time = entries[start]?.time
    let end = start + 1
    while (end < entries.length && entries[end]?.time === time) end++
    if (end > skip) {
      const group = entries.slice(start, end)
      if (group.length > 1) group.sort((a, b) => (id(a) < id(b) ? 1 : -1))
      yield* group.slice(Math.max(0, skip - start))
    }
    start = end
  }
}

/** Rebuild verdicts in the server's order (server/rebuilds/store.ts): newest first, equal times by id descending. */
export const verdictsNewestFirst = (entries: readonly DemoRebuildEntry[]) => newestFirstThenId(entries, (entry) => entry.rebuild().id)

export function createDemoIndex(db: DemoDb, builds: readonly DemoBuild[]): DemoIndex {
  const details = db.summaries.map((summary) => db.getBuild(summary.id)).filter((detail): detail is BuildDetail => detail !== null)
  const byIndex = new Map(builds.map((build) => [build.index, build]))

  const artifacts = new Map<string, { sha256: string; names: string[]; builds: BuildDetail[] }>()
  // Newest build first, so the first build listing an artifact is the one its rebuilds are filed under.
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

  const rebuilds: DemoRebuildEntry[] = demoRebuilds(builds).map((rebuild) => {
    // The server files a verdict under the project of the newest build listing the artifact, else its name.
    const project = artifacts.get(rebuild.artifact.sha256)?.builds[0]?.project ?? byIndex.get(rebuild.buildIndex)?.project ?? rebuild.artifact.name
    return { facts: rebuild, project, time: rebuild.finishedAt, rebuild: once(() => demoRebuild(rebuild, project)) }
  })
  // Newest first by time; a stable sort keeps equal times in the demo's order until verdictsNewestFirst orders them.
  rebuilds.reverse().sort((a, b) => b.time - a.time)
  const rebuildsByArtifact = new Map<string, DemoRebuildEntry[]>()
  for (const entry of rebuilds) {
    const list = rebuildsByArtifact.get(entry.facts.artifact.sha256) ?? []
    list.push(entry)
    rebuildsByArtifact.set(entry.facts.artifact.sha256, list)
  }

  const sboms: DemoSbomEntry[] = builds.flatMap((build) => {
    const statement = demoSbomStatement(build)
    if (statement === null) return []
    const describes = (statement.subject as { digest: { sha256: string } }[]).map((subject) => subject.digest.sha256)
    // As the server files it: under the project of the newest build listing a digest it describes.
    const project = describes.map((sha256) => artifacts.get(sha256)?.builds[0]).find((detail) => detail !== undefined)?.project ?? build.project
    const sbom = once(() => {
      const made = demoSbom(build)
      if (made === null) throw new Error(`demo build ${build.index} wrote no SBOM`)
      return made
    })
    const attestation = once(() => {
      const made = sbomAttestation(build)
      if (made === null) throw new Error(`demo build ${build.index} wrote no SBOM`)
      return made
    })
    return [{ build, describes, project, ingestedAt: sbomIngestedAt(build), sbom, attestation }]
  })
  const sbomsByArtifact = new Map<string, DemoSbomEntry[]>()
  for (const entry of [...sboms].sort((a, b) => b.ingestedAt - a.ingestedAt)) {
    for (const sha256 of entry.describes) sbomsByArtifact.set(sha256, [...(sbomsByArtifact.get(sha256) ?? []), entry])
  }

  const signatures: DemoSignatureEntry[] = [
    ...details.map((detail) => {
      const row = signatureRow(detail)
      return { project: row.project, signer: row.signer, status: row.status, ingestedAt: Date.parse(row.ingestedAt), time: Date.parse(row.time), row: () => row }
    }),
    ...rebuilds.map((entry) => ({
      project: entry.project,
      signer: rebuilderKeyId(entry.facts.rebuilderId),
      status: 'verified' as const,
      ingestedAt: rebuildIngestedAt(entry.facts),
      time: rebuildSigningTime(entry.facts) ?? rebuildIngestedAt(entry.facts),
      row: once(() => rebuildSignatureRow(entry.facts, entry.project)),
    })),
    ...sboms.map((entry) => ({
      project: entry.project,
      signer: demoReleaseKeyIds[entry.build.keyAlgorithm],
      status: 'verified' as const,
      ingestedAt: entry.ingestedAt,
      time: sbomSigningTime(entry.build) ?? entry.ingestedAt,
      row: once(() => {
        const row = sbomSignatureRow(entry.build, entry.project)
        if (row === null) throw new Error(`demo build ${entry.build.index} wrote no SBOM`)
        return row
      }),
    })),
    // Deployment attestations the demo's deploy pipeline signed (demo/deployments.ts), ingested when deployed.
    ...demoDeploymentRecords(builds).flatMap((record) => {
      const row = deploymentSignatureRow(record)
      return row === null ? [] : [{ project: null, signer: row.signer, status: row.status, ingestedAt: Date.parse(row.ingestedAt), time: Date.parse(row.time), row: () => row }]
    }),
  ].sort((a, b) => b.time - a.time)
  return { db, details, facts: db.facts, artifacts, rebuilds, rebuildsByArtifact, sbomsByArtifact, signatures }
}

let shared: DemoIndex | null = null

/** The index every handler shares: the same seed as the server's demo. */
export function demoIndex(): DemoIndex {
  // The database's facts are the demo's builds in their order: made once, not again here (hashing each build's
  // SBOM file makes demoBuilds() cost a moment). The seed rebuilds only the demo's history, not the alert scenario
  // builds the database also lists (indexes from DEMO_BUILD_COUNT on), so neither do these.
  shared ??= createDemoIndex(demoDb(), [...demoDb().facts.values()].filter((build) => build.index < DEMO_BUILD_COUNT))
  return shared
}

/** Newest first by an ISO time, as the API sorts. */
export const newestFirst = (a: { time: string }, b: { time: string }) => (a.time === b.time ? 0 : a.time < b.time ? 1 : -1)
