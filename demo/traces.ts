import { createHash } from 'node:crypto'
import { demoDependencyHosts, demoSourceHost, demoTokenHost, demoToolchainHost, demoUnexpectedHosts } from './hosts'
import type { DemoBuild } from './model'
import { seededRandom } from './random'

/*
 * OTLP/JSON traces for the demo's builds, as a CI exporter following the OpenTelemetry CI/CD conventions would
 * send them: a run span, one job (task) span, and five step spans whose events name the tools installed and
 * the hosts contacted. Deterministic: each build's trace depends on that build alone. Its ids are SHA-256
 * prefixes from node:crypto, so only Node code (the server's seed, tests, bench) imports this module.
 */

type KeyValue = { key: string; value: { stringValue: string } | { intValue: string } }

const str = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } })
const hex = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length)
const nanos = (ms: number) => `${Math.round(ms)}000000`

function event(name: string, timeMs: number, attributes: KeyValue[]) {
  return { name, timeUnixNano: nanos(timeMs), attributes }
}

const connect = (host: string, timeMs: number) => event('network.connect', timeMs, [str('server.address', host)])

/** The ExportTraceServiceRequest body for one demo build. */
export function demoTrace(build: DemoBuild) {
  const random = seededRandom(Number.parseInt(hex(`${build.invocationId}:${build.index}`, 8), 16))
  const traceId = hex(`trace:${build.invocationId}`, 32)
  const spanId = (name: string) => hex(`${traceId}:${name}`, 16)
  const runId = /\/actions\/runs\/(\d+)/.exec(build.invocationId)?.[1] ?? String(build.index)
  const runUrl = build.invocationId
  const jobId = String(20_000_000_000 + build.index * 3)
  const duration = build.finishedAt - build.startedAt
  const tagged = build.ref.startsWith('refs/tags/')

  // Step shares of the job's time, in order; the job starts a few seconds after the run (queueing).
  const queued = random.int(2, 9) * 1000
  const jobStart = build.startedAt + queued
  const shares = [0.04, 0.12, 0.5, 0.26, 0.08]
  const names = ['checkout', 'setup toolchain', 'build', 'test', 'attest']
  const primary = build.tools[0]?.name ?? ''
  const hosts: string[][] = [
    [demoSourceHost],
    [demoToolchainHost],
    [...(demoDependencyHosts[primary] ?? []), ...(random.chance(0.03) ? [random.pick(demoUnexpectedHosts)] : [])],
    [],
    [demoTokenHost],
  ]
  let cursor = jobStart
  const steps = names.map((name, index) => {
    const span = (duration - queued) * (shares[index] ?? 0)
    const start = cursor
    const end = index === names.length - 1 ? build.finishedAt : cursor + span
    cursor = end
    const skipped = name === 'test' && tagged
    const events = [
      ...(name === 'setup toolchain'
        ? build.tools.map((tool, toolIndex) => event('tool', start + toolIndex * 100, [str('cicd.tool.name', tool.name), str('cicd.tool.version', tool.version)]))
        : []),
      ...(hosts[index] ?? []).map((host, hostIndex) => connect(host, start + 50 + hostIndex * 10)),
    ]
    return {
      traceId,
      spanId: spanId(`step:${name}`),
      parentSpanId: spanId('job'),
      name,
      kind: 1,
      startTimeUnixNano: nanos(start),
      endTimeUnixNano: nanos(end),
      attributes: [str('cicd.pipeline.task.name', name), str('cicd.pipeline.task.run.result', skipped ? 'skip' : 'success')],
      events,
      status: { code: skipped ? 0 : 1 },
    }
  })

  const worker = random.int(1, 40)
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            str('service.name', 'ci'),
            str('cicd.pipeline.name', 'release'),
            { key: 'cicd.pipeline.run.id', value: { intValue: runId } },
            str('cicd.pipeline.run.url.full', runUrl),
            str('vcs.repository.url.full', build.sourceRepo),
            str('vcs.ref.head.name', build.ref),
            str('vcs.ref.head.revision', build.commit),
          ],
        },
        scopeSpans: [
          {
            scope: { name: 'provenance-dashboard-demo' },
            spans: [
              {
                traceId,
                spanId: spanId('run'),
                parentSpanId: '',
                name: 'RUN release',
                kind: 2,
                startTimeUnixNano: nanos(build.startedAt),
                endTimeUnixNano: nanos(build.finishedAt),
                attributes: [str('cicd.pipeline.result', 'success'), str('cicd.pipeline.action.name', 'RUN')],
                status: { code: 1 },
              },
              {
                traceId,
                spanId: spanId('job'),
                parentSpanId: spanId('run'),
                name: 'build',
                kind: 1,
                startTimeUnixNano: nanos(jobStart),
                endTimeUnixNano: nanos(build.finishedAt),
                attributes: [
                  str('cicd.pipeline.task.name', 'build'),
                  { key: 'cicd.pipeline.task.run.id', value: { intValue: jobId } },
                  str('cicd.pipeline.task.run.url.full', `${build.sourceRepo}/actions/runs/${runId}/job/${jobId}`),
                  str('cicd.pipeline.task.type', 'build'),
                  str('cicd.pipeline.task.run.result', 'success'),
                  str('cicd.worker.id', String(worker)),
                  str('cicd.worker.name', `GitHub Actions ${worker}`),
                ],
                status: { code: 1 },
              },
              ...steps,
            ],
          },
        ],
      },
    ],
  }
}
