import { buildRoutes } from '../../src/contract/builds'
import { demoDb } from '../data/demo-db'
import { HttpResponse } from 'msw'
import { mockRoute, problem } from './route'

/** The happy path of the builds and projects routes, answered from the seeded demo data. */
export const buildHandlers = [
  mockRoute(buildRoutes.listBuilds, ({ query }) => {
    const page = demoDb().listBuilds(query)
    if ('error' in page) return problem(400, 'invalid-cursor', 'cursor is not one this server issued; drop it to start from the first page', 'query.cursor')
    return HttpResponse.json(page)
  }),

  mockRoute(buildRoutes.getBuild, ({ params }) => {
    const build = demoDb().getBuild(params.id)
    return build ? HttpResponse.json(build) : problem(404, 'not-found', `no build with id ${params.id}`, 'path.id')
  }),

  mockRoute(buildRoutes.buildNeighbours, ({ params }) => {
    const neighbours = demoDb().neighbours(params.id)
    return neighbours ? HttpResponse.json(neighbours) : problem(404, 'not-found', `no build with id ${params.id}`, 'path.id')
  }),

  mockRoute(buildRoutes.listProjects, () => HttpResponse.json(demoDb().listProjects())),
]
