import { z } from 'zod'
import { BuildSummary } from './builds'
import { BuildId, DigestSet, DocumentId, Instant, optionalText, Subject, Verification, VerificationStatus } from './common'
import { Rebuild, Sbom } from './rebuilds'

/*
 * The explore screens: artifact, signatures, reproducibility, search. Everything here is read-only and every
 * string that came from a document is untrusted text.
 */

/** `sha256:<hex>`, or bare hex (taken as sha256 when 64 characters long). */
export const DigestParam = z
  .string()
  .trim()
  .regex(/^(?:[a-z0-9-]+:)?[0-9a-fA-F]{12,128}$/, 'a digest is `algorithm:hex` or hex, at least 12 hex characters')

// ---------- artifacts ----------

/** A document that says something about the artifact: provenance naming it as a subject, an SBOM, a VSA. */
export const ArtifactAttestation = z.object({
  documentId: DocumentId,
  format: z.string(),
  predicateType: z.string().nullable(),
  buildId: BuildId.nullable(),
  ingestedAt: Instant,
  verification: Verification,
})
export type ArtifactAttestation = z.infer<typeof ArtifactAttestation>

export const ArtifactReproducibility = z.object({
  rebuilders: z.number().int(),
  matched: z.number().int(),
  mismatched: z.number().int(),
})

export const ArtifactDetail = z.object({
  /** The digest asked for, normalised to `algorithm:hex`. */
  digest: z.string(),
  /** Every digest known for the artifact (from the subjects that name it). */
  digests: DigestSet,
  /** Names the artifact was published under, most recent first. */
  names: z.array(z.string()),
  /** The newest build whose provenance lists the artifact as a subject. */
  producedBy: BuildSummary.nullable(),
  /** Every build listing it (a re-run of the same build produces the same artifact), newest first, at most 20. */
  builds: z.array(BuildSummary),
  attestations: z.array(ArtifactAttestation),
  sbom: Sbom.nullable(),
  rebuilds: z.array(Rebuild),
  reproducibility: ArtifactReproducibility,
  /** Deployment records; none are ingested yet, so this is always empty. */
  deployments: z.array(z.object({ environment: z.string(), at: Instant })),
})
export type ArtifactDetail = z.infer<typeof ArtifactDetail>

// ---------- signatures ----------

export const SignatureRow = z.object({
  documentId: DocumentId,
  format: z.string(),
  status: VerificationStatus,
  failedCheck: z.string().nullable(),
  /** Who signed, as best known: a certificate SAN, a trusted key id, or the keyid the signature names. */
  signer: z.string().nullable(),
  project: z.string().nullable(),
  buildId: BuildId.nullable(),
  subjects: z.array(Subject),
  ingestedAt: Instant,
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
  from: Instant.optional(),
  to: Instant.optional(),
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

// ---------- reproducibility ----------

export const Streak = z.object({ verdict: z.enum(['match', 'mismatch']), length: z.number().int() })

export const ReproducibilityProject = z.object({
  project: z.string(),
  rebuilds: z.number().int(),
  matched: z.number().int(),
  mismatched: z.number().int(),
  /** Rebuilds in a row with the same verdict, newest first; null with no rebuilds. */
  currentStreak: Streak.nullable(),
  lastMismatch: Rebuild.nullable(),
  lastRebuildAt: Instant.nullable(),
})
export type ReproducibilityProject = z.infer<typeof ReproducibilityProject>

export const ReproducibilitySummary = z.object({ items: z.array(ReproducibilityProject) })
export type ReproducibilitySummary = z.infer<typeof ReproducibilitySummary>

export const HistoryQuery = z.object({
  project: z.string().trim().min(1).max(512),
  /** Bucket size; `auto` picks days for ranges up to 120 days, else weeks. */
  bucket: z.enum(['day', 'week', 'auto']).default('auto'),
  from: Instant.optional(),
  to: Instant.optional(),
})
export type HistoryQuery = z.infer<typeof HistoryQuery>
export type HistoryQueryInput = z.input<typeof HistoryQuery>

export const HistoryBucket = z.object({
  /** Start of the bucket (UTC midnight; weeks start on Monday). */
  start: Instant,
  matched: z.number().int(),
  mismatched: z.number().int(),
})
export type HistoryBucket = z.infer<typeof HistoryBucket>

export const ReproducibilityHistory = z.object({
  project: z.string(),
  bucket: z.enum(['day', 'week']),
  from: Instant,
  to: Instant,
  /** Every bucket of the range in order, empty ones included, so a chart needs no gap logic. */
  buckets: z.array(HistoryBucket),
  matched: z.number().int(),
  mismatched: z.number().int(),
  currentStreak: Streak.nullable(),
  lastMismatch: Rebuild.nullable(),
})
export type ReproducibilityHistory = z.infer<typeof ReproducibilityHistory>

export const MatrixQuery = z.object({
  project: z.string().trim().min(1).max(512),
  /** How many of the project's most recently rebuilt artifacts. */
  limit: z.coerce.number().int().min(1).max(200).default(30),
})
export type MatrixQuery = z.infer<typeof MatrixQuery>

/** Rebuilders × artifacts: for each artifact, each rebuilder's latest verdict. */
export const RebuilderMatrix = z.object({
  project: z.string(),
  rebuilders: z.array(z.string()),
  artifacts: z.array(
    z.object({
      name: z.string().nullable(),
      digest: z.string(),
      /** One cell per entry of `rebuilders`, in the same order; null where that rebuilder has no verdict. */
      cells: z.array(z.object({ verdict: z.enum(['match', 'mismatch']), rebuildId: z.string(), time: Instant }).nullable()),
      agree: z.number().int(),
      total: z.number().int(),
    }),
  ),
})
export type RebuilderMatrix = z.infer<typeof RebuilderMatrix>

// ---------- compare ----------

/** The builds of the same project just before and after one build, for "compare with previous". */
export const BuildNeighbours = z.object({ previous: BuildSummary.nullable(), next: BuildSummary.nullable() })
export type BuildNeighbours = z.infer<typeof BuildNeighbours>

// ---------- search ----------

export const SearchTarget = z.discriminatedUnion('type', [
  z.object({ type: z.literal('artifact'), digest: z.string() }),
  z.object({ type: z.literal('build'), id: BuildId }),
  z.object({ type: z.literal('signatures'), signer: z.string() }),
])
export type SearchTarget = z.infer<typeof SearchTarget>

export const SearchResult = z.object({
  kind: z.enum(['artifact', 'build', 'commit', 'signer', 'package']),
  /** What matched, e.g. the artifact name or the commit. */
  title: z.string(),
  /** One line of context: project, digest, time. */
  detail: z.string(),
  target: SearchTarget,
})
export type SearchResult = z.infer<typeof SearchResult>

export const SearchQuery = z.object({ q: z.string().trim().min(1, 'type something to search for').max(512) })

export const SearchResponse = z.object({
  query: z.string(),
  /** How the query was read: a digest (full or prefix), a commit, a build id, or free text (names, purls, signers). */
  interpretedAs: z.enum(['digest', 'commit', 'build-id', 'text']),
  results: z.array(SearchResult),
})
export type SearchResponse = z.infer<typeof SearchResponse>
