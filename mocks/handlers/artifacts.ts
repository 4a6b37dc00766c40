import { HttpResponse } from 'msw'
import { artifactRoutes } from '../../src/contract/artifacts'
import { demoArtifact } from '../data/artifacts'
import { demoIndex } from '../data/demo-index'
import { mockRoute, problem } from './route'

/** One artifact of the demo, by digest or a unique prefix. */
export const artifactHandlers = [
  mockRoute(artifactRoutes.getArtifact, ({ params }) => {
    const artifact = demoArtifact(demoIndex(), params.digest)
    return artifact ? HttpResponse.json(artifact) : problem(404, 'not-found', `no build subject, SBOM or rebuild names an artifact with digest ${params.digest}`, 'path.digest')
  }),
]
