import { logRoutes } from '../../src/contract/log'
import type { RouteDeps } from '../http/deps'
import { resourceApp } from '../http/mount'

/** The tamper-evident log's latest signed checkpoint. */
export function logApp({ store, auth }: RouteDeps) {
  const { app, mount } = resourceApp(auth)
  mount(logRoutes.logCheckpoint, async (c) => c.json(await store.log.checkpoint()))
  return app
}
