import { metaRoutes, type OwnBuild } from '../../src/contract/meta'
import { openApiDocument } from '../../src/contract/openapi'
import type { RouteDeps } from '../http/deps'
import { resourceApp } from '../http/mount'

/** Liveness, the facts the SPA needs first, and the OpenAPI document generated from the contract. */
export function metaApp({ store, config, auth }: RouteDeps, server: { version: string; demo: boolean; ownBuild?: OwnBuild }) {
  const ownBuild: OwnBuild = server.ownBuild ?? { compared: false, reason: 'this server was started without a build of its own to compare' }
  const { app, mount } = resourceApp(auth)
  mount(metaRoutes.health, async (c) => {
    try {
      await store.coordination.ping()
    } catch (error) {
      const message = `the store cannot be reached: ${error instanceof Error ? error.message : String(error)}`
      return c.json({ status: 'unavailable' as const, store: store.kind, message }, 503)
    }
    return c.json({ status: 'ok' as const, store: store.kind, documents: await store.documents.count() })
  })
  mount(metaRoutes.meta, (c) => c.json({ version: server.version, readRequiresToken: config.readRequiresToken, demo: server.demo, store: store.kind }))
  mount(metaRoutes.ownBuild, (c) => c.json(ownBuild))
  app.get('/api/openapi.json', (c) => c.json(openApiDocument(server.version)))
  return app
}
