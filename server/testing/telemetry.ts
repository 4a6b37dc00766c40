import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { corpusDir } from './corpus'

/*
 * Test inputs for CI telemetry: the corpus goldens (read in place from ../shared/corpus, never copied) and
 * small synthetic OTLP/JSON builders.
 */

export const otelCorpus = join(corpusDir, '8-otel-cicd')
export const actionsCorpus = join(corpusDir, '5-github-actions')
export const hasOtelCorpus = existsSync(join(otelCorpus, 'workflow-job-expected.yaml'))
export const hasActionsCorpus = existsSync(join(actionsCorpus, 'octokit-webhooks', 'workflow_job'))

/**
 * A githubreceiver golden as OTLP/JSON. ptrace's YAML is the protobuf JSON mapping written as YAML (hex ids,
 * int64 as strings, enums as integers), so parsing the YAML gives the request body as-is.
 */
export function collectorGolden(name: 'workflow-job-expected.yaml' | 'workflow-run-expected.yaml'): unknown {
  return parseYaml(readFileSync(join(otelCorpus, name), 'utf8'))
}

export function actionsPayload(path: string): string {
  return readFileSync(join(actionsCorpus, path), 'utf8')
}

type Value = string | number | boolean | string[]
export type KeyValue = { key: string; value: Record<string, unknown> }

export function attributes(map: Record<string, Value>): KeyValue[] {
  return Object.entries(map).map(([key, value]) => ({
    key,
    value: Array.isArray(value)
      ? { arrayValue: { values: value.map((item) => ({ stringValue: item })) } }
      : typeof value === 'string'
        ? { stringValue: value }
        : typeof value === 'boolean'
          ? { boolValue: value }
          : Number.isInteger(value)
            ? { intValue: String(value) }
            : { doubleValue: value },
  }))
}

export type SpanInput = {
  spanId: string
  parentSpanId?: string
  name: string
  start: number
  end?: number
  status?: 0 | 1 | 2
  attributes?: Record<string, Value>
  events?: { name: string; attributes: Record<string, Value> }[]
}

/** Seconds since the epoch to OTLP nanoseconds. */
const ns = (seconds: number) => `${seconds}000000000`

/** One ExportTraceServiceRequest with a single resource. */
export function otlpRequest(traceId: string, resource: Record<string, Value>, spans: SpanInput[]) {
  return {
    resourceSpans: [
      {
        resource: { attributes: attributes(resource) },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: spans.map((span) => ({
              traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId ?? '',
              name: span.name,
              kind: 1,
              startTimeUnixNano: ns(span.start),
              ...(span.end === undefined ? {} : { endTimeUnixNano: ns(span.end) }),
              attributes: attributes(span.attributes ?? {}),
              events: (span.events ?? []).map((event) => ({ name: event.name, timeUnixNano: ns(span.start), attributes: attributes(event.attributes) })),
              status: { code: span.status ?? 0 },
            })),
          },
        ],
      },
    ],
  }
}

/** A pipeline following the OpenTelemetry CI/CD conventions: run span → job span → step spans. */
export function semconvPipeline(options: { traceId: string; repo: string; commit: string; runId: string; attempt?: number; host?: string }) {
  const { traceId, repo, commit, runId } = options
  const base = 1_790_000_000
  return otlpRequest(
    traceId,
    {
      'service.name': 'ci',
      'cicd.pipeline.name': 'release',
      'cicd.pipeline.run.id': runId,
      'cicd.pipeline.run.url.full': `${repo}/actions/runs/${runId}/attempts/${options.attempt ?? 1}`,
      'vcs.repository.url.full': repo,
      'vcs.ref.head.name': 'main',
      'vcs.ref.head.revision': commit,
      // The exporter's own runtime: never a tool of the build.
      'process.runtime.name': 'go',
      'process.runtime.version': 'go1.22.0',
    },
    [
      { spanId: '1000000000000001', name: 'RUN release', start: base, end: base + 300, status: 2, attributes: { 'cicd.pipeline.result': 'failure' } },
      {
        spanId: '2000000000000001',
        parentSpanId: '1000000000000001',
        name: 'build',
        start: base + 5,
        end: base + 290,
        attributes: {
          'cicd.pipeline.task.run.id': '77',
          'cicd.pipeline.task.type': 'build',
          'cicd.pipeline.task.run.url.full': `${repo}/actions/runs/${runId}/job/77`,
          'cicd.pipeline.task.run.result': 'failure',
          'cicd.worker.name': 'runner-7',
          'cicd.worker.id': 'r7',
        },
      },
      {
        spanId: '3000000000000001',
        parentSpanId: '2000000000000001',
        name: 'setup node',
        start: base + 6,
        end: base + 20,
        status: 1,
        events: [
          { name: 'tool', attributes: { 'cicd.tool.name': 'node', 'cicd.tool.version': '20.19.0' } },
          { name: 'tool', attributes: { 'cicd.tool.name': 'npm', 'cicd.tool.version': '10.8.2' } },
        ],
      },
      {
        spanId: '3000000000000002',
        parentSpanId: '2000000000000001',
        name: 'install',
        start: base + 20,
        end: base + 100,
        status: 1,
        attributes: { 'process.executable.name': 'npm', 'process.runtime.name': 'node', 'process.runtime.version': '20.19.0' },
        events: [
          { name: 'network.connect', attributes: { 'server.address': 'registry.npmjs.org' } },
          { name: 'network.connect', attributes: { 'url.full': `https://${options.host ?? 'github.com'}/acme/x.tgz` } },
        ],
      },
      // An HTTP client span below the step: its host counts for the step.
      { spanId: '4000000000000001', parentSpanId: '3000000000000002', name: 'GET', start: base + 30, end: base + 31, attributes: { 'net.peer.name': 'Objects.GitHubUserContent.com.', 'server.port': 443 } },
      {
        spanId: '3000000000000003',
        parentSpanId: '2000000000000001',
        name: 'test',
        start: base + 100,
        end: base + 290,
        status: 2,
        attributes: { 'cicd.pipeline.task.run.result': 'failure' },
      },
    ],
  )
}
