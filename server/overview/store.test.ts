import { describe, expect, it, vi } from 'vitest'
import { DEMO_END, demoBuilds } from '../../demo/model'
import { demoRebuilds } from '../../demo/rebuilds'
import { ingestContext } from '../config'
import { demoRebuildEnvelope } from '../demo/rebuilds'
import { demoConfig, demoEnvelope } from '../demo/seed'
import { ingestBody } from '../ingest/ingest'
import { engineStores } from '../store/testing/engines'

/*
 * The overview's daily series on both engines, from the same ingested builds and rebuild verdicts. On PostgreSQL the
 * series' GROUP BY once failed outright (error 42803: the bucket expression's numbers became new parameters there).
 */

const { fresh } = engineStores('overview_store')
vi.setConfig({ testTimeout: 120_000 })

describe.each(['sqlite', 'postgres'] as const)('overview daily series on %s', (kind) => {
  it('counts each day of the last 30 its builds, verified builds and rebuild verdicts', async () => {
    const store = await fresh(kind)
    try {
      const builds = demoBuilds(120, 11)
      const config = demoConfig()
      for (const lines of [builds.map((build) => JSON.stringify(demoEnvelope(build))), demoRebuilds(builds, 5).map((rebuild) => JSON.stringify(demoRebuildEnvelope(rebuild)))]) {
        const result = await ingestBody(store, Buffer.from(lines.join('\n')), 'application/x-ndjson', ingestContext(config))
        if (!result.ok) throw new Error(result.error.message)
      }
      const day = new Date(DEMO_END).toISOString().slice(0, 10)
      const overview = await store.alerts.overview(day, DEMO_END)
      expect(overview.daily).toHaveLength(30)
      const end = Date.parse(`${day}T00:00:00Z`) + 86_400_000
      const inWindow = builds.filter((build) => build.finishedAt >= end - 30 * 86_400_000 && build.finishedAt < end)
      expect(inWindow.length).toBeGreaterThan(0)
      expect(overview.daily.reduce((sum, entry) => sum + entry.builds, 0)).toBe(inWindow.length)
      expect(overview.daily.reduce((sum, entry) => sum + entry.match + entry.mismatch, 0)).toBeGreaterThan(0)
    } finally {
      await store.close()
    }
  })
})
