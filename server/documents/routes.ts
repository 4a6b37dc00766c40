import { attestationRoutes } from '../../src/contract/attestations'
import { DocumentVerification, documentRoutes } from '../../src/contract/documents'
import { reverifyRoutes } from '../../src/contract/reverify'
import { ingestContext } from '../config'
import type { RouteDeps } from '../http/deps'
import { apiError } from '../http/errors'
import { resourceApp } from '../http/mount'
import { readRequestBody } from '../http/request-body'
import { ingestBody } from '../ingest/ingest'
import { instant } from '../store/db'
import { reverifyAll } from './reverify'

/** Documents in: ingest of signed attestations (any accepted format), and verifying every stored one again. */
export function documentsApp({ store, config, auth, now }: RouteDeps) {
  const { app, mount } = resourceApp(auth)

  mount(
    attestationRoutes.ingestAttestations,
    async (c) => {
      // The size first, as a body limit in front of the handler would answer.
      const body = await readRequestBody(c, config.maxBodyBytes)
      if (body === null) return apiError(c, 413, 'body-too-large', `the body is larger than the limit of ${config.maxBodyBytes} bytes (limits.maxBodyBytes)`)
      const contentType = c.req.header('content-type') ?? 'application/json'
      if (!/json/i.test(contentType)) {
        return apiError(c, 415, 'unsupported-media-type', `send application/json or application/x-ndjson, not ${contentType}`, 'header.content-type')
      }
      const result = await ingestBody(store, body, contentType, ingestContext(config, now))
      if (!result.ok) return apiError(c, result.status, result.error.code, result.error.message, result.error.path)
      // Its length said, so that compression (below its threshold for one document's answer) need not read it back.
      const text = JSON.stringify(result.body)
      return c.body(text, result.status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) })
    },
  )

  mount(reverifyRoutes.reverify, async (c) => c.json(await reverifyAll(store, config)))

  const missing = (id: string) => `no document with id ${id} is stored; ids are the SHA-256 of the bytes as ingested`

  // The bytes as received, never rendered: attacker-controlled content goes out as an opaque download.
  mount(documentRoutes.getDocument, async (c, { params }) => {
    const document = await store.documents.get(params.id)
    if (document === null) return apiError(c, 404, 'not-found', missing(params.id), 'path.id')
    const sha256 = Buffer.from(document.id, 'hex').toString('base64')
    return c.body(Buffer.from(document.raw), 200, {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${document.id}.${document.format.replace(/[^a-z0-9-]/gi, '_')}.json"`,
      'x-content-type-options': 'nosniff',
      etag: `"sha256-${document.id}"`,
      'repr-digest': `sha-256=:${sha256}:`,
      digest: `sha-256=${sha256}`,
      // The bytes of an id never change (the id is their hash).
      'cache-control': 'private, max-age=31536000, immutable',
    })
  })

  mount(documentRoutes.getDocumentVerification, async (c, { params }) => {
    const document = await store.documents.get(params.id)
    if (document === null) return apiError(c, 404, 'not-found', missing(params.id), 'path.id')
    return c.json(
      DocumentVerification.parse({
        id: document.id,
        sha256: document.id,
        size: document.raw.byteLength,
        format: document.format,
        payloadType: document.payloadType,
        ingestedAt: instant(document.ingestedAt),
        verification: document.verification,
      }),
    )
  })

  return app
}
