import type { BuildFacts } from './facts'
import { median, medianAbsoluteDeviation, mode } from './statistics'

/*
 * What the rules know of a pipeline's earlier builds (newest first, at most the baseline's size): the usual builder,
 * build type, trusted signer and tool versions, which dependencies any of them resolved, and their durations.
 *
 * Two makers answer the same questions. historyBaseline() works them out from a list of earlier builds, as the rules
 * always did (the mocks' replay of a list, a build that arrives older than builds already judged, the rules' tests).
 * RollingBaseline keeps the counts as builds arrive and leave the window, so judging one more build costs a few map
 * lookups, not a pass over two hundred earlier builds for every question: that pass was most of the rules' ingest time.
 * Both answer exactly alike (baseline.test.ts compares them build by build over a seeded history).
 */

/** The most common value of something among earlier builds: `count` of the `of` builds that recorded it. */
export type Tally<T> = { value: T; count: number; of: number }

export interface Baseline {
  /** How many earlier builds it covers. */
  readonly size: number
  /** The newest earlier build. */
  readonly previous: BuildFacts | undefined
  builder(): Tally<string | null> | null
  buildType(): Tally<string | null> | null
  /** Among the earlier builds whose signer is trusted. */
  trustedSigner(): Tally<string | null> | null
  /** Among the earlier builds that used the tool: the version each listed first. */
  toolVersion(name: string): Tally<string> | null
  /** Whether any earlier build resolved a dependency with this key. */
  hadDependency(key: string): boolean
  /** How many earlier builds recorded a duration. */
  durationCount(): number
  /** Their median and median absolute deviation (NaN when none). */
  durationSpread(): { median: number; mad: number }
}

const fromMode = <T>(found: { value: T; count: number } | null, of: number): Tally<T> | null => (found === null ? null : { value: found.value, count: found.count, of })

/*
 * Each build's dependency keys as a set, kept per facts object: a build stays in its pipeline's baseline for the
 * next couple of hundred builds. Facts are never changed once made, so the cache cannot go stale.
 */
const dependencyKeys = new WeakMap<BuildFacts, ReadonlySet<string>>()
export function dependencyKeysOf(build: BuildFacts): ReadonlySet<string> {
  let keys = dependencyKeys.get(build)
  if (keys === undefined) {
    keys = new Set(build.dependencies.map((dependency) => dependency.key))
    dependencyKeys.set(build, keys)
  }
  return keys
}

/** The version a build lists first for each tool name it used (kept per facts object, as its dependency keys are). */
const firstVersionsKept = new WeakMap<BuildFacts, ReadonlyMap<string, string>>()
function firstVersions(build: BuildFacts): ReadonlyMap<string, string> {
  let first = firstVersionsKept.get(build)
  if (first === undefined) {
    const found = new Map<string, string>()
    for (const tool of build.tools) if (!found.has(tool.name)) found.set(tool.name, tool.version)
    first = found
    firstVersionsKept.set(build, first)
  }
  return first
}

/** The baseline of a list of earlier builds, newest first, worked out from the list when asked. */
export function historyBaseline(history: readonly BuildFacts[]): Baseline {
  let versions: Map<string, string[]> | undefined
  let durations: number[] | undefined
  const durationsOf = () => (durations ??= history.flatMap((other) => (other.durationMs === null ? [] : [other.durationMs])))
  return {
    size: history.length,
    previous: history[0],
    builder: () => fromMode(mode(history.map((other) => other.builderId)), history.length),
    buildType: () => fromMode(mode(history.map((other) => other.buildType)), history.length),
    trustedSigner: () => {
      const signers = history.filter((other) => other.signer.trusted).map((other) => other.signer.identity)
      return fromMode(mode(signers), signers.length)
    },
    toolVersion: (name) => {
      // Every tool's versions in one pass over the list, the first time any is asked: a build lists dozens of tools.
      if (versions === undefined) {
        versions = new Map()
        for (const other of history) {
          for (const [tool, version] of firstVersions(other)) {
            const list = versions.get(tool)
            if (list === undefined) versions.set(tool, [version])
            else list.push(version)
          }
        }
      }
      const list = versions.get(name) ?? []
      return fromMode(mode(list), list.length)
    },
    hadDependency: (key) => history.some((other) => dependencyKeysOf(other).has(key)),
    durationCount: () => durationsOf().length,
    durationSpread: () => {
      const centre = median(durationsOf())
      return { median: centre, mad: medianAbsoluteDeviation(durationsOf(), centre) }
    },
  }
}

/** Counts of values, with the most common found by a scan of the (few) distinct values. */
class Counts<T> {
  readonly counts = new Map<T, number>()
  total = 0
  add(value: T): void {
    this.counts.set(value, (this.counts.get(value) ?? 0) + 1)
    this.total++
  }
  remove(value: T): void {
    const count = (this.counts.get(value) ?? 0) - 1
    if (count <= 0) this.counts.delete(value)
    else this.counts.set(value, count)
    this.total--
  }
  step(value: T, step: 1 | -1): void {
    if (step === 1) this.add(value)
    else this.remove(value)
  }
  /**
   * The most common value. A tie goes to the value seen most recently, as mode() over a newest-first list has it:
   * `newestFirst` walks the window's values from the newest build and is only called when there is a tie.
   */
  most(newestFirst: () => Iterable<T>): Tally<T> | null {
    let best = 0
    let tied: T[] = []
    for (const [value, count] of this.counts) {
      if (count > best) {
        best = count
        tied = [value]
      } else if (count === best) tied.push(value)
    }
    if (tied.length === 0) return null
    if (tied.length === 1) return { value: tied[0] as T, count: best, of: this.total }
    const candidates = new Set(tied)
    for (const value of newestFirst()) if (candidates.has(value)) return { value, count: best, of: this.total }
    return null
  }
}

/** Index of the first element of an ascending list that is not below `value`. */
function lowerBound(sorted: readonly number[], value: number): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if ((sorted[middle] ?? 0) < value) low = middle + 1
    else high = middle
  }
  return low
}

/** `a` older than `b`: earlier time, or the same time and a smaller build id (the order builds are judged in). */
export const olderBuild = (a: BuildFacts, b: BuildFacts) => a.time < b.time || (a.time === b.time && a.buildId < b.buildId)

/**
 * A pipeline's most recent builds (at most `capacity`, newest first) with their counts kept up to date as builds are
 * added and dropped. Judging a build newer than every build held asks the counts; judging an older one asks
 * historyBaseline() over the held builds older than it (rare: builds mostly arrive in order).
 */
export class RollingBaseline implements Baseline {
  private held: BuildFacts[] = []
  private readonly ids = new Set<string>()
  private readonly builders = new Counts<string | null>()
  private readonly buildTypes = new Counts<string | null>()
  private readonly signers = new Counts<string | null>()
  private readonly tools = new Map<string, Counts<string>>()
  private readonly dependencies = new Map<string, number>()
  /** Ascending. */
  private readonly durations: number[] = []

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.held.length
  }
  get previous(): BuildFacts | undefined {
    return this.held[0]
  }
  /** The builds held, newest first. */
  get builds(): readonly BuildFacts[] {
    return this.held
  }

  has(buildId: string): boolean {
    return this.ids.has(buildId)
  }

  /** Whether every build held is older than `build`, so the counts are its baseline (up to `limit` builds). */
  isBaselineFor(build: BuildFacts, limit: number): boolean {
    const newest = this.held[0]
    return this.held.length <= limit && (newest === undefined || olderBuild(newest, build))
  }

  /** The baseline of `build`: the held builds older than it, newest first, at most `limit`. */
  baselineFor(build: BuildFacts, limit: number): Baseline {
    return this.isBaselineFor(build, limit) ? this : historyBaseline(this.held.filter((other) => olderBuild(other, build)).slice(0, limit))
  }

  /** Holds `build` in its place by time (replacing an earlier record of it); drops the oldest beyond the capacity. */
  add(build: BuildFacts): void {
    this.remove(build.buildId)
    const at = this.held.findIndex((other) => olderBuild(other, build))
    this.held.splice(at < 0 ? this.held.length : at, 0, build)
    this.ids.add(build.buildId)
    this.count(build, 1)
    while (this.held.length > this.capacity) {
      const oldest = this.held.pop()
      if (oldest === undefined) break
      this.ids.delete(oldest.buildId)
      this.count(oldest, -1)
    }
  }

  remove(buildId: string): void {
    // Mostly the build is not held (it is new): the set answers that without a walk over the window.
    if (!this.ids.delete(buildId)) return
    const at = this.held.findIndex((other) => other.buildId === buildId)
    if (at < 0) return
    const [gone] = this.held.splice(at, 1)
    if (gone !== undefined) this.count(gone, -1)
  }

  private count(build: BuildFacts, step: 1 | -1): void {
    this.builders.step(build.builderId, step)
    this.buildTypes.step(build.buildType, step)
    if (build.signer.trusted) this.signers.step(build.signer.identity, step)
    for (const [name, version] of firstVersions(build)) {
      let counts = this.tools.get(name)
      if (counts === undefined) {
        counts = new Counts<string>()
        this.tools.set(name, counts)
      }
      counts.step(version, step)
      if (counts.total === 0) this.tools.delete(name)
    }
    for (const key of dependencyKeysOf(build)) {
      const count = (this.dependencies.get(key) ?? 0) + step
      if (count <= 0) this.dependencies.delete(key)
      else this.dependencies.set(key, count)
    }
    if (build.durationMs !== null) {
      const at = lowerBound(this.durations, build.durationMs)
      if (step === 1) this.durations.splice(at, 0, build.durationMs)
      else if (this.durations[at] === build.durationMs) this.durations.splice(at, 1)
    }
  }

  builder(): Tally<string | null> | null {
    return this.builders.most(() => this.held.map((build) => build.builderId))
  }
  buildType(): Tally<string | null> | null {
    return this.buildTypes.most(() => this.held.map((build) => build.buildType))
  }
  trustedSigner(): Tally<string | null> | null {
    return this.signers.most(() => this.held.flatMap((build) => (build.signer.trusted ? [build.signer.identity] : [])))
  }
  toolVersion(name: string): Tally<string> | null {
    return (
      this.tools.get(name)?.most(() =>
        this.held.flatMap((build) => {
          const version = build.tools.find((tool) => tool.name === name)?.version
          return version === undefined ? [] : [version]
        }),
      ) ?? null
    )
  }
  hadDependency(key: string): boolean {
    return this.dependencies.has(key)
  }
  durationCount(): number {
    return this.durations.length
  }
  durationSpread(): { median: number; mad: number } {
    const sorted = this.durations
    const centre = sortedMedian(sorted)
    return { median: centre, mad: sortedDeviationMedian(sorted, centre) }
  }
}

const nthOf = (values: readonly number[], index: number) => values[index] ?? 0

/** The median of an ascending list, as median() computes it. */
function sortedMedian(sorted: readonly number[]): number {
  if (sorted.length === 0) return Number.NaN
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? nthOf(sorted, middle) : (nthOf(sorted, middle - 1) + nthOf(sorted, middle)) / 2
}

/**
 * The median of |x − centre| over an ascending list without sorting again: the distances grow outward from where
 * `centre` falls, so walking out from there in both directions yields them in ascending order.
 */
function sortedDeviationMedian(sorted: readonly number[], centre: number): number {
  const n = sorted.length
  if (n === 0) return Number.NaN
  const wanted = n % 2 === 1 ? [Math.floor(n / 2)] : [n / 2 - 1, n / 2]
  const last = wanted.at(-1) ?? 0
  let left = lowerBound(sorted, centre) - 1
  let right = left + 1
  const picked: number[] = []
  for (let index = 0; index <= last; index++) {
    const below = left >= 0 ? Math.abs(nthOf(sorted, left) - centre) : Number.POSITIVE_INFINITY
    const above = right < n ? Math.abs(nthOf(sorted, right) - centre) : Number.POSITIVE_INFINITY
    let distance: number
    if (below <= above) {
      distance = below
      left--
    } else {
      distance = above
      right++
    }
    if (wanted.includes(index)) picked.push(distance)
  }
  return picked.length === 1 ? nthOf(picked, 0) : (nthOf(picked, 0) + nthOf(picked, 1)) / 2
}
