import { HttpResponse } from 'msw'
import { deploymentRoutes } from '../../src/contract/deployments'
import { demoDeploymentsDb } from '../data/lineage-deployments'
import { mockRoute, problem } from './route'

/** The demo's deployments, one by id, and what runs now in each environment. Posting is the server's alone. */
export const deploymentHandlers = [
  mockRoute(deploymentRoutes.listDeployments, ({ query }) => {
    const page = demoDeploymentsDb().list(query)
    return page === 'invalid-cursor' ? problem(400, 'invalid-cursor', 'cursor is not one this server issued; drop it to start from the first page', 'query.cursor') : HttpResponse.json(page)
  }),
  mockRoute(deploymentRoutes.getDeployment, ({ params }) => {
    const entry = demoDeploymentsDb().byId.get(params.id)
    return entry ? HttpResponse.json(entry.deployment) : problem(404, 'not-found', `no deployment with id ${params.id} is recorded; GET /api/v1/deployments lists them`, 'path.id')
  }),
  mockRoute(deploymentRoutes.listEnvironments, () => HttpResponse.json(demoDeploymentsDb().environments())),
]
