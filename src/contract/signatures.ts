import { z } from 'zod'
import { BuildId, DocumentId, Instant, optionalText, Subject, VerificationStatus } from './common'
import { errors, type RouteSpec } from './route-spec'

/* Every verification result, one row a document, with counts by status. */

/** What a document is, whatever it came in: read from what the server stored of it. */
export const DocumentKind = z.enum(['provenance', 'sbom', 'vsa', 'link', 'rebuild', 'deployment', 'test-result'])
export type DocumentKind = z.infer<typeof DocumentKind>

export const SignatureRow = z.object({
  documentId: DocumentId,
  format: z.string(),
  kind: DocumentKind.nullable().meta({
    description:
      'What the document is: build provenance, an SBOM, a VSA, an in-toto link, a rebuild verdict, a deployment or a test result; null for anything else (a log entry, a message signature, a Statement of another kind)',
  }),
  status: VerificationStatus,
  failedCheck: z.string().nullable(),
  /** Who signed, as best known: a certificate SAN, a trusted key id, or the keyid the signature names. */
  signer: z.string().nullable(),
  project: z.string().nullable(),
  buildId: BuildId.nullable(),
  subjects: z.array(Subject),
  ingestedAt: Instant,
  /**
   * When it was signed or its build ran, from the stored facts: a transparency log's integrated time, else the
   * build's (or rebuild's) finish or start time, else a VSA's verification time. Null when none says.
   */
  signedAt: Instant.nullable(),
  /** What the list orders and filters by: `signedAt`, else `ingestedAt`. */
  time: Instant,
})
export type SignatureRow = z.infer<typeof SignatureRow>

export const StatusCounts = z.object({
  verified: z.number().int(),
  failed: z.number().int(),
  untrusted: z.number().int(),
  unsigned: z.number().int(),
  unverifiable: z.number().int(),
})
export type StatusCounts = z.infer<typeof StatusCounts>

export const SignatureQuery = z.object({
  status: VerificationStatus.optional(),
  project: optionalText,
  /** Exact signer identity as listed in `signer`. */
  signer: optionalText,
  from: Instant.optional().meta({ description: 'only results signed (else ingested) at or after this instant' }),
  to: Instant.optional().meta({ description: 'only results signed (else ingested) before this instant' }),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
})
export type SignatureQuery = z.infer<typeof SignatureQuery>
export type SignatureQueryInput = z.input<typeof SignatureQuery>

export const SignaturePage = z.object({
  items: z.array(SignatureRow),
  nextCursor: z.string().nullable(),
  /** Counts by status for the same filters, status aside. */
  counts: StatusCounts,
})
export type SignaturePage = z.infer<typeof SignaturePage>

/** The signatures routes, declared once: mounted by the server, published as OpenAPI. */
export const signatureRoutes = {
  listSignatures: {
    method: 'get',
    path: '/api/v1/signatures',
    summary: 'Every verification result, newest signed (else ingested) first, with counts by status for the same filters (status aside)',
    scope: 'read',
    query: SignatureQuery,
    responses: { 200: { description: 'A page of verification results and the counts', schema: SignaturePage }, ...errors },
  },
} as const satisfies Record<string, RouteSpec>
