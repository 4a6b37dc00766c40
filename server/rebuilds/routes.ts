import { rebuildRoutes } from '../../src/contract/rebuilds'
import { reproducibilityRoutes } from '../../src/contract/reproducibility'
import { bucketRange } from '../../domain/buckets'
import type { RouteDeps } from '../http/deps'
import { apiError } from '../http/errors'
import { resourceApp } from '../http/mount'

const unknownProject = (project: string) => `no build or rebuild is filed under project "${project}"; GET /api/v1/projects lists them`

/** Rebuild verdicts, and reproducibility per project: summary, history and the rebuilder matrix. */
export function rebuildsApp({ store, auth, now }: RouteDeps) {
  const { app, mount } = resourceApp(auth)

  mount(rebuildRoutes.listRebuilds, async (c, { query }) => c.json(await store.rebuilds.list(query)))

  mount(reproducibilityRoutes.reproducibilitySummary, async (c) => c.json(await store.rebuilds.summary()))

  mount(reproducibilityRoutes.reproducibilityHistory, async (c, { query }) => {
    const { project, bucket, from, to } = query
    const range = bucketRange({ bucket, ...(from === undefined ? {} : { from: Date.parse(from) }), ...(to === undefined ? {} : { to: Date.parse(to) }) }, now())
    if ('message' in range) return apiError(c, 400, 'invalid-range', `${range.path}: ${range.message}`, range.path)
    const history = await store.rebuilds.history(project, range)
    return history ? c.json(history) : apiError(c, 404, 'unknown-project', unknownProject(project), 'query.project')
  })

  mount(reproducibilityRoutes.rebuilderMatrix, async (c, { query }) => {
    const matrix = await store.rebuilds.matrix(query)
    return matrix ? c.json(matrix) : apiError(c, 404, 'unknown-project', unknownProject(query.project), 'query.project')
  })

  return app
}
