import { z } from 'zod'
import { DigestSet, DocumentId, Instant, VerificationStatus } from './common'
import { errors, type RouteSpec } from './route-spec'

/** The predicate type of the rebuild attestation this project defines; see docs/rebuild-predicate.md. */
export const REBUILD_PREDICATE_TYPE = 'https://provenance-dashboard.dev/rebuild/v1'

export const RebuildVerdict = z.enum(['match', 'mismatch']).meta({
  description: 'match: the rebuilt artifact has the digest of the artifact that was rebuilt; mismatch: it does not',
})
export type RebuildVerdict = z.infer<typeof RebuildVerdict>

/** Where a verdict came from: a rebuilderd-style in-toto link, our rebuild predicate, or a bare diffoscope report. */
export const RebuildSource = z.enum(['in-toto-link', 'rebuild-statement', 'diffoscope'])
export type RebuildSource = z.infer<typeof RebuildSource>

export const DiffoscopeDifference = z.object({
  source1: z.string(),
  source2: z.string(),
  /** 0 for the top-level inputs' direct children, growing with nesting (a file inside an archive inside …). */
  depth: z.number().int(),
  comments: z.array(z.string()),
})
export type DiffoscopeDifference = z.infer<typeof DiffoscopeDifference>

/** What a diffoscope --json report says differs, flattened depth-first and bounded. */
export const DiffoscopeSummary = z.object({
  source1: z.string(),
  source2: z.string(),
  differences: z.array(DiffoscopeDifference),
  /** How many differences the report holds in all; more than `differences.length` when truncated. */
  total: z.number().int(),
  truncated: z.boolean(),
})
export type DiffoscopeSummary = z.infer<typeof DiffoscopeSummary>

/** One reproducibility verdict: one artifact as rebuilt by one rebuilder. */
export const Rebuild = z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  documentId: DocumentId,
  /** The signer's trusted key id, the predicate's rebuilder.id, or the link signer's keyid; null when unknown. */
  rebuilderId: z.string().nullable(),
  /** The project of the build that produced the artifact when one is stored, else the artifact's name. */
  project: z.string(),
  artifact: z.object({ name: z.string().nullable(), digest: DigestSet }),
  rebuiltDigest: DigestSet,
  verdict: RebuildVerdict,
  source: RebuildSource,
  /** How the document carrying the verdict verified: a verdict from an untrusted rebuilder is only a claim. */
  status: VerificationStatus,
  startedAt: Instant.nullable(),
  finishedAt: Instant.nullable(),
  time: Instant,
  diffoscope: DiffoscopeSummary.nullable(),
})
export type Rebuild = z.infer<typeof Rebuild>

export const RebuildPage = z.object({
  items: z.array(Rebuild),
  nextCursor: z.string().nullable(),
})
export type RebuildPage = z.infer<typeof RebuildPage>

export const RebuildQuery = z.object({
  /** `sha256:<hex>` or a bare hex value (any algorithm). */
  artifactDigest: z.string().trim().min(1).max(300).optional(),
  project: z.string().trim().min(1).max(512).optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
})
export type RebuildQuery = z.infer<typeof RebuildQuery>
export type RebuildQueryInput = z.input<typeof RebuildQuery>

/** The rebuilds routes, declared once: mounted by the server, published as OpenAPI. */
export const rebuildRoutes = {
  listRebuilds: {
    method: 'get',
    path: '/api/v1/rebuilds',
    summary: 'Reproducibility verdicts, newest first, by artifact digest and/or project',
    scope: 'read',
    query: RebuildQuery,
    responses: { 200: { description: 'A page of verdicts', schema: RebuildPage }, ...errors },
  },
} as const satisfies Record<string, RouteSpec>
