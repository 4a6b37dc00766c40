import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AlertQuery, type Alert } from '../../src/contract/alerts'
import { ArtifactListQuery } from '../../src/contract/artifacts'
import { demoConfig, seedDemo } from '../demo/seed'
import type { Store } from '../store/types'
import { tempStore } from '../testing/documents'
import { reportArtifact, type ArtifactEvidence } from './assemble'
import { evidenceOfPage } from './gather'

/*
 * A report reads its artifacts a page at a time (evidence.ts); the artifact page reads one artifact with its own
 * queries (server/artifacts/store.ts). On the seeded demo (provenance, SBOMs, rebuilds, deployments, alerts) both
 * must give each artifact the same part of the report.
 */

let store: Store
let dispose: () => Promise<void>
const AS_OF = Date.UTC(2100, 0, 1)

beforeAll(async () => {
  ;({ store, dispose } = await tempStore())
  await seedDemo(store, demoConfig(), 400)
}, 180_000)
afterAll(async () => dispose())

/** What the artifact page knows of one digest, and the alerts on each of its builds: a report's facts read one by one. */
async function oneByOne(digest: string): Promise<ArtifactEvidence> {
  const lookup = await store.artifacts.get(digest)
  const detail = lookup.kind === 'found' ? lookup.artifact : null
  const alerts: Alert[] = []
  for (const build of detail?.builds ?? []) alerts.push(...(await store.alerts.list(AlertQuery.parse({ buildId: build.id, limit: 500 }))).items)
  return { digest, detail, alerts: [...new Map(alerts.map((alert) => [alert.id, alert])).values()] }
}

describe('the facts of a page of artifacts', () => {
  it('give every artifact the same report entry as the artifact page read one by one', async () => {
    const digests = new Set<string>()
    let cursor: string | undefined
    do {
      const page = await store.artifacts.list(ArtifactListQuery.parse({ limit: 200, ...(cursor === undefined ? {} : { cursor }) }))
      for (const item of page.items) digests.add(item.digest)
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined)
    const unknown = `sha256:${'0'.repeat(64)}`
    const all = [...digests, unknown].sort()
    expect(all.length).toBeGreaterThan(300)

    let deployed = 0
    let alerted = 0
    let rebuilt = 0
    let withSbom = 0
    for (let start = 0; start < all.length; start += 100) {
      const slice = all.slice(start, start + 100)
      const paged = await evidenceOfPage(store, slice)
      expect(paged.map((evidence) => evidence.digest)).toEqual(slice)
      for (const [index, digest] of slice.entries()) {
        const expected = reportArtifact(await oneByOne(digest), AS_OF)
        expect(reportArtifact(paged[index]!, AS_OF), digest).toEqual(expected)
        if (expected === null) continue
        if (expected.deployments.length > 0) deployed += 1
        if (expected.alerts.length > 0) alerted += 1
        if (expected.rebuilds.verdicts.length > 0) rebuilt += 1
        if (expected.sbom !== null) withSbom += 1
      }
    }
    expect(reportArtifact((await evidenceOfPage(store, [unknown]))[0]!, AS_OF)).toBeNull()
    // The comparison covered every kind of fact, not only bare provenance.
    expect({ deployed: deployed > 0, alerted: alerted > 0, rebuilt: rebuilt > 0, withSbom: withSbom > 0 }).toEqual({ deployed: true, alerted: true, rebuilt: true, withSbom: true })
  }, 180_000)
})
