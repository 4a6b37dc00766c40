import type { PipelineResult, PipelineStatus, PipelineStep, PipelineTool, PipelineWorker } from '../../src/contract/telemetry'

/**
 * An OTLP attribute value, flattened from its `AnyValue` wrapper. `intValue` becomes a number when it fits a
 * JavaScript number exactly and stays a decimal string otherwise (ids beyond 2^53), so nothing is rounded.
 */
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue }
export type Attributes = Record<string, AttributeValue>

export type SpanEvent = { name: string; timeUnixNano: string | null; attributes: Attributes }

/** One span as received, normalised: hex ids in lower case, times as decimal nanosecond strings. */
export type TelemetrySpan = {
  traceId: string
  spanId: string
  /** Null for a root span (OTLP sends `""` or leaves the field out). */
  parentSpanId: string | null
  name: string
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number
  startTimeUnixNano: string | null
  endTimeUnixNano: string | null
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  statusCode: number
  statusMessage: string | null
  attributes: Attributes
  /** The attributes of the span's resource; kept per span so a trace can be re-read from stored spans alone. */
  resource: Attributes
  events: SpanEvent[]
}

/** A pipeline run as one source reported it. Times are milliseconds since the epoch. */
export type RunRecord = {
  key: string
  source: 'otlp' | 'github-webhook'
  traceId: string | null
  repo: string | null
  commit: string | null
  ref: string | null
  runId: string | null
  attempt: number | null
  name: string | null
  url: string | null
  status: PipelineStatus | null
  result: PipelineResult | null
  startedAt: number | null
  finishedAt: number | null
  /** Source-specific facts kept to explain the record (webhook delivery, trigger, sender…). */
  detail: Record<string, string | number | null>
}

export type StepRecord = Omit<PipelineStep, 'startedAt' | 'finishedAt' | 'durationMs'> & {
  startedAt: number | null
  finishedAt: number | null
}

export type TaskRecord = {
  runKey: string
  key: string
  name: string
  url: string | null
  taskRunId: string | null
  type: string | null
  status: PipelineStatus | null
  result: PipelineResult | null
  startedAt: number | null
  finishedAt: number | null
  queuedMs: number | null
  worker: PipelineWorker | null
  steps: StepRecord[]
  tools: PipelineTool[]
  hosts: string[]
}

/**
 * What one request adds. OTLP spans are stored and each affected trace is re-read from all its stored spans
 * (a Collector may split one trace across requests). Webhook runs and tasks are merged into what is stored,
 * so events arriving out of order never move a completed run back to in_progress.
 */
export type TelemetryBatch = {
  spans: TelemetrySpan[]
  runs: RunRecord[]
  tasks: TaskRecord[]
}

export type TelemetryIngestOutcome = {
  /** Spans stored (created or replaced). */
  spans: number
  /**
   * Spans not stored because their trace carries no `cicd.pipeline.*` attribute, in this request or among the
   * spans stored before: this receiver keeps CI/CD telemetry only.
   */
  ignoredSpans: number
  /** Keys of the runs created or updated. */
  runs: string[]
}

/** How a build finds its pipeline run: by run id (and attempt) when the provenance names one, else by commit. */
export type TelemetryLookup = {
  repo: string | null
  commit: string | null
  runId: string | null
  attempt: number | null
}
