import { attestationRoutes } from '../../src/contract/attestations'
import type { AlertEngine } from '../alerts/engine'
import { ingestContext } from '../config'
import { tokenFor } from '../http/auth'
import type { RouteDeps } from '../http/deps'
import { errorBody } from '../http/errors'
import { sendJson, sendThrown, type NodeRoute, type SecurityHeaders } from '../http/node-routes'
import { readIncoming } from '../http/request-body'
import { ingestBody } from '../ingest/ingest'

/**
 * POST /api/v1/attestations from Node's request directly (server/http/node-routes.ts), for the requests the app
 * would take to the ingest handler: a token with scope ingest, a JSON content type, a declared length within the
 * limit. It does what the route and its middleware do (server/documents/routes.ts, the alert engine's catch-up
 * after a stored document, before the answer), and answers with the app's headers; anything else goes to the app,
 * whose answers (401, 403, 413, 415) stay as they are.
 */
export function nodeIngestRoute({ store, config, now }: RouteDeps, engine: AlertEngine, security: SecurityHeaders): NodeRoute {
  const path = attestationRoutes.ingestAttestations.path
  return (request, response) => {
    if (request.method !== 'POST' || request.url !== path) return false
    const { 'content-type': contentType, 'content-length': declared } = request.headers
    if (contentType === undefined || !/json/i.test(contentType)) return false
    if (declared === undefined || request.headers['transfer-encoding'] !== undefined || !(Number.parseInt(declared, 10) <= config.maxBodyBytes)) return false
    if (tokenFor(config, request.headers.authorization)?.scopes.includes('ingest') !== true) return false
    void (async () => {
      try {
        // Not past the limit: Node's parser ends a body at its declared length.
        const body = (await readIncoming(request, config.maxBodyBytes)) ?? Buffer.alloc(0)
        const result = await ingestBody(store, body, contentType, ingestContext(config, now))
        if (!result.ok) return await sendJson(request, response, result.status, JSON.stringify(errorBody(result.error.code, result.error.message, result.error.path)), security)
        const text = JSON.stringify(result.body)
        // The rules look at what was stored before the answer goes, as the app's afterIngest does.
        await engine.catchUp()
        await sendJson(request, response, result.status, text, security)
      } catch (error) {
        await sendThrown(request, response, error, path, security)
      }
    })()
    return true
  }
}
