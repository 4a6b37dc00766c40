import { z } from 'zod'
import { ApiErrorBody, DocumentId, Instant, Verification } from './common'
import { errors, type RouteSpec } from './route-spec'

/* One stored document, as it was received: its bytes, and the verdict the server holds on it. */

/** A stored document's verdict, with what identifies the bytes it is about. */
export const DocumentVerification = z.object({
  /** The document's id: the SHA-256 (hex) of its bytes exactly as received. */
  id: DocumentId,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  format: z.string(),
  payloadType: z.string().nullable(),
  ingestedAt: Instant,
  verification: Verification,
})
export type DocumentVerification = z.infer<typeof DocumentVerification>

const documentParams = z.object({ id: DocumentId })
const paramError = { code: 'invalid-document-id', hint: 'the 64 hex characters of the SHA-256 of the document, as shown beside each attestation' }
const notFound = { description: 'No document with this id is stored', schema: ApiErrorBody }

/** The documents routes, declared once: mounted by the server, published as OpenAPI. */
export const documentRoutes = {
  getDocument: {
    method: 'get',
    path: '/api/v1/documents/{id}',
    summary: 'The document exactly as stored, as a download: its bytes, whose SHA-256 is the id (ETag and Repr-Digest say so too)',
    scope: 'read',
    params: documentParams,
    paramError,
    responses: { 200: { description: 'The stored bytes, application/octet-stream, Content-Disposition: attachment' }, ...errors, 404: notFound },
  },
  getDocumentVerification: {
    method: 'get',
    path: '/api/v1/documents/{id}/verification',
    summary: "The server's current verdict on one stored document, with every check",
    scope: 'read',
    params: documentParams,
    paramError,
    responses: { 200: { description: 'The verdict', schema: DocumentVerification }, ...errors, 404: notFound },
  },
} as const satisfies Record<string, RouteSpec>
