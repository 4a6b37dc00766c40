import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeWithCorpus } from '../testing/corpus'
import { collectorGolden, otelCorpus, otlpRequest, semconvPipeline } from '../testing/telemetry'
import { ATTR, HOST_EVENTS, hostOf, isPipelineTrace, normaliseResult, parseRunUrl, runFromSpans, TOOL_EVENTS } from './model'
import { parseOtlpTraces } from './otlp'
import type { TelemetrySpan } from './types'

const spansOf = (...requests: unknown[]): TelemetrySpan[] => requests.flatMap((request) => parseOtlpTraces(request).spans)
const secondsIso = (seconds: number) => new Date(seconds * 1000).toISOString()

describeWithCorpus('the githubreceiver goldens', () => {
  const jobSteps = ['Set up job', 'Run actions/checkout@v4', 'Set up Go', 'Make test-all', 'Upload coverage to Codecov', 'Complete job', 'Post Set up Go', 'Post Run actions/checkout@v4']

  it('reads a job trace alone: the job is a task, the queue span is waiting time, step spans are steps', () => {
    const derived = runFromSpans(spansOf(collectorGolden('workflow-job-expected.yaml')))!
    expect(derived.run).toMatchObject({
      key: 'otlp:731ec8a47fd7450f753a812a4a8aa5a0',
      repo: 'https://github.com/open-telemetry/open-telemetry-otel-collector',
      runId: '14460881260',
      commit: '6077d805b0fc49f65e6dbaefc2d1fc9b4f92aa4e',
      // The receiver writes `vcs.ref.head`, the conventions `vcs.ref.head.name`.
      ref: 'renovate/major-tool-deps',
      url: 'https://github.com/open-telemetry/open-telemetry-otel-collector/actions/runs/14460881260',
      // `cicd.pipeline.name` of a job's resource is the job's name, not the workflow's.
      name: null,
      status: null,
    })
    expect(derived.tasks).toHaveLength(1)
    const task = derived.tasks[0]!
    expect(task).toMatchObject({
      name: 'test (1.23)',
      taskRunId: '40685651258',
      url: 'https://github.com/open-telemetry/open-telemetry-otel-collector/actions/runs/14460881260/job/40685651258',
      result: 'success',
      queuedMs: 5000,
      worker: { id: '346', name: 'GitHub Actions 320', group: 'GitHub Actions', labels: ['ubuntu-latest'] },
      startedAt: 1744837738000,
      finishedAt: 1744837825000,
    })
    expect(task.steps.map((step) => step.name).sort()).toEqual([...jobSteps].sort())
    expect(task.steps[0]).toMatchObject({ name: 'Set up job', result: 'success', startedAt: 1744837742000, finishedAt: 1744837744000 })
    expect(task.steps.every((step) => step.result === 'success')).toBe(true)
  })

  it('joins the run trace and the job trace, which share a trace id, into one run', () => {
    const derived = runFromSpans(spansOf(collectorGolden('workflow-run-expected.yaml'), collectorGolden('workflow-job-expected.yaml')))!
    expect(derived.run).toMatchObject({
      name: 'build-and-test',
      runId: '14460881260',
      // previous_attempt is attempts/12, so this is attempt 13.
      attempt: 13,
      url: 'https://github.com/open-telemetry/open-telemetry-otel-collector/actions/runs/14460881260',
      status: 'completed',
      // `cicd.pipeline.run.status: failure` from the receiver; the conventions say `cicd.pipeline.result`.
      result: 'failure',
      startedAt: 1744837733000,
      finishedAt: 1744837827000,
    })
    expect(derived.tasks.map((task) => [task.name, task.steps.length])).toEqual([['test (1.23)', 8]])
  })
}, { needs: join(otelCorpus, 'workflow-job-expected.yaml') })

describe('runFromSpans with the OpenTelemetry CI/CD conventions', () => {
  const request = semconvPipeline({ traceId: 'ab'.repeat(16), repo: 'https://github.com/Acme/Web', commit: 'C'.repeat(40), runId: '42', attempt: 2, host: 'evil.example' })

  it('maps the run, task and steps with times, results, tools and hosts', () => {
    const { run, tasks } = runFromSpans(spansOf(request))!
    expect(run).toMatchObject({
      repo: 'https://github.com/Acme/Web',
      commit: 'c'.repeat(40),
      ref: 'main',
      runId: '42',
      attempt: 2,
      name: 'release',
      status: 'completed',
      result: 'failure',
    })
    const task = tasks[0]!
    expect(task).toMatchObject({ name: 'build', type: 'build', taskRunId: '77', result: 'failure', worker: { id: 'r7', name: 'runner-7', group: null, labels: [] } })
    expect(task.steps.map((step) => [step.name, step.result])).toEqual([
      ['setup node', 'success'],
      ['install', 'success'],
      ['test', 'failure'],
    ])
    expect(task.steps[0]?.tools).toEqual([
      { name: 'node', version: '20.19.0' },
      { name: 'npm', version: '10.8.2' },
    ])
    // process.executable.name names the tool only when cicd.tool.name and process.runtime.name are absent.
    expect(task.steps[1]?.tools).toEqual([{ name: 'node', version: '20.19.0' }])
    expect(task.steps[1]?.hosts).toEqual(['evil.example', 'objects.githubusercontent.com', 'registry.npmjs.org'])
    expect(task.hosts).toEqual(['evil.example', 'objects.githubusercontent.com', 'registry.npmjs.org'])
    // The resource's process.runtime.* (the exporter's Go) is not a tool of the build.
    expect(task.tools.map((tool) => tool.name)).toEqual(['node', 'npm'])
  })

  it('gives the same run whatever order or batching the spans came in', () => {
    const spans = spansOf(request)
    const forward = runFromSpans(spans)
    expect(runFromSpans([...spans].reverse())).toEqual(forward)
  })

  it('treats steps whose job span has not arrived yet as tasks, until it does', () => {
    const spans = spansOf(request)
    const withoutJob = spans.filter((span) => span.name !== 'build')
    expect(runFromSpans(withoutJob)?.tasks.map((task) => task.name)).toEqual(['setup node', 'install', 'test'])
    expect(runFromSpans(spans)?.tasks.map((task) => task.name)).toEqual(['build'])
  })

  it('survives parent links that form a cycle', () => {
    const cyclic = spansOf(
      otlpRequest('cd'.repeat(16), { 'cicd.pipeline.name': 'loop' }, [
        { spanId: 'a'.repeat(16), parentSpanId: 'b'.repeat(16), name: 'a', start: 1, end: 2, attributes: { 'cicd.pipeline.run.queue.duration': 1 } },
        { spanId: 'b'.repeat(16), parentSpanId: 'a'.repeat(16), name: 'b', start: 1, end: 2, attributes: { 'cicd.pipeline.run.queue.duration': 1 } },
      ]),
    )
    expect(runFromSpans(cyclic)?.tasks).toEqual([])
  })

  it('uses the span status when no result attribute is given', () => {
    const spans = spansOf(
      otlpRequest('ef'.repeat(16), { 'cicd.pipeline.name': 'p' }, [
        { spanId: '1'.repeat(16), name: 'run', start: 10, end: 20, status: 1 },
        { spanId: '2'.repeat(16), parentSpanId: '1'.repeat(16), name: 'job', start: 11, end: 19, status: 2 },
      ]),
    )
    const { run, tasks } = runFromSpans(spans)!
    expect(run).toMatchObject({ result: 'success', startedAt: 10_000, finishedAt: 20_000 })
    expect(tasks[0]).toMatchObject({ result: 'failure' })
    expect(secondsIso(10)).toBe(new Date(run.startedAt!).toISOString())
  })
})

describe('helpers', () => {
  it('tells CI traces from others', () => {
    expect(isPipelineTrace(spansOf(otlpRequest('ab'.repeat(16), { 'service.name': 'web' }, [{ spanId: '1'.repeat(16), name: 'GET /', start: 1 }])))).toBe(false)
    expect(isPipelineTrace(spansOf(otlpRequest('ab'.repeat(16), { 'cicd.pipeline.name': 'ci' }, [{ spanId: '1'.repeat(16), name: 'x', start: 1 }])))).toBe(true)
  })

  it('normalises results and host names', () => {
    expect(['success', 'cancelled', 'skipped', 'timed_out', 'startup_failure', 'neutral', 'action_required'].map((value) => normaliseResult(value))).toEqual([
      'success',
      'cancellation',
      'skip',
      'timeout',
      'error',
      'success',
      null,
    ])
    expect(['https://Proxy.Golang.org/x', 'registry.npmjs.org:443', '[::1]', 'bad host', 'ftp.example.com.'].map((value) => hostOf(value))).toEqual([
      'proxy.golang.org',
      'registry.npmjs.org',
      '::1',
      null,
      'ftp.example.com',
    ])
  })

  it('reads run URLs of GitHub and GitLab', () => {
    expect(parseRunUrl('https://github.com/acme/web/actions/runs/123/attempts/2')).toEqual({ repo: 'https://github.com/acme/web', runId: '123', attempt: 2 })
    expect(parseRunUrl('https://gitlab.com/group/sub/proj/-/pipelines/9')).toEqual({ repo: 'https://gitlab.com/group/sub/proj', runId: '9', attempt: null })
    expect(parseRunUrl('tekton-run-uid')).toBeNull()
  })

  it('documents every attribute and event it reads in docs/telemetry.md', () => {
    const docs = readFileSync(new URL('../../docs/telemetry.md', import.meta.url), 'utf8')
    const missing = [...Object.values(ATTR), ...TOOL_EVENTS, ...HOST_EVENTS].filter((name) => !docs.includes(`\`${name}\``))
    expect(missing).toEqual([])
  })
})
