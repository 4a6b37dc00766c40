import { z } from 'zod'
import { ApiErrorBody, DocumentId, Subject, Verification } from './common'
import { errors, type RouteSpec } from './route-spec'

/** `sha256:` and 64 hex digits: the one digest form a verification can be asked to match. */
export const ExpectedDigest = z
  .string()
  .regex(/^sha256:[0-9a-fA-F]{64}$/, 'expected sha256: followed by 64 hex digits, e.g. sha256:e3b0c442…b855')
  .transform((digest) => digest.toLowerCase())

/** What the asker expects of the document, as query parameters so the document's bytes travel untouched. */
export const VerifyQuery = z
  .object({
    digest: ExpectedDigest.optional().meta({ description: "the artifact's digest: a subject of the document must carry it" }),
    identity: z.string().min(1).max(1024).optional().meta({ description: 'certificate SAN the signer must have: exact, or /regex/' }),
    issuer: z.string().min(1).max(1024).optional().meta({ description: 'OIDC issuer of the signing certificate (required with identity)' }),
    keyId: z.string().min(1).optional().meta({ description: 'id of a configured trusted key (trust.keys) that must have signed' }),
    key: z
      .string()
      .min(1)
      .max(16_384)
      .regex(/-----BEGIN PUBLIC KEY-----/, 'a PEM public key: -----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----')
      .optional()
      .meta({ description: 'a PEM public key (URL-encoded) that must have signed, trusted for this verification only, as the CLI’s --key' }),
    policy: z.string().min(1).optional().meta({ description: 'name of a configured policy to judge the document by, whatever repository it names' }),
  })
  .strict()
export type VerifyQuery = z.infer<typeof VerifyQuery>

export const VerifyResponse = z.object({
  /** The id the document would be stored under (SHA-256 of its bytes); it is not stored. */
  id: DocumentId,
  format: z.string(),
  subjects: z.array(Subject),
  verification: Verification,
  stored: z.literal(false),
})
export type VerifyResponse = z.infer<typeof VerifyResponse>

/** Stateless verification, declared once: mounted by the server, published as OpenAPI. */
export const verifyRoutes = {
  verifyDocument: {
    method: 'post',
    path: '/api/v1/verify',
    summary: 'Verify one document exactly as ingest would, against optional expectations, storing nothing',
    scope: 'read',
    query: VerifyQuery,
    body: {
      contentTypes: ['application/json'],
      description: 'One document in any format POST /api/v1/attestations accepts (a DSSE envelope, a Sigstore bundle, …), as its exact bytes.',
    },
    responses: {
      200: { description: 'The verdict with every check; nothing was stored', schema: VerifyResponse },
      ...errors,
      413: { description: 'Body larger than the configured limit', schema: ApiErrorBody },
      415: { description: 'Unsupported content type', schema: ApiErrorBody },
      422: { description: 'Not a document ingest reads, or an expectation names something not configured', schema: ApiErrorBody },
    },
  },
} as const satisfies Record<string, RouteSpec>
