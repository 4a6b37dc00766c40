import { bodyLimit } from 'hono/body-limit'
import { attestationRoutes } from '../../src/contract/attestations'
import { reverifyRoutes } from '../../src/contract/reverify'
import { ingestContext } from '../config'
import type { RouteDeps } from '../http/deps'
import { apiError } from '../http/errors'
import { resourceApp } from '../http/mount'
import { ingestBody } from '../ingest/ingest'
import { reverifyAll } from './reverify'

/** Documents in: ingest of signed attestations (any accepted format), and verifying every stored one again. */
export function documentsApp({ store, config, auth, now }: RouteDeps) {
  const { app, mount } = resourceApp(auth)

  mount(
    attestationRoutes.ingestAttestations,
    async (c) => {
      const contentType = c.req.header('content-type') ?? 'application/json'
      if (!/json/i.test(contentType)) {
        return apiError(c, 415, 'unsupported-media-type', `send application/json or application/x-ndjson, not ${contentType}`, 'header.content-type')
      }
      const body = Buffer.from(await c.req.arrayBuffer())
      const result = await ingestBody(store, body, contentType, ingestContext(config, now))
      if (!result.ok) return apiError(c, result.status, result.error.code, result.error.message, result.error.path)
      return c.json(result.body, result.status)
    },
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: (c) => apiError(c, 413, 'body-too-large', `the body is larger than the limit of ${config.maxBodyBytes} bytes (limits.maxBodyBytes)`),
    }),
  )

  mount(reverifyRoutes.reverify, async (c) => c.json(await reverifyAll(store, config)))

  return app
}
