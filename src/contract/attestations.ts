import { z } from 'zod'
import { BuildId, DocumentId, Subject, Verification, VerificationStatus } from './common'
import { errors, type RouteSpec } from './route-spec'
import { ApiErrorBody } from './common'

export const IngestedDocument = z.object({
  id: DocumentId,
  /** 1-based line of a JSONL body; absent for a single JSON document. */
  line: z.number().int().optional(),
  format: z.string(),
  /** False when the same bytes were already stored: the existing record is returned, not a duplicate. */
  created: z.boolean(),
  buildId: BuildId.nullable(),
  subjects: z.array(Subject),
  verification: Verification,
  /**
   * For a Rekor entry response: each entry and the stored documents it records, verified again with it; an empty
   * list says nothing stored matches yet (a matching document stored later is verified with it on arrival).
   */
  logEntries: z.array(z.object({ uuid: z.string(), logIndex: z.string(), documents: z.array(z.object({ id: DocumentId, status: VerificationStatus })) })).optional(),
})
export type IngestedDocument = z.infer<typeof IngestedDocument>

export const LineError = z.object({
  line: z.number().int().optional(),
  code: z.string(),
  message: z.string(),
  path: z.string().optional(),
})
export type LineError = z.infer<typeof LineError>

export const IngestResponse = z.object({
  documents: z.array(IngestedDocument),
  /** Lines of a JSONL body that were rejected; the good lines are stored all the same. */
  errors: z.array(LineError),
})
export type IngestResponse = z.infer<typeof IngestResponse>

/** The attestations routes, declared once: mounted by the server, published as OpenAPI. */
export const attestationRoutes = {
  ingestAttestations: {
    method: 'post',
    path: '/api/v1/attestations',
    summary: 'Ingest signed provenance: one JSON document, or JSONL with one document per line',
    scope: 'ingest',
    body: {
      contentTypes: ['application/json', 'application/x-ndjson', 'application/jsonl'],
      description:
        'A DSSE envelope whose payload is an in-toto Statement (v0.1 or v1) carrying SLSA provenance v0.2 or v1; or several, one per line.',
    },
    responses: {
      200: { description: 'Every document was already stored; the existing records', schema: IngestResponse },
      201: { description: 'Stored (a JSONL body may also list rejected lines)', schema: IngestResponse },
      ...errors,
      413: { description: 'Body larger than the configured limit', schema: ApiErrorBody },
      415: { description: 'Unsupported content type', schema: ApiErrorBody },
      422: { description: 'No document in the body could be read; each problem is listed', schema: ApiErrorBody },
    },
  },
} as const satisfies Record<string, RouteSpec>
