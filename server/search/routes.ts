import { searchRoutes } from '../../src/contract/search'
import type { RouteDeps } from '../http/deps'
import { resourceApp } from '../http/mount'

/** Search across digests, commits, build ids, names, purls and signers. */
export function searchApp({ store, auth }: RouteDeps) {
  const { app, mount } = resourceApp(auth)
  mount(searchRoutes.search, async (c, { query }) => c.json(await store.search.find(query.q)))
  return app
}
