import { z } from 'zod'
import { IngestResponse } from './attestations'
import { BuildDetail, BuildPage, BuildQuery, ProjectList } from './builds'
import { ApiErrorBody, BuildId } from './common'
import {
  ArtifactDetail,
  BuildNeighbours,
  DigestParam,
  HistoryQuery,
  MatrixQuery,
  RebuilderMatrix,
  ReproducibilityHistory,
  ReproducibilitySummary,
  SearchQuery,
  SearchResponse,
  SignaturePage,
  SignatureQuery,
} from './explore'
import { LogCheckpoint } from './log'
import { PolicyList } from './policy'
import { RebuildPage, RebuildQuery } from './rebuilds'
import { ReverifyResult } from './reverify'
import { Health, ServerMeta } from './meta'
import { OtlpErrorBody, OtlpExportResponse, PipelineList, PipelineQuery, WebhookResponse } from './telemetry'

export type RouteSpec = {
  method: 'get' | 'post'
  path: string
  summary: string
  /** Token scope the route needs; `read` routes are open unless `auth.readRequiresToken` is set. */
  scope: 'none' | 'read' | 'ingest'
  params?: z.ZodObject
  query?: z.ZodObject
  body?: { contentTypes: string[]; description: string }
  responses: Record<number, { description: string; schema?: z.ZodType }>
}

const errors = {
  400: { description: 'Malformed request; the body says what was wrong and where', schema: ApiErrorBody },
  401: { description: 'A token is needed', schema: ApiErrorBody },
  403: { description: 'The token lacks the scope this route needs', schema: ApiErrorBody },
} as const

/** Every route of the Provenance API. The server mounts these and publishes them as OpenAPI. */
export const routes = {
  health: {
    method: 'get',
    path: '/healthz',
    summary: 'Liveness and store check',
    scope: 'none',
    responses: { 200: { description: 'Up', schema: Health } },
  },
  meta: {
    method: 'get',
    path: '/api/v1/meta',
    summary: 'Server facts the SPA needs before its first request',
    scope: 'none',
    responses: { 200: { description: 'Server facts', schema: ServerMeta } },
  },
  ingestAttestations: {
    method: 'post',
    path: '/api/v1/attestations',
    summary: 'Ingest signed provenance: one JSON document, or JSONL with one document per line',
    scope: 'ingest',
    body: {
      contentTypes: ['application/json', 'application/x-ndjson', 'application/jsonl'],
      description:
        'A DSSE envelope whose payload is an in-toto Statement (v0.1 or v1) carrying SLSA provenance v0.2 or v1; or several, one per line.',
    },
    responses: {
      200: { description: 'Every document was already stored; the existing records', schema: IngestResponse },
      201: { description: 'Stored (a JSONL body may also list rejected lines)', schema: IngestResponse },
      ...errors,
      413: { description: 'Body larger than the configured limit', schema: ApiErrorBody },
      415: { description: 'Unsupported content type', schema: ApiErrorBody },
      422: { description: 'No document in the body could be read; each problem is listed', schema: ApiErrorBody },
    },
  },
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
    responses: {
      200: { description: 'The build', schema: BuildDetail },
      ...errors,
      404: { description: 'No such build', schema: ApiErrorBody },
    },
  },
  getPolicy: {
    method: 'get',
    path: '/api/v1/policy',
    summary: 'The per-project policies in force: signers, required checks, builders, pinned toolchain, allowed hosts',
    scope: 'read',
    responses: { 200: { description: 'Policies, in matching order', schema: PolicyList }, ...errors },
  },
  reverify: {
    method: 'post',
    path: '/api/v1/reverify',
    summary: 'Verify every stored document again with the current trust material and policies',
    scope: 'ingest',
    responses: { 200: { description: 'How many documents were checked and how many verdicts changed', schema: ReverifyResult }, ...errors },
  },
  logCheckpoint: {
    method: 'get',
    path: '/api/v1/log/checkpoint',
    summary: 'The signed checkpoint of the append-only document log, with the key to check it',
    scope: 'read',
    responses: { 200: { description: 'The latest checkpoint', schema: LogCheckpoint }, ...errors },
  },
  listProjects: {
    method: 'get',
    path: '/api/v1/projects',
    summary: 'Projects with their build counts',
    scope: 'read',
    responses: { 200: { description: 'Projects', schema: ProjectList }, ...errors },
  },
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
  getArtifact: {
    method: 'get',
    path: '/api/v1/artifacts/{digest}',
    summary: 'Everything known about one artifact: builds, attestations with their verification, SBOM, rebuilds and their agreement',
    scope: 'read',
    params: z.object({ digest: DigestParam }),
    responses: {
      200: { description: 'The artifact', schema: ArtifactDetail },
      ...errors,
      404: { description: 'No build subject, SBOM or rebuild names the digest', schema: ApiErrorBody },
      409: { description: 'The prefix matches several artifacts; the message says how many', schema: ApiErrorBody },
    },
  },
  listSignatures: {
    method: 'get',
    path: '/api/v1/signatures',
    summary: 'Every verification result, newest ingest first, with counts by status for the same filters (status aside)',
    scope: 'read',
    query: SignatureQuery,
    responses: { 200: { description: 'A page of verification results and the counts', schema: SignaturePage }, ...errors },
  },
  listRebuilds: {
    method: 'get',
    path: '/api/v1/rebuilds',
    summary: 'Reproducibility verdicts, newest first, by artifact digest and/or project',
    scope: 'read',
    query: RebuildQuery,
    responses: { 200: { description: 'A page of verdicts', schema: RebuildPage }, ...errors },
  },
  reproducibilitySummary: {
    method: 'get',
    path: '/api/v1/reproducibility',
    summary: 'Per project: rebuild verdict counts, current streak, last mismatch',
    scope: 'read',
    responses: { 200: { description: 'One entry per project with verdicts', schema: ReproducibilitySummary }, ...errors },
  },
  reproducibilityHistory: {
    method: 'get',
    path: '/api/v1/reproducibility/history',
    summary: "A project's verdicts per day or week (every bucket of the range present); by default the 120 days before now",
    scope: 'read',
    query: HistoryQuery,
    responses: {
      200: { description: 'The buckets, totals, streak and last mismatch', schema: ReproducibilityHistory },
      ...errors,
      404: { description: 'No build or rebuild is filed under the project', schema: ApiErrorBody },
    },
  },
  rebuilderMatrix: {
    method: 'get',
    path: '/api/v1/reproducibility/matrix',
    summary: "Rebuilders × the project's most recently rebuilt artifacts, each cell the rebuilder's latest verdict",
    scope: 'read',
    query: MatrixQuery,
    responses: {
      200: { description: 'The matrix', schema: RebuilderMatrix },
      ...errors,
      404: { description: 'No build or rebuild is filed under the project', schema: ApiErrorBody },
    },
  },
  buildNeighbours: {
    method: 'get',
    path: '/api/v1/builds/{id}/neighbours',
    summary: 'The builds of the same project just before and after this one, by time (for "compare with previous")',
    scope: 'read',
    params: z.object({ id: BuildId }),
    responses: {
      200: { description: 'Previous and next build, each null at an end', schema: BuildNeighbours },
      ...errors,
      404: { description: 'No such build', schema: ApiErrorBody },
    },
  },
  search: {
    method: 'get',
    path: '/api/v1/search',
    summary: 'Find by digest (full, bare or a prefix of 12+ hex characters), commit, build id, artifact name, purl or signer; at most 20 results',
    scope: 'read',
    query: SearchQuery,
    responses: { 200: { description: 'How the query was read and what it found, exact matches first', schema: SearchResponse }, ...errors },
  },
} as const satisfies Record<string, RouteSpec>
