import { bodyLimit } from 'hono/body-limit'
import { DeploymentIngestResponse, deploymentRoutes } from '../../src/contract/deployments'
import { canonicalDeployment } from '../../domain/deployment-id'
import { serviceOf } from '../../domain/deployment-provenance'
import type { RouteDeps } from '../http/deps'
import { apiError } from '../http/errors'
import { resourceApp } from '../http/mount'
import { readDeploymentBody } from './read-body'
import type { DeploymentRecord } from './store'

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
      const body = Buffer.from(await c.req.arrayBuffer())
      const read = await readDeploymentBody(body, contentType, (ids) => store.deployments.existing(ids))
      if (read.lines === 0) return apiError(c, 400, 'empty-body', 'the request body is empty')
      if (read.deployments.length === 0) {
        const first = read.errors[0]
        if (read.lines === 1 && first !== undefined) return apiError(c, first.code === 'invalid-json' ? 400 : 422, first.code, first.message, first.path)
        const summary = read.errors.slice(0, 5).map((error) => `line ${error.line}: ${error.message}`).join('; ')
        return apiError(c, 422, 'no-valid-deployments', `none of the ${read.lines} lines could be read: ${summary}`, first?.path)
      }
      const ingestedAt = now()
      const records: DeploymentRecord[] = []
      for (const { id, input } of read.deployments) {
        const first = input.artifacts[0]
        const project = input.project ?? (first === undefined ? null : await store.deployments.projectOf(first.digest))
        records.push({ id, input, canonical: canonicalDeployment(input), service: serviceOf(input, project), project, recordedBy: 'api', documentId: null, ingestedAt })
      }
      const outcomes = await store.deployments.ingest(records)
      const deployments = []
      for (const [index, outcome] of outcomes.entries()) {
        const deployment = await store.deployments.get(outcome.id)
        const line = read.deployments[index]?.line
        deployments.push({ id: outcome.id, ...(line === undefined ? {} : { line }), created: outcome.created, deployment })
      }
      const response = DeploymentIngestResponse.parse({ deployments, errors: read.errors })
      return c.json(response, outcomes.some((outcome) => outcome.created) ? 201 : 200)
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
