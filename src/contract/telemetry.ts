import { z } from 'zod'
import { Instant, optionalText } from './common'
import { errors, type RouteSpec } from './route-spec'
import { ApiErrorBody } from './common'

/**
 * CI telemetry: what a pipeline run did, step by step, as reported by OpenTelemetry traces (OTLP/JSON on
 * `POST /v1/traces`) or GitHub webhooks (`POST /api/v1/webhooks/github`). docs/telemetry.md lists every
 * attribute read. All text here comes from outside: render it as text.
 */

/** The OpenTelemetry CI/CD result values (`cicd.pipeline.result`, `cicd.pipeline.task.run.result`). */
export const pipelineResults = ['success', 'failure', 'error', 'timeout', 'cancellation', 'skip'] as const
export const PipelineResult = z.enum(pipelineResults).meta({
  description:
    'success; failure: the work failed (compile error, failing test); error: the CI system failed (worker lost); ' +
    'timeout; cancellation; skip. GitHub conclusions are mapped: cancelled → cancellation, skipped → skip, timed_out → timeout, ' +
    'neutral → success, startup_failure → error, stale → cancellation',
})
export type PipelineResult = z.infer<typeof PipelineResult>

export const PipelineStatus = z.enum(['queued', 'in_progress', 'completed']).meta({
  description: 'queued (GitHub: requested, queued, pending, waiting), in_progress, completed',
})
export type PipelineStatus = z.infer<typeof PipelineStatus>

export const PipelineTool = z.object({
  name: z.string(),
  /** Null when the telemetry named the tool but not its version. */
  version: z.string().nullable(),
})
export type PipelineTool = z.infer<typeof PipelineTool>

const timing = {
  status: PipelineStatus.nullable(),
  /** Null while running, or when the source does not say. */
  result: PipelineResult.nullable(),
  startedAt: Instant.nullable(),
  finishedAt: Instant.nullable(),
  durationMs: z.number().int().nonnegative().nullable(),
}

export const PipelineStep = z.object({
  name: z.string(),
  /** GitHub's step number; null for OTLP steps, which are ordered by start time. */
  number: z.number().int().nullable(),
  ...timing,
  tools: z.array(PipelineTool),
  /** Host names the step contacted, lower-case, sorted. */
  hosts: z.array(z.string()),
})
export type PipelineStep = z.infer<typeof PipelineStep>

export const PipelineWorker = z.object({
  id: z.string().nullable(),
  name: z.string().nullable(),
  group: z.string().nullable(),
  labels: z.array(z.string()),
})
export type PipelineWorker = z.infer<typeof PipelineWorker>

export const PipelineTask = z.object({
  /** Stable within its run: `span:<spanId>` for OTLP, `job:<jobId>` for GitHub webhooks. */
  id: z.string(),
  name: z.string(),
  url: z.string().nullable(),
  /** `cicd.pipeline.task.run.id`, or GitHub's job id. */
  taskRunId: z.string().nullable(),
  /** `cicd.pipeline.task.type`: build, test, deploy, or what the producer wrote. */
  type: z.string().nullable(),
  ...timing,
  /** Time spent waiting for a worker before the task started, when reported. */
  queuedMs: z.number().int().nonnegative().nullable(),
  worker: PipelineWorker.nullable(),
  steps: z.array(PipelineStep),
  /** Every tool of the task and its steps, without duplicates. */
  tools: z.array(PipelineTool),
  /** Every host the task and its steps contacted, sorted. */
  hosts: z.array(z.string()),
})
export type PipelineTask = z.infer<typeof PipelineTask>

export const PipelineRun = z.object({
  /** `otlp:<traceId>` or `github:<repository>:<runId>:<attempt>`. */
  id: z.string(),
  source: z.enum(['otlp', 'github-webhook']),
  name: z.string().nullable(),
  url: z.string().nullable(),
  /** Source repository URL, e.g. `https://github.com/acme/web`. */
  repo: z.string().nullable(),
  commit: z.string().nullable(),
  ref: z.string().nullable(),
  runId: z.string().nullable(),
  attempt: z.number().int().nullable(),
  traceId: z.string().nullable(),
  ...timing,
  tasks: z.array(PipelineTask),
  /** When this server last changed the record. */
  updatedAt: Instant,
})
export type PipelineRun = z.infer<typeof PipelineRun>

export const PipelineList = z.object({ items: z.array(PipelineRun) })
export type PipelineList = z.infer<typeof PipelineList>

/** Query of `GET /api/v1/pipelines`: at least one of repo, commit, runId. */
export const PipelineQuery = z
  .object({
    repo: optionalText.meta({ description: 'source repository URL, e.g. `https://github.com/acme/web` (case-insensitive)' }),
    commit: optionalText.meta({ description: 'full commit SHA' }),
    runId: optionalText.meta({ description: 'CI run id, e.g. GitHub `run_id`' }),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .refine((query) => query.repo !== undefined || query.commit !== undefined || query.runId !== undefined, {
    message: 'give at least one of repo, commit or runId',
    path: ['repo'],
  })
export type PipelineQuery = z.infer<typeof PipelineQuery>

/** The OTLP ExportTraceServiceResponse: `{}` when every span was accepted. */
export const OtlpExportResponse = z.object({
  partialSuccess: z
    .object({
      rejectedSpans: z.number().int().nonnegative(),
      errorMessage: z.string(),
    })
    .optional(),
})
export type OtlpExportResponse = z.infer<typeof OtlpExportResponse>

/**
 * A 4xx from `/v1/traces`: our usual error object, plus the `code`/`message` of a google.rpc.Status, which is
 * what OTLP clients (the Collector's otlphttp exporter) log.
 */
export const OtlpErrorBody = z.object({
  code: z.number().int(),
  message: z.string(),
  error: z.object({ code: z.string(), message: z.string(), path: z.string().optional() }),
})
export type OtlpErrorBody = z.infer<typeof OtlpErrorBody>

export const WebhookResponse = z.object({
  event: z.string(),
  action: z.string().nullable(),
  /** False for events this server does not use (they are acknowledged, not stored). */
  stored: z.boolean(),
  runId: z.string().nullable(),
  message: z.string(),
})
export type WebhookResponse = z.infer<typeof WebhookResponse>

/** The telemetry routes, declared once: mounted by the server, published as OpenAPI. */
export const telemetryRoutes = {
  ingestOtlpTraces: {
    method: 'post',
    path: '/v1/traces',
    summary: 'OTLP/HTTP trace receiver (JSON encoding) for CI/CD spans, so an OpenTelemetry Collector can export here',
    scope: 'ingest',
    body: {
      contentTypes: ['application/json'],
      description:
        'An OTLP ExportTraceServiceRequest in the protobuf JSON mapping, optionally gzip- or deflate-compressed (Content-Encoding). ' +
        'Spans of traces without any cicd.pipeline.* attribute are not stored and are counted in partialSuccess. docs/telemetry.md lists the attributes read.',
    },
    responses: {
      200: { description: 'Accepted; `partialSuccess` counts spans that were not stored, and says why', schema: OtlpExportResponse },
      400: { description: 'Not an OTLP/JSON trace request; the body says what was wrong and its JSON path', schema: OtlpErrorBody },
      401: errors[401],
      403: errors[403],
      413: { description: 'Body (after decompression) larger than the configured limit', schema: OtlpErrorBody },
      415: { description: 'Not JSON: only the JSON encoding of OTLP is accepted (not application/x-protobuf)', schema: OtlpErrorBody },
    },
  },
  githubWebhook: {
    method: 'post',
    path: '/api/v1/webhooks/github',
    summary: 'GitHub webhook receiver for workflow_run and workflow_job events, checked with X-Hub-Signature-256',
    scope: 'none',
    body: {
      contentTypes: ['application/json', 'application/x-www-form-urlencoded'],
      description:
        'A GitHub webhook delivery. Needs `github.webhookSecret` in the config; the signature header is checked over the exact body bytes. ' +
        'Other events (including ping) are acknowledged and not stored.',
    },
    responses: {
      200: { description: 'Stored, or acknowledged and ignored (`stored: false`)', schema: WebhookResponse },
      400: { description: 'Not a readable workflow_run / workflow_job payload; the body says where', schema: ApiErrorBody },
      401: { description: 'X-Hub-Signature-256 missing or not the HMAC of the body with the configured secret', schema: ApiErrorBody },
      403: { description: 'GitHub webhooks are not configured on this server (no github.webhookSecret)', schema: ApiErrorBody },
      413: { description: 'Body larger than the configured limit', schema: ApiErrorBody },
      415: { description: 'Unsupported content type', schema: ApiErrorBody },
    },
  },
  listPipelines: {
    method: 'get',
    path: '/api/v1/pipelines',
    summary: 'CI pipeline runs received as telemetry, by repository, commit or run id, newest first',
    scope: 'read',
    query: PipelineQuery,
    responses: { 200: { description: 'Pipeline runs with tasks and steps', schema: PipelineList }, ...errors },
  },
} as const satisfies Record<string, RouteSpec>
