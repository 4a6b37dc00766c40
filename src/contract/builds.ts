import { z } from 'zod'
import { BuildId, DocumentId, Instant, optionalText, Subject, Verification, VerificationStatus } from './common'
import { PipelineRun } from './telemetry'

export const BuildSummary = z.object({
  id: BuildId,
  /** Short project name derived from the source repository (`org/repo`), or the builder when there is none. */
  project: z.string(),
  sourceRepo: z.string().nullable(),
  sourceCommit: z.string().nullable(),
  builderId: z.string().nullable(),
  buildType: z.string().nullable(),
  subjects: z.array(Subject),
  status: VerificationStatus,
  failedCheck: z.string().nullable(),
  startedAt: Instant.nullable(),
  finishedAt: Instant.nullable(),
  ingestedAt: Instant,
  /** The time the build is sorted and filtered by: finish, else start, else ingest time. */
  time: Instant,
})
export type BuildSummary = z.infer<typeof BuildSummary>

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
  from: Instant.optional().meta({ description: 'only builds at or after this instant' }),
  to: Instant.optional().meta({ description: 'only builds before this instant' }),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
})
export type BuildQuery = z.infer<typeof BuildQuery>
export type BuildQueryInput = z.input<typeof BuildQuery>

export const ProjectSummary = z.object({
  name: z.string(),
  sourceRepo: z.string().nullable(),
  builds: z.number().int(),
  lastBuildAt: Instant.nullable(),
})
export type ProjectSummary = z.infer<typeof ProjectSummary>

export const ProjectList = z.object({ items: z.array(ProjectSummary) })
export type ProjectList = z.infer<typeof ProjectList>
