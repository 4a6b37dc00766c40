import { z } from 'zod'
import { BuildSummary } from './builds'
import { BuildId, DocumentId, Instant, DigestSet, Verification } from './common'
import { Rebuild } from './rebuilds'
import { Sbom } from './sboms'
import { errors, type RouteSpec } from './route-spec'
import { ApiErrorBody } from './common'

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

/** The artifacts routes, declared once: mounted by the server, published as OpenAPI. */
export const artifactRoutes = {
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
