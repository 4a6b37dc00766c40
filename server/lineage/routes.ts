import { lineageRoutes } from '../../src/contract/lineage'
import type { RouteDeps } from '../http/deps'
import { apiError } from '../http/errors'
import { resourceApp } from '../http/mount'

/** The lineage graph around a digest, commit, build, deployment or environment. */
export function lineageApp({ store, auth }: RouteDeps) {
  const { app, mount } = resourceApp(auth)

  mount(lineageRoutes.getLineage, async (c, { query }) => {
    const outcome = await store.lineage.graph(query)
    switch (outcome.kind) {
      case 'graph':
        return c.json(outcome.graph)
      case 'not-found':
        return apiError(c, 404, 'not-found', outcome.message, 'query.from')
      case 'invalid':
        return apiError(c, 400, 'invalid-query', outcome.message, outcome.path)
      case 'ambiguous':
        return c.json({ error: { code: 'ambiguous', message: outcome.message, path: 'query.from', candidates: outcome.candidates } }, 409)
    }
  })

  return app
}
