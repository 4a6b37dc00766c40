import { buildRoutes } from '../../src/contract/builds'
import type { RouteDeps } from '../http/deps'
import { apiError } from '../http/errors'
import { resourceApp } from '../http/mount'

/** Builds: the list, one build, its neighbours in time, and the projects they belong to. */
export function buildsApp({ store, auth }: RouteDeps) {
  const { app, mount } = resourceApp(auth)

  mount(buildRoutes.listBuilds, async (c, { query }) => c.json(await store.builds.list(query)))

  mount(buildRoutes.getBuild, async (c, { params }) => {
    const build = await store.builds.get(params.id)
    return build ? c.json(build) : apiError(c, 404, 'not-found', `no build with id ${params.id}`, 'path.id')
  })

  mount(buildRoutes.listProjects, async (c) => c.json(await store.builds.projects()))

  mount(buildRoutes.buildNeighbours, async (c, { params }) => {
    const neighbours = await store.builds.neighbours(params.id)
    return neighbours ? c.json(neighbours) : apiError(c, 404, 'not-found', `no build with id ${params.id}`, 'path.id')
  })

  return app
}
