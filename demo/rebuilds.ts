import type { DiffoscopeDifference, DiffoscopeSummary } from '../src/contract/rebuilds'
import { DEMO_END, DEMO_SEED, type DemoBuild } from './model'
import { seededRandom, type Random } from './random'

/**
 * The demo's rebuilds as plain facts: independent rebuilders reproducing the artifacts of `demoBuilds()`.
 * The server's demo seed signs each as a rebuild attestation (docs/rebuild-predicate.md) with its rebuilder's
 * key and ingests it; the MSW mocks turn the same facts into API responses. Pure and seeded: the same builds
 * always give the same rebuilds.
 *
 * Shape of the history: most builds are rebuilt, each by one to three rebuilders, minutes to hours after the
 * build finished. Mismatches come mostly in bad stretches (a few days in which a project's build embedded
 * something non-deterministic, so every rebuilder disagrees with the published digest), plus the odd
 * one-rebuilder flake, so the history chart has dips and the matrix shows "2 of 3 agree".
 */

export type DemoRebuilder = {
  id: string
  /** How long after the build finished this rebuilder starts, in minutes. */
  delayMinutes: readonly [number, number]
  /** Chance that one of its rebuilds differs for reasons of its own (a bad worker), outside bad stretches. */
  flakiness: number
}

export const demoRebuilders: readonly DemoRebuilder[] = [
  { id: 'https://rebuild.acme.example/r1', delayMinutes: [8, 45], flakiness: 0.006 },
  { id: 'https://rebuild.acme.example/r2', delayMinutes: [60, 360], flakiness: 0.012 },
  { id: 'https://reproducible.example.org/builder', delayMinutes: [120, 1200], flakiness: 0.02 },
]

export type DemoRebuild = {
  /** Position in the list, 0-based, ordered by `finishedAt` (then build, artifact, rebuilder). */
  index: number
  /** A stable name for the rebuild, unique in the list: `<buildIndex>/<artifactIndex>/<rebuilderIndex>`. */
  key: string
  /** `DemoBuild.index` of the build whose artifact was rebuilt. */
  buildIndex: number
  project: string
  rebuilderId: string
  /** The artifact as published (the build's subject). */
  artifact: { name: string; sha256: string }
  /** What the rebuild produced: equal to `artifact.sha256` on a match. */
  rebuiltSha256: string
  verdict: 'match' | 'mismatch'
  startedAt: number
  finishedAt: number
  /**
   * On a mismatch, what diffoscope says differs, exactly as the API reports it (flattened depth-first; a
   * difference at depth d sits inside the nearest preceding one at depth d − 1). Null on a match.
   */
  diffoscope: DiffoscopeSummary | null
}

/** Share of builds that get rebuilt at all. */
export const DEMO_REBUILT_SHARE = 0.85

const MINUTE = 60_000

type Stretch = { project: string; from: number; to: number }

/** A few bad stretches per project: windows in which the project's builds were not reproducible. */
function badStretches(random: Random, projects: readonly string[], start: number, end: number): Stretch[] {
  const stretches: Stretch[] = []
  for (const project of projects) {
    const count = random.int(2, 3)
    for (let index = 0; index < count; index++) {
      const from = start + random.next() * (end - start)
      stretches.push({ project, from, to: from + random.int(18, 96) * 3_600_000 })
    }
  }
  return stretches
}

export function demoRebuilds(builds: readonly DemoBuild[], seed = DEMO_SEED + 4): DemoRebuild[] {
  const random = seededRandom(seed)
  const first = builds[0]
  if (first === undefined) return []
  const start = Math.min(...builds.map((build) => build.startedAt))
  const end = Math.max(...builds.map((build) => build.finishedAt))
  const projects = [...new Set(builds.map((build) => build.project))].sort()
  const stretches = badStretches(random, projects, start, end)
  const out: Omit<DemoRebuild, 'index'>[] = []
  for (const build of builds) {
    if (!random.chance(DEMO_REBUILT_SHARE)) continue
    const stretch = stretches.some((candidate) => candidate.project === build.project && build.finishedAt >= candidate.from && build.finishedAt < candidate.to)
    // A rebuilder takes the whole build: 1 to 3 of them, each rebuilding every artifact.
    const wanted = pickCount(random)
    const chosen = shuffle(random, [0, 1, 2]).slice(0, wanted).sort()
    // In a bad stretch most artifacts carry something non-deterministic (timestamps, build paths).
    const broken = build.artifacts.map(() => stretch && random.chance(0.75))
    for (const rebuilderIndex of chosen) {
      const rebuilder = demoRebuilders[rebuilderIndex]
      if (rebuilder === undefined) continue
      const startedAt = build.finishedAt + random.int(rebuilder.delayMinutes[0], rebuilder.delayMinutes[1]) * MINUTE
      const finishedAt = startedAt + Math.round((build.finishedAt - build.startedAt) * (1.1 + random.next() * 0.6))
      for (const [artifactIndex, artifact] of build.artifacts.entries()) {
        const flake = random.chance(rebuilder.flakiness)
        // Not rebuilt yet: the demo's "now" is fixed.
        if (finishedAt > DEMO_END) continue
        const mismatch = broken[artifactIndex] === true || flake
        out.push({
          key: `${build.index}/${artifactIndex}/${rebuilderIndex}`,
          buildIndex: build.index,
          project: build.project,
          rebuilderId: rebuilder.id,
          artifact: { name: artifact.name, sha256: artifact.sha256 },
          rebuiltSha256: mismatch ? random.hex(64) : artifact.sha256,
          verdict: mismatch ? 'mismatch' : 'match',
          startedAt,
          finishedAt,
          diffoscope: mismatch ? demoDiffoscope(random, artifact.name, flake && broken[artifactIndex] !== true) : null,
        })
      }
    }
  }
  out.sort((a, b) => a.finishedAt - b.finishedAt || a.buildIndex - b.buildIndex || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  return out.map((rebuild, index) => ({ index, ...rebuild }))
}

function pickCount(random: Random): number {
  const roll = random.next()
  return roll < 0.25 ? 1 : roll < 0.65 ? 2 : 3
}

function shuffle<T>(random: Random, items: T[]): T[] {
  for (let index = items.length - 1; index > 0; index--) {
    const other = random.int(0, index)
    const a = items[index] as T
    items[index] = items[other] as T
    items[other] = a
  }
  return items
}

const TIMESTAMPS = ['Timestamps differ', 'mtime differs: 2026-11-02 09:14:03 vs 2026-11-02 11:40:57']
const ORDERING = ['Ordering differences only', 'File list differs in order']
const BUILD_PATH = ['Embedded build path differs: /home/runner/work vs /build/rebuild']
const LOCALE = ['Locale-dependent output: LANG=C.UTF-8 vs LANG=en_US.UTF-8']

/** What differs inside an artifact, by kind of artifact; the worker-flake case is a toolchain difference. */
function inner(name: string): { files: string[]; container: string | null } {
  if (name.endsWith('.tar.gz')) return { container: name.replace(/\.gz$/, ''), files: ['./dist/index.html', './dist/assets/app.js', './dist/build-info.json'] }
  if (name.endsWith('.oci.tar')) return { container: 'blobs/sha256/layer.tar', files: ['data.tar.xz/./usr/bin/app', 'data.tar.xz/./etc/os-release', './var/lib/dpkg/status'] }
  if (name.endsWith('.jar')) return { container: null, files: ['META-INF/MANIFEST.MF', 'META-INF/maven/com.acme/ledger/pom.properties', 'com/acme/ledger/BuildInfo.class'] }
  if (name.endsWith('.whl')) return { container: null, files: ['etl-0.1.dist-info/RECORD', 'etl/_version.py'] }
  if (name.endsWith('.json')) return { container: null, files: ['metadata.timestamp', 'serialNumber'] }
  return { container: null, files: ['.note.gnu.build-id', '.rodata', 'strings --all --bytes=8 {}'] }
}

/** A small diffoscope-like summary of why a rebuild differs from the published artifact. */
function demoDiffoscope(random: Random, name: string, flake: boolean): DiffoscopeSummary {
  const { container, files } = inner(name)
  const differences: DiffoscopeDifference[] = []
  const depth = container === null ? 0 : 1
  if (container !== null) differences.push({ source1: container, source2: container, depth: 0, comments: [] })
  if (container !== null && random.chance(0.4)) differences.push({ source1: 'file list', source2: 'file list', depth: 1, comments: random.pick([TIMESTAMPS, ORDERING]) })
  const count = random.int(1, Math.min(3, files.length))
  for (const file of files.slice(0, count)) {
    const comments = flake ? random.pick([LOCALE, BUILD_PATH]) : random.pick([TIMESTAMPS, BUILD_PATH, ORDERING, []])
    differences.push({ source1: file, source2: file, depth, comments: [...comments] })
  }
  return { source1: name, source2: `rebuilt/${name}`, differences, total: differences.length, truncated: false }
}
