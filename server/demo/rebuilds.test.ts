import { afterAll, describe, expect, it } from 'vitest'
import { demoBuilds } from '../../demo/model'
import { demoRebuilders, demoRebuilds } from '../../demo/rebuilds'
import { demoSbomStatement } from '../../demo/sboms'
import { SignatureQuery } from '../../src/contract/signatures'
import { summariseDiffoscope } from '../ingest/rebuild'
import { tempStore } from '../testing/documents'
import { diffoscopeReport, rebuilderKeyId } from './rebuilds'
import { demoConfig, seedDemo } from './seed'

/* The demo's rebuilds as the seed signs and ingests them (the pure model is tested in demo/rebuilds.test.ts). */

const rebuilds = demoRebuilds(demoBuilds())

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
      // Each build's provenance, the SBOM attestations of the builds that write an SBOM, and the rebuilds.
      const sboms = demoBuilds(60).filter((build) => demoSbomStatement(build) !== null).length
      expect(sboms).toBeGreaterThan(0)
      // Beside these the seed adds deployments (some signed) and the alert scenarios' builds.
      expect(await store.documents.count()).toBeGreaterThanOrEqual(60 + sboms + expected)
      // What the seed says it stored is what the store (and the log the dashboard's footer counts) holds.
      expect(seeded.documents).toBe(await store.documents.count())
      expect((await store.log.checkpoint()).size).toBe(seeded.documents)
      expect(seeded.deployments).toBeGreaterThan(0)
      const summary = await store.rebuilds.summary()
      expect(summary.items.reduce((sum, item) => sum + item.rebuilds, 0)).toBe(expected)
      expect(summary.items.every((item) => item.project.includes('/'))).toBe(true)
      const signatures = await store.signatures.list(SignatureQuery.parse({ signer: rebuilderKeyId(demoRebuilders[0]?.id ?? ''), limit: 500 }))
      expect(signatures.items.length).toBeGreaterThan(0)
      expect(signatures.counts).toMatchObject({ failed: 0, untrusted: 0, unsigned: 0 })
      counts.push(await store.documents.count())
      // Ed25519 signatures are deterministic, so the rebuild documents (and their ids) are the same every run.
      roots.push(signatures.items.map((item) => item.documentId).sort().join(','))
    }
    expect(roots[0]).toBe(roots[1])
    expect(counts[0]).toBe(counts[1])
  }, 60_000)
})
