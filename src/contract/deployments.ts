import { z } from 'zod'
import { LineError } from './attestations'
import { ApiErrorBody, BuildId, DocumentId, Instant, optionalText, VerificationStatus } from './common'
import { errors, type RouteSpec } from './route-spec'

/*
 * Deployments: which artifact digests run where. They are the right-hand end of the lineage graph, and the
 * place a deployment of a digest without a verified path back to a source commit is flagged.
 */

/** The predicate type of the deployment attestation this project defines; see docs/deployment-predicate.md. */
export const DEPLOYMENT_PREDICATE_TYPE = 'https://provenance-dashboard.dev/deployment/v1'

/** `sha256:<64 hex>`, the one spelling a deployed digest is stored and answered in. */
export const DeployedDigest = z
  .string()
  .trim()
  .regex(/^sha256:[0-9a-fA-F]{64}$/, 'a deployed digest is `sha256:` followed by 64 hex characters')
  .transform((text) => text.toLowerCase())

const name = (max: number) => z.string().trim().min(1, 'must not be empty').max(max)

export const EnvironmentRef = z.object({
  /** `staging`, `production`, … compared exactly (lower-case is conventional). */
  name: name(128).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'an environment name is letters, digits, `.`, `_` or `-`'),
  cluster: name(256).optional(),
  namespace: name(256).optional(),
  region: name(128).optional(),
})
export type EnvironmentRef = z.infer<typeof EnvironmentRef>

/**
 * One deployment as a deploy pipeline posts it (JSON, or one per JSONL line), and as the deployment predicate
 * carries it (docs/deployment-predicate.md). The same input posted twice is the same deployment (its id is the
 * SHA-256 of the canonical JSON of the parsed input), so a retried post is answered with the stored record.
 */
export const DeploymentInput = z.object({
  artifacts: z
    .array(z.object({ digest: DeployedDigest, name: name(512).optional() }))
    .min(1, 'a deployment deploys at least one artifact')
    .max(100),
  environment: EnvironmentRef,
  /** What runs: the unit "what runs now" is reported per. Defaults to the first artifact's name, else its project. */
  service: name(256).optional(),
  /** Overrides the project read from the artifact's build (for artifacts with no stored provenance). */
  project: name(512).optional(),
  deployedAt: Instant,
  system: z.object({ name: name(256), runUrl: z.url().max(2048).optional() }),
  /** The id of an earlier deployment this one replaces (a rollback or a fix of a wrong record). */
  replaces: z.string().regex(/^[0-9a-f]{64}$/, 'a deployment id is 64 lower-case hex characters').optional(),
})
export type DeploymentInput = z.infer<typeof DeploymentInput>
export type DeploymentInputJson = z.input<typeof DeploymentInput>

export const DeploymentId = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'a deployment id is 64 lower-case hex characters')
  .brand<'DeploymentId'>()
export type DeploymentId = z.infer<typeof DeploymentId>

/** The provenance of one deployed digest, judged when the deployment is read (verdicts can be re-verified). */
export const DeployedProvenance = z.object({
  /** The status of the best provenance naming the digest (verified first), or `none` when no build names it. */
  status: z.union([VerificationStatus, z.literal('none')]),
  /** The build of that provenance, when there is one. */
  buildId: BuildId.nullable(),
  sourceRepo: z.string().nullable(),
  sourceCommit: z.string().nullable(),
  /** True when a build with verified provenance that names a source commit lists the digest as a subject. */
  verifiedPath: z.boolean(),
  /** Some rebuild of the digest reports a different digest. */
  rebuildDisagrees: z.boolean(),
  /** One phrase: why the path is or is not verified (`provenance verified, built from acme/api@1a2b3c4`). */
  reason: z.string(),
})
export type DeployedProvenance = z.infer<typeof DeployedProvenance>

export const DeployedArtifact = z.object({
  digest: z.string().meta({ description: '`sha256:<hex>`' }),
  name: z.string().nullable(),
  provenance: DeployedProvenance,
})
export type DeployedArtifact = z.infer<typeof DeployedArtifact>

export const Deployment = z.object({
  id: DeploymentId,
  environment: z.object({
    name: z.string(),
    cluster: z.string().nullable(),
    namespace: z.string().nullable(),
    region: z.string().nullable(),
  }),
  service: z.string(),
  /** The project of the first artifact's build, else the input's `project`, else null. */
  project: z.string().nullable(),
  artifacts: z.array(DeployedArtifact),
  deployedAt: Instant,
  system: z.object({ name: z.string(), runUrl: z.string().nullable() }),
  replaces: DeploymentId.nullable(),
  /** The later deployment that names this one in `replaces`, if any. */
  replacedBy: DeploymentId.nullable(),
  /** How it was recorded: posted with an ingest token, or as a signed deployment attestation. */
  recordedBy: z.enum(['api', 'attestation']),
  /** The attestation's document when recordedBy is `attestation`. */
  documentId: DocumentId.nullable(),
  /** How that attestation verified; null for a record posted as plain JSON (the token is its only authority). */
  signature: VerificationStatus.nullable(),
  /** True when any deployed digest has no verified path back to a source commit: "deployed without verified provenance". */
  flagged: z.boolean(),
  ingestedAt: Instant,
})
export type Deployment = z.infer<typeof Deployment>

export const DeploymentPage = z.object({
  items: z.array(Deployment),
  /** Opaque; pass back as `cursor` for the next page. Null on the last page. */
  nextCursor: z.string().nullable(),
})
export type DeploymentPage = z.infer<typeof DeploymentPage>

/** Query of `GET /api/v1/deployments`, newest first. Every field is optional. */
export const DeploymentQuery = z.object({
  environment: optionalText.meta({ description: 'exact environment name, e.g. `production`' }),
  project: optionalText.meta({ description: 'exact project name, e.g. `acme/api`' }),
  service: optionalText.meta({ description: 'exact service name' }),
  digest: z
    .string()
    .trim()
    .regex(/^(?:sha256:)?[0-9a-fA-F]{64}$/, 'a digest is `sha256:` and 64 hex characters (or the 64 hex alone)')
    .transform((text) => `sha256:${text.replace(/^sha256:/, '').toLowerCase()}`)
    .optional()
    .meta({ description: 'only deployments of this artifact digest' }),
  flagged: z
    .enum(['true', 'false'])
    .transform((text) => text === 'true')
    .optional()
    .meta({ description: 'only deployments with (true) or without (false) a digest lacking a verified path' }),
  from: Instant.optional().meta({ description: 'only deployments at or after this instant' }),
  to: Instant.optional().meta({ description: 'only deployments before this instant' }),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
})
export type DeploymentQuery = z.infer<typeof DeploymentQuery>
export type DeploymentQueryInput = z.input<typeof DeploymentQuery>

export const IngestedDeployment = z.object({
  id: DeploymentId,
  /** 1-based line of a JSONL body; absent for a single JSON document. */
  line: z.number().int().optional(),
  /** False when the same deployment was already stored: the existing record is returned, not a duplicate. */
  created: z.boolean(),
  deployment: Deployment,
})
export type IngestedDeployment = z.infer<typeof IngestedDeployment>

export const DeploymentIngestResponse = z.object({
  deployments: z.array(IngestedDeployment),
  /** Lines of a JSONL body that were rejected, each naming the field; the good lines are stored all the same. */
  errors: z.array(LineError),
})
export type DeploymentIngestResponse = z.infer<typeof DeploymentIngestResponse>

/** What runs now in one environment for one service: its latest deployment that nothing replaced. */
export const RunningService = z.object({
  service: z.string(),
  project: z.string().nullable(),
  deployment: Deployment,
  /** How many deployments of the service this environment has had (its promotion history's length). */
  deployments: z.number().int(),
})
export type RunningService = z.infer<typeof RunningService>

export const EnvironmentSummary = z.object({
  name: z.string(),
  services: z.array(RunningService),
  /** Running services whose deployment is flagged (a digest without a verified path to a source commit). */
  flagged: z.number().int(),
  lastDeployedAt: Instant,
})
export type EnvironmentSummary = z.infer<typeof EnvironmentSummary>

export const EnvironmentList = z.object({ items: z.array(EnvironmentSummary) })
export type EnvironmentList = z.infer<typeof EnvironmentList>

/** The deployments routes, declared once: mounted by the server, published as OpenAPI. */
export const deploymentRoutes = {
  ingestDeployments: {
    method: 'post',
    path: '/api/v1/deployments',
    summary: 'Record deployments: one JSON deployment, or JSONL with one per line; idempotent',
    scope: 'ingest',
    body: {
      contentTypes: ['application/json', 'application/x-ndjson', 'application/jsonl'],
      description:
        'A deployment: { artifacts: [{ digest, name? }], environment: { name, cluster?, namespace?, region? }, service?, project?, deployedAt, system: { name, runUrl? }, replaces? }; or several, one per line. A signed deployment goes to POST /api/v1/attestations as an in-toto Statement with the deployment predicate.',
    },
    responses: {
      200: { description: 'Every deployment was already stored; the existing records', schema: DeploymentIngestResponse },
      201: { description: 'Stored (a JSONL body may also list rejected lines)', schema: DeploymentIngestResponse },
      ...errors,
      413: { description: 'Body larger than the configured limit', schema: ApiErrorBody },
      415: { description: 'Unsupported content type', schema: ApiErrorBody },
      422: { description: 'No deployment in the body could be read; the first problem names its field', schema: ApiErrorBody },
    },
  },
  listDeployments: {
    method: 'get',
    path: '/api/v1/deployments',
    summary: 'Deployments, newest first, by environment, project, service, digest and time, with cursor pagination',
    scope: 'read',
    query: DeploymentQuery,
    responses: { 200: { description: 'A page of deployments', schema: DeploymentPage }, ...errors },
  },
  getDeployment: {
    method: 'get',
    path: '/api/v1/deployments/{id}',
    summary: 'One deployment, with the provenance of each deployed digest',
    scope: 'read',
    params: z.object({ id: DeploymentId }),
    paramError: { code: 'invalid-deployment-id' },
    responses: {
      200: { description: 'The deployment', schema: Deployment },
      ...errors,
      404: { description: 'No such deployment', schema: ApiErrorBody },
    },
  },
  listEnvironments: {
    method: 'get',
    path: '/api/v1/environments',
    summary: 'What runs now: per environment, the latest deployment of each service, its provenance, and whether it is flagged',
    scope: 'read',
    responses: { 200: { description: 'Environments, by name', schema: EnvironmentList }, ...errors },
  },
} as const satisfies Record<string, RouteSpec>
