import { describe, expect, it } from 'vitest'
import { DEMO_END, demoBuilds } from './model'
import { demoRebuilders, demoRebuilds } from './rebuilds'

/* The demo's rebuild model, shared by the server's seed and the mocks. */

const builds = demoBuilds()
const rebuilds = demoRebuilds(builds)

describe('demoRebuilds', () => {
  it('is pure: the same builds give the same rebuilds', () => {
    expect(demoRebuilds(builds)).toEqual(rebuilds)
  })

  it('rebuilds most builds, by one to three rebuilders, with 4–6% mismatches', () => {
    const rebuilt = new Set(rebuilds.map((rebuild) => rebuild.buildIndex))
    expect(rebuilt.size / builds.length).toBeGreaterThan(0.8)
    expect(rebuilt.size / builds.length).toBeLessThan(0.9)
    const mismatches = rebuilds.filter((rebuild) => rebuild.verdict === 'mismatch')
    expect(mismatches.length / rebuilds.length).toBeGreaterThanOrEqual(0.04)
    expect(mismatches.length / rebuilds.length).toBeLessThanOrEqual(0.06)
    expect(new Set(rebuilds.map((rebuild) => rebuild.rebuilderId))).toEqual(new Set(demoRebuilders.map((rebuilder) => rebuilder.id)))
    expect(new Set(rebuilds.map((rebuild) => rebuild.key)).size).toBe(rebuilds.length)
  })

  it('keeps its facts consistent: digests by verdict, times after the build and before the demo ends, in order', () => {
    const byIndex = new Map(builds.map((build) => [build.index, build]))
    for (const [index, rebuild] of rebuilds.entries()) {
      expect(rebuild.index).toBe(index)
      const build = byIndex.get(rebuild.buildIndex)
      expect(build?.artifacts).toContainEqual(rebuild.artifact)
      expect(rebuild.startedAt).toBeGreaterThan(build?.finishedAt ?? Infinity)
      expect(rebuild.finishedAt).toBeLessThanOrEqual(DEMO_END)
      expect(rebuild.finishedAt).toBeGreaterThanOrEqual(rebuilds[index - 1]?.finishedAt ?? 0)
      if (rebuild.verdict === 'match') expect([rebuild.rebuiltSha256, rebuild.diffoscope]).toEqual([rebuild.artifact.sha256, null])
      else {
        expect(rebuild.rebuiltSha256).not.toBe(rebuild.artifact.sha256)
        expect(rebuild.diffoscope?.differences.length).toBeGreaterThan(0)
      }
    }
  })
})
