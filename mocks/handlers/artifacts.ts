import { HttpResponse } from 'msw'
import { artifactRoutes } from '../../src/contract/artifacts'
import { demoArtifactList } from '../data/artifact-list'
import { demoArtifact } from '../data/artifacts'
import { demoIndex } from '../data/demo-index'
import { mockRoute, problem } from './route'

/** The demo's recent artifacts, and one artifact by digest or a unique prefix. */
export const artifactHandlers = [
  mockRoute(artifactRoutes.listArtifacts, ({ query }) => {
    const page = demoArtifactList(demoIndex(), query)
    return page === 'invalid-cursor' ? problem(400, 'invalid-cursor', 'cursor is not one this server issued; drop it to start from the first page', 'query.cursor') : HttpResponse.json(page)
  }),
  mockRoute(artifactRoutes.getArtifact, ({ params }) => {
    const artifact = demoArtifact(demoIndex(), params.digest)
    return artifact ? HttpResponse.json(artifact) : problem(404, 'not-found', `no build subject, SBOM or rebuild names an artifact with digest ${params.digest}`, 'path.digest')
  }),
]
