import { describe, expect, it, vi } from 'vitest'
import { SearchResponse } from '../../src/contract/search'
import { SignaturePage } from '../../src/contract/signatures'
import { demoBuilds } from '../../demo/model'
import { demoRebuilds } from '../../demo/rebuilds'
import { createApp } from '../app'
import { ingestContext } from '../config'
import { demoRebuildEnvelope } from '../demo/rebuilds'
import { demoConfig, demoEnvelope } from '../demo/seed'
import { ingestBody } from '../ingest/ingest'
import { engineStores } from '../store/testing/engines'

/*
 * Signers found by a prefix, with how many documents each signed, on both engines. On PostgreSQL the count is asked
 * bytewise so it seeks the signer in the bytewise index (asked otherwise, a popular signer's count read that index
 * from its start); the figures must be those of the signatures list, whose counts are kept per signer.
 */

const { fresh } = engineStores('search_signers')
vi.setConfig({ testTimeout: 120_000 })

describe.each(['sqlite', 'postgres'] as const)('signer search on %s', (kind) => {
  it('lists each signer starting with the text and the number of documents it signed', async () => {
    const store = await fresh(kind)
    try {
      const config = demoConfig()
      const builds = demoBuilds(80, 5)
      for (const lines of [builds.map((build) => JSON.stringify(demoEnvelope(build))), demoRebuilds(builds, 2).map((rebuild) => JSON.stringify(demoRebuildEnvelope(rebuild)))]) {
        const result = await ingestBody(store, Buffer.from(lines.join('\n')), 'application/x-ndjson', ingestContext(config))
        if (!result.ok) throw new Error(result.error.message)
      }
      const app = createApp({ store, config, version: 'test', demo: false })
      const search = SearchResponse.parse(await (await app.request('/api/v1/search?q=demo-re')).json())
      const signers = search.results.filter((result) => result.kind === 'signer')
      // The release keys and the rebuilders' keys.
      expect(signers.length).toBeGreaterThanOrEqual(3)
      for (const result of signers) {
        expect(result.title.startsWith('demo-re')).toBe(true)
        const page = SignaturePage.parse(await (await app.request(`/api/v1/signatures?signer=${encodeURIComponent(result.title)}`)).json())
        const signed = Object.values(page.counts).reduce((sum, count) => sum + count, 0)
        expect(signed).toBeGreaterThan(0)
        expect(result.detail).toBe(`signer of ${signed} document${signed === 1 ? '' : 's'}`)
      }
    } finally {
      await store.close()
    }
  })
})
