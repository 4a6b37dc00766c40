import { describe, expect, it } from 'vitest'
import { PipelineQuery } from '../../src/contract/telemetry'
import { engineStores } from '../store/testing/engines'
import { otlpRequest, semconvPipeline } from '../testing/telemetry'
import { fromWorkflowJob, WorkflowJobEvent } from './github'
import { parseOtlpTraces } from './otlp'

/* The telemetry store on both engines: upserts, re-derivation from stored spans, webhook merges, lookups. */

const { fresh } = engineStores('telemetry-store')

const spans = (request: unknown) => parseOtlpTraces(request).spans

const job = (status: string, steps: number) =>
  fromWorkflowJob(
    WorkflowJobEvent.parse({
      action: status,
      repository: { html_url: 'https://github.com/acme/merge' },
      workflow_job: {
        id: 5,
        run_id: 99,
        run_attempt: 2,
        name: 'build',
        status,
        conclusion: status === 'completed' ? 'success' : null,
        started_at: '2026-01-01T00:00:00Z',
        completed_at: status === 'completed' ? '2026-01-01T00:01:00Z' : null,
        steps: Array.from({ length: steps }, (_, index) => ({ name: `step ${index}`, status: 'completed', conclusion: 'success', number: index + 1 })),
      },
    }),
    null,
  )

describe.each(['sqlite', 'postgres'] as const)('telemetry store on %s', (kind) => {
  it('stores spans once, re-derives a trace from all its spans, and finds the run for a build', async () => {
    const store = await fresh(kind)
    try {
      const request = semconvPipeline({ traceId: 'ab'.repeat(16), repo: 'https://github.com/Acme/Web', commit: 'a'.repeat(40), runId: '10' })
      const all = spans(request)
      const first = await store.telemetry.ingest({ spans: all.slice(0, 3), runs: [], tasks: [] })
      expect(first).toEqual({ spans: 3, ignoredSpans: 0, runs: [`otlp:${'ab'.repeat(16)}`] })
      await store.telemetry.ingest({ spans: all, runs: [], tasks: [] })
      await store.telemetry.ingest({ spans: all, runs: [], tasks: [] })

      const byRun = await store.telemetry.forBuild({ repo: 'git+https://github.com/acme/web.git', commit: 'a'.repeat(40), runId: '10', attempt: 1 })
      expect(byRun?.tasks.map((task) => [task.name, task.steps.length])).toEqual([['build', 3]])
      const byCommit = await store.telemetry.forBuild({ repo: 'https://github.com/acme/web', commit: 'A'.repeat(40), runId: null, attempt: null })
      expect(byCommit?.id).toBe(byRun?.id)
      expect(await store.telemetry.forBuild({ repo: 'https://github.com/acme/other', commit: 'a'.repeat(40), runId: '10', attempt: 1 })).toBeNull()

      // A span without CI attributes is kept when its trace is already known, dropped otherwise.
      const child = spans(otlpRequest('ab'.repeat(16), {}, [{ spanId: '5'.repeat(16), parentSpanId: '3000000000000003', name: 'GET', start: 1, attributes: { 'url.full': 'https://pypi.org/simple' } }]))
      const stranger = spans(otlpRequest('cd'.repeat(16), {}, [{ spanId: '5'.repeat(16), name: 'GET', start: 1 }]))
      expect(await store.telemetry.ingest({ spans: [...child, ...stranger], runs: [], tasks: [] })).toMatchObject({ spans: 1, ignoredSpans: 1 })
      const after = await store.telemetry.forBuild({ repo: null, commit: null, runId: '10', attempt: null })
      expect(after?.tasks[0]?.steps.find((step) => step.name === 'test')?.hosts).toEqual(['pypi.org'])
      expect((await store.telemetry.pipelines(PipelineQuery.parse({ runId: '10' }))).items).toHaveLength(1)
    } finally {
      await store.close()
    }
  })

  it('merges webhook deliveries: a late in_progress never undoes completed, and steps are kept', async () => {
    const store = await fresh(kind)
    try {
      const done = job('completed', 3)
      const late = job('in_progress', 0)
      await store.telemetry.ingest({ spans: [], runs: done.runs, tasks: done.tasks })
      await store.telemetry.ingest({ spans: [], runs: late.runs, tasks: late.tasks })
      await Promise.all([1, 2, 3].map(() => store.telemetry.ingest({ spans: [], runs: done.runs, tasks: done.tasks })))
      const run = await store.telemetry.forBuild({ repo: 'https://github.com/acme/merge', commit: null, runId: '99', attempt: 2 })
      expect(run?.tasks).toHaveLength(1)
      expect(run?.tasks[0]).toMatchObject({ status: 'completed', result: 'success', durationMs: 60_000 })
      expect(run?.tasks[0]?.steps).toHaveLength(3)
    } finally {
      await store.close()
    }
  })
})
