import { describe, expect, it } from 'vitest'
import { historyBaseline, olderBuild, RollingBaseline, type Baseline } from './baseline'
import type { BuildFacts } from './facts'
import { evaluateBuild, evaluateBuildAgainst } from './rules'
import { alertSettings } from './settings'

/*
 * The counted baseline against the list it stands for: over a seeded history with toolchain bumps, builder and signer
 * changes, untrusted builds, new dependencies, wild and missing durations, ties, builds arriving out of order and
 * builds judged again, every question answers alike and every build raises the same findings.
 */

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

const hex = (n: number, length = 64) => n.toString(16).padStart(length, '0')
const pick = <T>(next: () => number, values: readonly T[]): T => values[Math.floor(next() * values.length)] as T

function history(seed: number, count: number): BuildFacts[] {
  const next = random(seed)
  const builds: BuildFacts[] = []
  for (let n = 0; n < count; n++) {
    // Mostly one usual value with bumps, and phases where two values share the window (ties for the mode).
    const phase = Math.floor(n / 150) % 3
    const node = phase === 1 ? pick(next, ['20.19.0', '22.1.0']) : next() < 0.95 ? '20.19.0' : pick(next, ['21.1.0', '18.0.0'])
    const trusted = next() > 0.05
    builds.push({
      buildId: hex(n + 1),
      documentId: hex(n + 1_000_000),
      project: 'acme/web',
      sourceHost: 'github.com',
      // Some builds share a time, so the build id decides their order.
      time: Date.UTC(2026, 0, 1) + Math.floor(n / 2) * 3_600_000,
      durationMs: next() < 0.1 ? null : next() < 0.03 ? 3_600_000 + Math.floor(next() * 600_000) : 600_000 + Math.floor(next() * 60_000),
      builderId: next() < 0.97 ? 'https://github.com/actions/runner/github-hosted' : pick(next, ['https://self-hosted.example/runner', null]),
      buildType: phase === 2 ? pick(next, ['https://actions.github.io/buildtypes/workflow/v1', 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1']) : 'https://actions.github.io/buildtypes/workflow/v1',
      status: trusted ? 'verified' : 'untrusted',
      failedCheck: null,
      failures: [],
      signer: { identity: trusted ? (next() < 0.96 ? 'release-key' : 'other-key') : pick(next, ['rogue-key', null]), trusted },
      tools: [
        { name: 'node', version: node, source: 'pipeline' },
        ...(next() < 0.3 ? [{ name: 'node', version: '16.0.0', source: 'provenance' as const }] : []),
        ...(next() < 0.8 ? [{ name: 'npm', version: next() < 0.9 ? '10.8.2' : '11.0.0', source: 'provenance' as const }] : []),
      ],
      hosts: [{ host: 'registry.npmjs.org', via: 'CI step build › build' }],
      dependencies: [
        { key: 'package-lock.json', uri: 'package-lock.json', digest: next() < 0.9 ? 'sha256:aaaa' : 'sha256:bbbb' },
        { key: 'pkg:npm/left-pad', uri: 'pkg:npm/left-pad@1.3.0', digest: next() < 0.95 ? 'sha256:1111' : 'sha256:2222' },
        ...(next() < 0.05 ? [{ key: `pkg:npm/new-${n}`, uri: `pkg:npm/new-${n}@1.0.0`, digest: 'sha256:3333' }] : []),
        ...(next() < 0.5 ? [{ key: 'pkg:npm/sometimes', uri: 'pkg:npm/sometimes@2.0.0', digest: 'sha256:4444' }] : []),
      ],
      lockfile: { key: 'package-lock.json', uri: 'package-lock.json', digest: 'sha256:aaaa' },
      artifacts: [],
      rebuilds: [],
    })
  }
  return builds
}

/** Every question the rules ask, answered by a baseline, for comparing two of them. */
function answers(baseline: Baseline, build: BuildFacts) {
  return {
    size: baseline.size,
    previous: baseline.previous?.buildId,
    builder: baseline.builder(),
    buildType: baseline.buildType(),
    signer: baseline.trustedSigner(),
    tools: ['node', 'npm', 'go'].map((name) => baseline.toolVersion(name)),
    dependencies: build.dependencies.map((dependency) => baseline.hadDependency(dependency.key)),
    durations: baseline.durationCount(),
    spread: baseline.durationSpread(),
  }
}

const settings = alertSettings(null)
const small = { ...settings, baseline: { builds: 40, minBuilds: 5, minShare: 0.5 }, durationOutlier: { threshold: 3.5, minBuilds: 5 } }

describe('RollingBaseline', () => {
  it('answers as the list of earlier builds does, build by build, in order', () => {
    for (const current of [settings, small]) {
      const builds = history(7, 700)
      const window = new RollingBaseline(current.baseline.builds)
      let findings = 0
      for (const [index, build] of builds.entries()) {
        const earlier = builds.slice(Math.max(0, index - current.baseline.builds), index).reverse()
        expect(window.isBaselineFor(build, current.baseline.builds)).toBe(true)
        expect(answers(window, build)).toEqual(answers(historyBaseline(earlier), build))
        const expected = evaluateBuild(build, earlier, current)
        expect(evaluateBuildAgainst(build, window, current)).toEqual(expected)
        findings += expected.length
        window.add(build)
      }
      // The history raises findings of every kind the comparison is about, not just none on both sides.
      expect(findings).toBeGreaterThan(50)
    }
    // Each build is also judged the slow way, the list worked out afresh: seconds on a busy machine.
  }, 60_000)

  it('answers alike when builds arrive out of order or are judged again', () => {
    const builds = history(11, 500)
    const next = random(3)
    // Shuffle neighbours, so some builds arrive after newer ones; judge some builds twice.
    const arrivals = [...builds]
    for (let index = 1; index < arrivals.length; index++) {
      if (next() < 0.2) [arrivals[index - 1], arrivals[index]] = [arrivals[index] as BuildFacts, arrivals[index - 1] as BuildFacts]
    }
    for (let index = 0; index < arrivals.length; index += 37) arrivals.splice(index + 3, 0, arrivals[index] as BuildFacts)
    const window = new RollingBaseline(small.baseline.builds)
    /** What the engine held before the counts: the builds judged so far, newest first, trimmed to the size. */
    let held: BuildFacts[] = []
    let outOfOrder = 0
    for (const build of arrivals) {
      window.remove(build.buildId)
      held = held.filter((other) => other.buildId !== build.buildId)
      const earlier = held.filter((other) => olderBuild(other, build))
      if (!window.isBaselineFor(build, small.baseline.builds)) outOfOrder++
      expect(answers(window.baselineFor(build, small.baseline.builds), build)).toEqual(answers(historyBaseline(earlier), build))
      expect(evaluateBuildAgainst(build, window.baselineFor(build, small.baseline.builds), small)).toEqual(evaluateBuild(build, earlier, small))
      window.add(build)
      held.splice(
        held.findIndex((other) => olderBuild(other, build)) < 0 ? held.length : held.findIndex((other) => olderBuild(other, build)),
        0,
        build,
      )
      held = held.slice(0, small.baseline.builds)
      expect(window.builds.map((each) => each.buildId)).toEqual(held.map((each) => each.buildId))
      // A window that has taken builds in and out still counts what it holds.
      expect(answers(window, build)).toEqual(answers(historyBaseline(held), build))
    }
    expect(outOfOrder).toBeGreaterThan(20)
  }, 60_000)

  it('breaks a tie for the usual value towards the value seen most recently, as the list does', () => {
    const builds = history(5, 4).map((build, index) => ({ ...build, builderId: index % 2 === 0 ? 'a' : 'b', time: build.time + index }))
    const window = new RollingBaseline(10)
    for (const build of builds) window.add(build)
    // Newest first: b (index 3), a, b, a: two each, and b was seen last.
    expect(window.builder()).toEqual({ value: 'b', count: 2, of: 4 })
    expect(historyBaseline([...builds].reverse()).builder()).toEqual({ value: 'b', count: 2, of: 4 })
  })
})
