import { HttpResponse } from 'msw'
import { reproducibilityRoutes } from '../../src/contract/reproducibility'
import { demoIndex, type DemoIndex } from '../data/demo-index'
import { demoHistory, demoMatrix, demoReproducibilitySummary } from '../data/reproducibility'
import { mockRoute, problem } from './route'

const knownProject = (index: DemoIndex, project: string) =>
  index.db.summaries.some((build) => build.project === project) || index.rebuilds.some((rebuild) => rebuild.project === project)

const unknownProject = (project: string) =>
  problem(404, 'unknown-project', `no build or rebuild is filed under project "${project}"; GET /api/v1/projects lists them`, 'query.project')

/** Reproducibility of the demo's projects: summary, history and the rebuilder matrix. */
export const reproducibilityHandlers = [
  mockRoute(reproducibilityRoutes.reproducibilitySummary, () => HttpResponse.json(demoReproducibilitySummary(demoIndex()))),

  mockRoute(reproducibilityRoutes.reproducibilityHistory, ({ query }) => {
    const index = demoIndex()
    if (!knownProject(index, query.project)) return unknownProject(query.project)
    const history = demoHistory(index, query, Date.now())
    return 'error' in history ? problem(400, 'invalid-range', `${history.path}: ${history.error}`, history.path) : HttpResponse.json(history)
  }),

  mockRoute(reproducibilityRoutes.rebuilderMatrix, ({ query }) => {
    const index = demoIndex()
    return knownProject(index, query.project) ? HttpResponse.json(demoMatrix(index, query)) : unknownProject(query.project)
  }),
]
