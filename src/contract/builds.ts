import { z } from 'zod'
import { BuildId, DocumentId, Instant, optionalText, Verification, VerificationStatus } from './common'
import { BuildSummary } from './build-summary'
import { ProjectList, ProjectSummary } from './projects'
import { PipelineRun } from './telemetry'
import { errors, type RouteSpec } from './route-spec'
import { ApiErrorBody } from './common'

// Declared in ./build-summary.ts and ./projects.ts, which screens that list builds or projects without reading the
// rest of this module import.
export { BuildSummary, ProjectList, ProjectSummary }

export const BuildPage = z.object({
  items: z.array(BuildSummary),
  /** Opaque; pass back as `cursor` for the next page. Null on the last page. */
  nextCursor: z.string().nullable(),
})
export type BuildPage = z.infer<typeof BuildPage>

export const ResolvedDependency = z.object({
  uri: z.string().nullable(),
  name: z.string().nullable(),
  digest: z.record(z.string(), z.string()),
})
export type ResolvedDependency = z.infer<typeof ResolvedDependency>

export const BuildDetail = BuildSummary.extend({
  invocationId: z.string().nullable(),
  predicateType: z.string().nullable(),
  statementType: z.string().nullable(),
  slsaVersion: z.enum(['v0.2', 'v1']).nullable(),
  externalParameters: z.unknown(),
  internalParameters: z.unknown(),
  resolvedDependencies: z.array(ResolvedDependency),
  verification: Verification,
  document: z.object({
    id: DocumentId,
    sha256: z.string(),
    format: z.string(),
    payloadType: z.string().nullable(),
    size: z.number().int(),
    ingestedAt: Instant,
  }),
  /** The in-toto Statement exactly as signed, pretty-printed. Untrusted text: render it as text. */
  statement: z.string(),
  /**
   * The CI pipeline run that produced the build, from OTLP traces or GitHub webhooks, matched by run id (from the
   * invocation id) or by repository and commit; null when none was received. Always present in responses.
   */
  pipeline: PipelineRun.nullable().default(null),
})
export type BuildDetail = z.infer<typeof BuildDetail>

/** Query of `GET /api/v1/builds`. Every field is optional. */
export const BuildQuery = z.object({
  project: optionalText.meta({ description: 'exact project name, e.g. `acme/web`' }),
  repo: optionalText.meta({ description: 'exact source repository URI' }),
  status: VerificationStatus.optional(),
  commit: z
    .string()
    .regex(/^[0-9a-fA-F]{7,64}$/, 'a commit is 7 to 64 hexadecimal characters: a full SHA or a prefix of at least 7')
    .transform((text) => text.toLowerCase())
    .optional()
    .meta({ description: 'source commit: a full SHA, or a prefix of at least 7 hexadecimal characters' }),
  from: Instant.optional().meta({ description: 'only builds at or after this instant' }),
  to: Instant.optional().meta({ description: 'only builds before this instant' }),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
})
export type BuildQuery = z.infer<typeof BuildQuery>
export type BuildQueryInput = z.input<typeof BuildQuery>

/** The builds of the same project just before and after one build, for "compare with previous". */
export const BuildNeighbours = z.object({ previous: BuildSummary.nullable(), next: BuildSummary.nullable() })
export type BuildNeighbours = z.infer<typeof BuildNeighbours>

/** The builds routes, declared once: mounted by the server, published as OpenAPI. */
export const buildRoutes = {
  listBuilds: {
    method: 'get',
    path: '/api/v1/builds',
    summary: 'Builds, newest first, with cursor pagination',
    scope: 'read',
    query: BuildQuery,
    responses: { 200: { description: 'A page of builds', schema: BuildPage }, ...errors },
  },
  getBuild: {
    method: 'get',
    path: '/api/v1/builds/{id}',
    summary: 'Everything recorded about one build',
    scope: 'read',
    params: z.object({ id: BuildId }),
    paramError: { code: 'invalid-build-id' },
    responses: {
      200: { description: 'The build', schema: BuildDetail },
      ...errors,
      404: { description: 'No such build', schema: ApiErrorBody },
    },
  },
  listProjects: {
    method: 'get',
    path: '/api/v1/projects',
    summary: 'Projects with their build counts',
    scope: 'read',
    responses: { 200: { description: 'Projects', schema: ProjectList }, ...errors },
  },
  buildNeighbours: {
    method: 'get',
    path: '/api/v1/builds/{id}/neighbours',
    summary: 'The builds of the same project just before and after this one, by time (for "compare with previous")',
    scope: 'read',
    params: z.object({ id: BuildId }),
    paramError: { code: 'invalid-build-id' },
    responses: {
      200: { description: 'Previous and next build, each null at an end', schema: BuildNeighbours },
      ...errors,
      404: { description: 'No such build', schema: ApiErrorBody },
    },
  },
} as const satisfies Record<string, RouteSpec>
