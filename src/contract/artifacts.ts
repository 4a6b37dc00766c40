import { z } from 'zod'
import { BuildSummary } from './build-summary'
import { BuildId, DocumentId, Instant, DigestSet, Verification, VerificationStatus, optionalText } from './common'
import { Rebuild } from './rebuilds'
import { Sbom } from './sboms'
import { errors, type RouteSpec } from './route-spec'
import { ApiErrorBody } from './common'
import { ARTIFACTS_PER_BUILD } from '../../domain/artifact-list'

/* One artifact, found by its digest. Every string that came from a document is untrusted text. */

/** `sha256:<hex>`, or bare hex (taken as sha256 when 64 characters long). */
export const DigestParam = z
  .string()
  .trim()
  .regex(/^(?:[a-z0-9-]+:)?[0-9a-fA-F]{12,128}$/, 'a digest is `algorithm:hex` or hex, at least 12 hex characters')

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
  /** Rebuild verdicts not counted above: their document did not verify with a trusted key, so they are only claims. */
  notCounted: z.number().int(),
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
  /**
   * Where the artifact was deployed, newest first, at most 20. `flagged`: the deployment has a digest without a
   * verified path back to a source commit ("deployed without verified provenance"); `current`: it is what runs now
   * for its service in its environment.
   */
  deployments: z.array(z.object({ environment: z.string(), at: Instant, id: z.string(), service: z.string(), current: z.boolean(), flagged: z.boolean() })),
})
export type ArtifactDetail = z.infer<typeof ArtifactDetail>

/** Query of `GET /api/v1/artifacts`. Every field is optional. */
export const ArtifactListQuery = z.object({
  project: optionalText.meta({ description: 'exact project name, e.g. `acme/web`' }),
  name: optionalText.meta({ description: 'exact artifact name, e.g. `api-linux-amd64`' }),
  perBuild: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(ARTIFACTS_PER_BUILD)
    .meta({ description: `at most this many artifacts of each build, the first it names (default ${ARTIFACTS_PER_BUILD}); not applied with \`name\`, which lists every match` }),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
})
export type ArtifactListQuery = z.infer<typeof ArtifactListQuery>
export type ArtifactListQueryInput = z.input<typeof ArtifactListQuery>

/** One artifact as a build published it: a subject of the build's provenance with a sha256 digest. */
export const ArtifactListItem = z.object({
  digest: z.string().meta({ description: '`sha256:<hex>`' }),
  name: z.string(),
  buildId: BuildId,
  project: z.string(),
  /** The build's time. */
  time: Instant,
  /** The verification status of the provenance that lists it. */
  status: VerificationStatus,
  moreInBuild: z
    .number()
    .int()
    .nonnegative()
    .meta({ description: "On the last artifact listed of a build: how many more of the build's artifacts `perBuild` left out (its build's page names them all); 0 on every other" }),
})
export type ArtifactListItem = z.infer<typeof ArtifactListItem>

export const ArtifactPage = z.object({
  items: z.array(ArtifactListItem),
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: z.string().nullable(),
})
export type ArtifactPage = z.infer<typeof ArtifactPage>

/** The artifacts routes, declared once: mounted by the server, published as OpenAPI. */
export const artifactRoutes = {
  listArtifacts: {
    method: 'get',
    path: '/api/v1/artifacts',
    summary: 'Recently built artifacts (build subjects with a sha256 digest), newest build first, the first few of each build, with their status; by project and name, with cursor pagination',
    scope: 'read',
    query: ArtifactListQuery,
    responses: { 200: { description: 'A page of artifacts', schema: ArtifactPage }, ...errors },
  },
  getArtifact: {
    method: 'get',
    path: '/api/v1/artifacts/{digest}',
    summary: 'Everything known about one artifact: builds, attestations with their verification, SBOM, rebuilds and their agreement',
    scope: 'read',
    params: z.object({ digest: DigestParam }),
    paramError: { code: 'invalid-digest', hint: 'e.g. sha256:3f2a…, or its first 12 hex characters' },
    responses: {
      200: { description: 'The artifact', schema: ArtifactDetail },
      ...errors,
      404: { description: 'No build subject, SBOM or rebuild names the digest', schema: ApiErrorBody },
      409: { description: 'The prefix matches several artifacts; the message says how many', schema: ApiErrorBody },
    },
  },
} as const satisfies Record<string, RouteSpec>
