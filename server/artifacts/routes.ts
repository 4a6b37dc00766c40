import { artifactRoutes } from '../../src/contract/artifacts'
import type { RouteDeps } from '../http/deps'
import { apiError } from '../http/errors'
import { resourceApp } from '../http/mount'

/** Recently built artifacts, and one artifact by digest, bare hex or a unique prefix. */
export function artifactsApp({ store, auth }: RouteDeps) {
  const { app, mount } = resourceApp(auth)

  mount(artifactRoutes.listArtifacts, async (c, { query }) => c.json(await store.artifacts.list(query)))

  mount(artifactRoutes.getArtifact, async (c, { params }) => {
    const found = await store.artifacts.get(params.digest)
    if (found.kind === 'not-found') {
      return apiError(c, 404, 'not-found', `no build subject, SBOM or rebuild names an artifact with digest ${params.digest}`, 'path.digest')
    }
    if (found.kind === 'ambiguous') {
      const count = found.more ? `more than ${found.candidates.length}` : String(found.candidates.length)
      const listed = `${found.candidates.slice(0, 3).join(', ')}${found.candidates.length > 3 ? ', …' : ''}`
      return apiError(c, 409, 'ambiguous-digest', `the prefix ${params.digest} matches ${count} artifacts (${listed}); give more hex characters, or search for it to list them`, 'path.digest')
    }
    return c.json(found.artifact)
  })

  return app
}
