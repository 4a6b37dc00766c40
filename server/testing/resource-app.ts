import { createApp } from '../app'
import type { Store } from '../store/types'
import { tempStore } from './documents'
import { FIXTURE_INGESTED_AT, fixtureConfig, seedResources } from './resource-fixture'

export type ResourceApp = {
  store: Store
  app: ReturnType<typeof createApp>
  ids: Awaited<ReturnType<typeof seedResources>>
  dispose: () => Promise<void>
}

/**
 * The resource fixture's world in a fresh store, served by the real app whose "now" is the fixture's ingest
 * time (a week after its last rebuild, so default ranges cover it): what the route suites ask over HTTP.
 */
export async function openResourceApp(): Promise<ResourceApp> {
  const { store, dispose } = await tempStore()
  const ids = await seedResources(store)
  const app = createApp({ store, config: fixtureConfig(), version: '0.0.0-test', demo: false, now: () => FIXTURE_INGESTED_AT })
  return { store, app, ids, dispose }
}
