import { bodyLimit } from 'hono/body-limit'
import { deploymentRoutes } from '../../src/contract/deployments'
import type { RouteDeps } from '../http/deps'
import { apiError } from '../http/errors'
import { resourceApp } from '../http/mount'
import { ingestDeployments } from './ingest'

/** Deployments in (JSON or JSONL, idempotent), the list, one, and what runs now in each environment. */
export function deploymentsApp({ store, config, auth, now }: RouteDeps) {
  const { app, mount } = resourceApp(auth)

  mount(
    deploymentRoutes.ingestDeployments,
    async (c) => {
      const contentType = c.req.header('content-type') ?? 'application/json'
      if (!/json/i.test(contentType)) {
        return apiError(c, 415, 'unsupported-media-type', `send application/json or application/x-ndjson, not ${contentType}`, 'header.content-type')
      }
      const result = await ingestDeployments(store, Buffer.from(await c.req.arrayBuffer()), contentType, now)
      if (!result.ok) return apiError(c, result.status, result.error.code, result.error.message, result.error.path)
      return c.json(result.body, result.status)
    },
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: (c) => apiError(c, 413, 'body-too-large', `the body is larger than the limit of ${config.maxBodyBytes} bytes (limits.maxBodyBytes)`),
    }),
  )

  mount(deploymentRoutes.listDeployments, async (c, { query }) => c.json(await store.deployments.list(query)))

  mount(deploymentRoutes.getDeployment, async (c, { params }) => {
    const deployment = await store.deployments.get(params.id)
    if (deployment === null) return apiError(c, 404, 'not-found', `no deployment with id ${params.id} is recorded; GET /api/v1/deployments lists them`, 'path.id')
    return c.json(deployment)
  })

  mount(deploymentRoutes.listEnvironments, async (c) => c.json(await store.deployments.environments()))

  return app
}
