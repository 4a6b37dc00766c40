import { afterAll, describe, expect, it } from 'vitest'
import { DEMO_END, demoBuilds } from '../../mocks/data/demo-model'
import { demoRebuilders, demoRebuilds } from '../../mocks/data/demo-rebuilds'
import { SignatureQuery } from '../../src/contract/signatures'
import { summariseDiffoscope } from '../ingest/rebuild'
import { tempStore } from '../testing/documents'
import { diffoscopeReport, rebuilderKeyId } from './rebuilds'
import { demoConfig, seedDemo } from './seed'

/* The demo's rebuild model (shared with the mocks) and its signed documents, as the seed ingests them. */

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

describe('diffoscopeReport', () => {
  it('nests a summary into the report that ingest flattens back to it', () => {
    for (const rebuild of rebuilds) {
      if (rebuild.diffoscope !== null) expect(summariseDiffoscope(diffoscopeReport(rebuild.diffoscope), '$')).toEqual(rebuild.diffoscope)
    }
  })
})

describe('seedDemo', () => {
  const disposers: (() => Promise<void>)[] = []
  afterAll(async () => {
    for (const dispose of disposers) await dispose()
  })

  it('ingests the rebuilds signed by trusted rebuilder keys, filed under their builds, the same documents every time', async () => {
    const config = demoConfig()
    const counts: number[] = []
    const roots: string[] = []
    for (let run = 0; run < 2; run++) {
      const { store, dispose } = await tempStore()
      disposers.push(dispose)
      const seeded = await seedDemo(store, config, 60)
      const expected = demoRebuilds(demoBuilds(60)).length
      expect(seeded.documents).toBe(60 + expected)
      const summary = await store.reproducibilitySummary()
      expect(summary.items.reduce((sum, item) => sum + item.rebuilds, 0)).toBe(expected)
      expect(summary.items.every((item) => item.project.includes('/'))).toBe(true)
      const signatures = await store.listSignatures(SignatureQuery.parse({ signer: rebuilderKeyId(demoRebuilders[0]?.id ?? ''), limit: 500 }))
      expect(signatures.items.length).toBeGreaterThan(0)
      expect(signatures.counts).toMatchObject({ failed: 0, untrusted: 0, unsigned: 0 })
      counts.push(await store.countDocuments())
      // Ed25519 signatures are deterministic, so the rebuild documents (and their ids) are the same every run.
      roots.push(signatures.items.map((item) => item.documentId).sort().join(','))
    }
    expect(roots[0]).toBe(roots[1])
    expect(counts[0]).toBe(counts[1])
  }, 60_000)
})
