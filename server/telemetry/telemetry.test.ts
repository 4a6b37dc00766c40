import { createHash, createHmac } from 'node:crypto'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoBuilds } from '../../demo/model'
import { IngestResponse } from '../../src/contract/attestations'
import { BuildDetail } from '../../src/contract/builds'
import { ApiErrorBody } from '../../src/contract/common'
import { OtlpErrorBody, OtlpExportResponse, PipelineList, WebhookResponse } from '../../src/contract/telemetry'
import { createApp } from '../app'
import { buildConfig } from '../config'
import { signEnvelope } from '../demo/seed'
import type { Store } from '../store/types'
import { itWithCorpus } from '../testing/corpus'
import { newKey, slsaV1Statement, tempStore } from '../testing/documents'
import { actionsCorpus, actionsPayload, collectorGolden, otelCorpus, otlpRequest, semconvPipeline } from '../testing/telemetry'
import { demoTrace } from '../../demo/traces'

const key = newKey('ci-release', 'ed25519')
const tokenHash = (secret: string) => createHash('sha256').update(secret).digest('hex')
const WEBHOOK_SECRET = 'test-webhook-secret-0123456789'
const configFile = {
  trust: { keys: [{ id: key.id, publicKeyPem: key.publicKeyPem }] },
  tokens: [
    { name: 'collector', sha256: tokenHash('ingest-secret'), scopes: ['ingest'] },
    { name: 'viewer', sha256: tokenHash('read-secret'), scopes: ['read'] },
  ],
  limits: { maxBodyBytes: 256 * 1024 },
  github: { webhookSecret: WEBHOOK_SECRET },
}
const config = buildConfig(configFile, 'test config')
const json = { authorization: 'Bearer ingest-secret', 'content-type': 'application/json' }

let store: Store
let dispose: () => Promise<void>
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  ;({ store, dispose } = await tempStore())
  app = createApp({ store, config, version: '0.0.0-test', demo: false })
})
afterAll(async () => dispose())

const postTraces = (body: BodyInit, headers: Record<string, string> = json) => app.request('/v1/traces', { method: 'POST', body, headers })
const pipelines = async (query: string) => PipelineList.parse(await (await app.request(`/api/v1/pipelines?${query}`)).json()).items

const sign = (body: string, secret = WEBHOOK_SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
const postWebhook = (event: string, body: string, headers: Record<string, string> = {}) =>
  app.request('/api/v1/webhooks/github', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': 'd-1', 'x-hub-signature-256': sign(body), ...headers },
  })

describe('POST /v1/traces', () => {
  it('stores a pipeline that follows the CI/CD conventions, and answers {}', async () => {
    const request = semconvPipeline({ traceId: '11'.repeat(16), repo: 'https://github.com/acme/otlp', commit: 'a'.repeat(40), runId: '501' })
    const response = await postTraces(JSON.stringify(request))
    expect(response.status).toBe(200)
    expect(OtlpExportResponse.parse(await response.json())).toEqual({})
    const [run] = await pipelines('runId=501')
    expect(run).toMatchObject({ source: 'otlp', name: 'release', result: 'failure', attempt: 1, durationMs: 300_000 })
    expect(run?.tasks[0]).toMatchObject({ name: 'build', durationMs: 285_000, tools: [{ name: 'node', version: '20.19.0' }, { name: 'npm', version: '10.8.2' }] })
    expect(run?.tasks[0]?.hosts).toEqual(['github.com', 'objects.githubusercontent.com', 'registry.npmjs.org'])
  })

  it('is idempotent: the same spans again change nothing', async () => {
    const request = JSON.stringify(semconvPipeline({ traceId: '12'.repeat(16), repo: 'https://github.com/acme/again', commit: 'b'.repeat(40), runId: '502' }))
    await postTraces(request)
    const first = await pipelines('runId=502')
    expect((await postTraces(request)).status).toBe(200)
    const second = await pipelines('runId=502')
    expect(second).toHaveLength(1)
    expect({ ...second[0], updatedAt: null }).toEqual({ ...first[0], updatedAt: null })
  })

  it('joins spans of one trace sent in separate requests, whatever the order', async () => {
    const request = semconvPipeline({ traceId: '13'.repeat(16), repo: 'https://github.com/acme/split', commit: 'c'.repeat(40), runId: '503' })
    const spans = request.resourceSpans[0]!.scopeSpans[0]!.spans
    const part = (names: string[]) => ({
      resourceSpans: [{ ...request.resourceSpans[0], scopeSpans: [{ scope: {}, spans: spans.filter((span) => names.includes(span.name)) }] }],
    })
    // Steps first, then the job, then the run, as a batching exporter may send them.
    await postTraces(JSON.stringify(part(['setup node', 'install', 'test', 'GET'])))
    expect((await pipelines('runId=503'))[0]?.tasks.map((task) => task.name)).toEqual(['setup node', 'install', 'test'])
    await postTraces(JSON.stringify(part(['build'])))
    await postTraces(JSON.stringify(part(['RUN release'])))
    const [run] = await pipelines('runId=503')
    expect(run?.tasks.map((task) => [task.name, task.steps.length])).toEqual([['build', 3]])
    expect(run?.result).toBe('failure')
  })

  itWithCorpus('accepts the githubreceiver goldens as the Collector would export them (gzip)', async () => {
    for (const name of ['workflow-job-expected.yaml', 'workflow-run-expected.yaml'] as const) {
      const response = await postTraces(new Uint8Array(gzipSync(JSON.stringify(collectorGolden(name)))), { ...json, 'content-encoding': 'gzip' })
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({})
    }
    const [run] = await pipelines('repo=https://github.com/open-telemetry/open-telemetry-otel-collector&commit=6077d805b0fc49f65e6dbaefc2d1fc9b4f92aa4e')
    expect(run).toMatchObject({ name: 'build-and-test', runId: '14460881260', attempt: 13, result: 'failure', durationMs: 94_000 })
    expect(run?.tasks).toHaveLength(1)
    expect(run?.tasks[0]).toMatchObject({ name: 'test (1.23)', queuedMs: 5000, worker: { labels: ['ubuntu-latest'] } })
    expect(run?.tasks[0]?.steps).toHaveLength(8)
  }, { needs: join(otelCorpus, 'workflow-job-expected.yaml') })

  it('reports spans of non-CI traces and spans with empty ids in partialSuccess, storing the rest', async () => {
    const ci = semconvPipeline({ traceId: '14'.repeat(16), repo: 'https://github.com/acme/partial', commit: 'd'.repeat(40), runId: '504' })
    const web = otlpRequest('15'.repeat(16), { 'service.name': 'web' }, [{ spanId: '1'.repeat(16), name: 'GET /', start: 1, end: 2 }])
    const emptyId = otlpRequest('', { 'cicd.pipeline.name': 'x' }, [{ spanId: '2'.repeat(16), name: 'x', start: 1 }])
    const response = await postTraces(JSON.stringify({ resourceSpans: [...ci.resourceSpans, ...web.resourceSpans, ...emptyId.resourceSpans] }))
    expect(response.status).toBe(200)
    const body = OtlpExportResponse.parse(await response.json())
    expect(body.partialSuccess?.rejectedSpans).toBe(2)
    expect(body.partialSuccess?.errorMessage).toContain('cicd.pipeline')
    expect(body.partialSuccess?.errorMessage).toContain('$.resourceSpans[2].scopeSpans[0].spans[0].traceId')
    expect(await pipelines('runId=504')).toHaveLength(1)
  })

  it('answers 415 for protobuf, saying that only JSON is accepted', async () => {
    const response = await postTraces(new Uint8Array([0x0a, 0x00]), { ...json, 'content-type': 'application/x-protobuf' })
    expect(response.status).toBe(415)
    const body = OtlpErrorBody.parse(await response.json())
    expect(body.message).toMatch(/OTLP\/JSON only/)
    expect(body.error.path).toBe('header.content-type')
  })

  it('answers 400 with the JSON path for malformed OTLP, and for a broken gzip body', async () => {
    const bad = otlpRequest('zz'.repeat(16), { 'cicd.pipeline.name': 'x' }, [{ spanId: '1'.repeat(16), name: 'x', start: 1 }])
    const response = await postTraces(JSON.stringify(bad))
    expect(response.status).toBe(400)
    const body = OtlpErrorBody.parse(await response.json())
    expect(body).toMatchObject({ code: 3, error: { code: 'invalid-otlp', path: '$.resourceSpans[0].scopeSpans[0].spans[0].traceId' } })
    expect((await postTraces('{"resourceSpans": 5}')).status).toBe(400)
    expect((await postTraces('not json')).status).toBe(400)
    expect((await postTraces('{}', { ...json, 'content-encoding': 'gzip' })).status).toBe(400)
    expect((await postTraces('{}', { ...json, 'content-encoding': 'br' })).status).toBe(415)
  })

  it('limits the inflated size of a compressed body', async () => {
    const bomb = new Uint8Array(gzipSync(Buffer.alloc(2 * 1024 * 1024, 0x20)))
    const response = await postTraces(bomb, { ...json, 'content-encoding': 'gzip' })
    expect(response.status).toBe(413)
  })

  it('needs a token with scope ingest', async () => {
    const body = JSON.stringify({ resourceSpans: [] })
    expect((await postTraces(body, { 'content-type': 'application/json' })).status).toBe(401)
    expect((await postTraces(body, { ...json, authorization: 'Bearer read-secret' })).status).toBe(403)
  })

  it('never answers 5xx, whatever JSON is posted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 5 }), async (value) => {
        const response = await postTraces(JSON.stringify(value))
        expect(response.status).toBeLessThan(500)
        if (response.status === 400) OtlpErrorBody.parse(await response.json())
      }),
      { numRuns: 150 },
    )
  })
})

describe('POST /api/v1/webhooks/github', () => {
  const job = (overrides: Record<string, unknown> = {}) => ({
    action: 'completed',
    repository: { html_url: 'https://github.com/acme/hooks', full_name: 'acme/hooks' },
    workflow_job: {
      id: 9001,
      run_id: 777,
      run_attempt: 1,
      workflow_name: 'CI',
      head_sha: 'e'.repeat(40),
      head_branch: 'main',
      html_url: 'https://github.com/acme/hooks/actions/runs/777/job/9001',
      status: 'completed',
      conclusion: 'failure',
      created_at: '2026-11-01T10:00:00Z',
      started_at: '2026-11-01T10:00:30Z',
      completed_at: '2026-11-01T10:05:00Z',
      name: 'test',
      labels: ['ubuntu-latest'],
      runner_id: 3,
      runner_name: 'GitHub Actions 3',
      runner_group_name: 'GitHub Actions',
      steps: [
        { name: 'Set up job', status: 'completed', conclusion: 'success', number: 1, started_at: '2026-11-01T10:00:30Z', completed_at: '2026-11-01T10:00:32Z' },
        { name: 'Run tests', status: 'completed', conclusion: 'failure', number: 2, started_at: '2026-11-01T10:00:32Z', completed_at: '2026-11-01T10:05:00Z' },
      ],
      ...overrides,
    },
  })

  it('says clearly when no secret is configured', async () => {
    const { store: bare, dispose: disposeBare } = await tempStore()
    try {
      const unconfigured = createApp({ store: bare, config: buildConfig({ ...configFile, github: undefined }, 'no github'), version: '0', demo: false })
      const response = await unconfigured.request('/api/v1/webhooks/github', { method: 'POST', body: '{}', headers: { 'x-github-event': 'ping' } })
      expect(response.status).toBe(403)
      expect(ApiErrorBody.parse(await response.json()).error).toMatchObject({ code: 'webhook-not-configured', message: expect.stringContaining('github.webhookSecret') })
    } finally {
      await disposeBare()
    }
  })

  it('answers 401 for a missing, malformed or wrong signature', async () => {
    const body = JSON.stringify(job())
    const missing = await postWebhook('workflow_job', body, { 'x-hub-signature-256': '' })
    expect(missing.status).toBe(401)
    expect(ApiErrorBody.parse(await missing.json()).error.code).toBe('missing-signature')
    expect((await postWebhook('workflow_job', body, { 'x-hub-signature-256': 'sha1=abc' })).status).toBe(401)
    expect((await postWebhook('workflow_job', body, { 'x-hub-signature-256': sign(body, 'another-secret') })).status).toBe(401)
    // A body changed after signing.
    expect((await postWebhook('workflow_job', body.replace('failure', 'success'), { 'x-hub-signature-256': sign(body) })).status).toBe(401)
  })

  it('acknowledges ping and events it does not use without storing them', async () => {
    const ping = WebhookResponse.parse(await (await postWebhook('ping', '{"zen":"Keep it logically awesome."}')).json())
    expect(ping).toMatchObject({ event: 'ping', stored: false })
    const push = await postWebhook('push', '{}')
    expect(push.status).toBe(200)
    expect(WebhookResponse.parse(await push.json()).stored).toBe(false)
  })

  it('stores a job with its steps and runner, and its run, idempotently and whatever the delivery order', async () => {
    const completed = JSON.stringify(job())
    expect((await postWebhook('workflow_job', completed)).status).toBe(200)
    // A late in_progress delivery and a redelivery must not move the job back or duplicate it.
    await postWebhook('workflow_job', JSON.stringify(job({ status: 'in_progress', conclusion: null, completed_at: null, steps: [] })))
    await postWebhook('workflow_job', completed)
    const [run] = await pipelines('runId=777')
    expect(run).toMatchObject({ id: 'github:https://github.com/acme/hooks:777:1', source: 'github-webhook', name: 'CI', commit: 'e'.repeat(40), status: null })
    expect(run?.tasks).toHaveLength(1)
    expect(run?.tasks[0]).toMatchObject({
      id: 'job:9001',
      status: 'completed',
      result: 'failure',
      durationMs: 270_000,
      queuedMs: 30_000,
      worker: { id: '3', name: 'GitHub Actions 3', group: 'GitHub Actions', labels: ['ubuntu-latest'] },
    })
    expect(run?.tasks[0]?.steps.map((step) => [step.number, step.name, step.result, step.durationMs])).toEqual([
      [1, 'Set up job', 'success', 2000],
      [2, 'Run tests', 'failure', 268_000],
    ])

    const workflowRun = {
      action: 'completed',
      repository: { html_url: 'https://github.com/acme/hooks' },
      workflow_run: {
        id: 777,
        name: 'CI',
        run_attempt: 1,
        head_sha: 'e'.repeat(40),
        head_branch: 'main',
        html_url: 'https://github.com/acme/hooks/actions/runs/777',
        status: 'completed',
        conclusion: 'failure',
        run_started_at: '2026-11-01T10:00:00Z',
        updated_at: '2026-11-01T10:06:00Z',
        event: 'push',
      },
    }
    // Form-encoded, as a webhook with content type application/x-www-form-urlencoded sends it.
    const form = `payload=${encodeURIComponent(JSON.stringify(workflowRun))}`
    const stored = await postWebhook('workflow_run', form, { 'content-type': 'application/x-www-form-urlencoded' })
    expect(WebhookResponse.parse(await stored.json())).toMatchObject({ stored: true, runId: '777', action: 'completed' })
    const [after] = await pipelines('runId=777')
    expect(after).toMatchObject({ status: 'completed', result: 'failure', durationMs: 360_000 })
    expect(after?.tasks).toHaveLength(1)
  })

  it('answers 400 naming the field for a payload it cannot read', async () => {
    const response = await postWebhook('workflow_job', JSON.stringify({ action: 'completed', repository: { html_url: 'https://github.com/a/b' }, workflow_job: { id: 'x' } }))
    expect(response.status).toBe(400)
    expect(ApiErrorBody.parse(await response.json()).error).toMatchObject({ code: 'invalid-payload', path: 'body.workflow_job.id' })
    expect((await postWebhook('workflow_run', 'not json')).status).toBe(400)
  })

  itWithCorpus('stores the octokit example payloads', async () => {
    const runBody = actionsPayload('octokit-webhooks/workflow_run/completed.payload.json')
    expect((await postWebhook('workflow_run', runBody)).status).toBe(200)
    const [run] = await pipelines('runId=289782451')
    expect(run).toMatchObject({ repo: 'https://github.com/octo-org/octo-repo', commit: '3484a3fb816e0859fd6e1cea078d76385ff50625', status: 'completed', result: 'success', attempt: 1 })

    const jobBody = actionsPayload('octokit-webhooks/workflow_job/completed.success.with-organization.payload.json')
    expect((await postWebhook('workflow_job', jobBody)).status).toBe(200)
    const [jobRun] = await pipelines('runId=2202229078')
    expect(jobRun?.tasks[0]).toMatchObject({ name: 'linters', result: 'success', worker: { name: 'GitHub Actions 5', labels: ['ubuntu-latest'] } })
    expect(jobRun?.tasks[0]?.steps).toHaveLength(8)
  }, { needs: join(actionsCorpus, 'octokit-webhooks', 'workflow_job') })
})

describe('the build detail', () => {
  const ingestBuild = async (repo: string, commit: string) => {
    const response = await app.request('/api/v1/attestations', { method: 'POST', body: JSON.stringify(signEnvelope(slsaV1Statement({ repo, commit }), key)), headers: json })
    const id = IngestResponse.parse(await response.json()).documents[0]?.buildId
    if (!id) throw new Error('no build')
    return async () => BuildDetail.parse(await (await app.request(`/api/v1/builds/${id}`)).json())
  }

  it('shows the pipeline run named by the invocation id (run 1, attempt 1), with tasks, tools and hosts', async () => {
    const repo = 'https://github.com/acme/linked'
    const detail = await ingestBuild(repo, 'f'.repeat(40))
    expect((await detail()).pipeline).toBeNull()
    await postTraces(JSON.stringify(semconvPipeline({ traceId: '21'.repeat(16), repo: 'https://github.com/ACME/linked.git', commit: 'f'.repeat(40), runId: '1' })))
    const { pipeline } = await detail()
    expect(pipeline).toMatchObject({ runId: '1', attempt: 1, commit: 'f'.repeat(40), name: 'release' })
    expect(pipeline?.tasks[0]?.steps.map((step) => step.name)).toEqual(['setup node', 'install', 'test'])
    expect(pipeline?.tasks[0]?.hosts).toContain('registry.npmjs.org')
  })

  it('does not show another run of the same commit, nor another attempt', async () => {
    const repo = 'https://github.com/acme/unlinked'
    const detail = await ingestBuild(repo, '9'.repeat(40))
    await postTraces(JSON.stringify(semconvPipeline({ traceId: '22'.repeat(16), repo, commit: '9'.repeat(40), runId: '2' })))
    await postTraces(JSON.stringify(semconvPipeline({ traceId: '23'.repeat(16), repo, commit: '9'.repeat(40), runId: '1', attempt: 2 })))
    expect((await detail()).pipeline).toBeNull()
  })

  it('links the demo traces to the demo builds they describe', async () => {
    const builds = demoBuilds(12)
    for (const build of builds.slice(0, 3)) expect((await postTraces(JSON.stringify(demoTrace(build)))).status).toBe(200)
    const build = builds[0]!
    const [run] = await pipelines(`repo=${encodeURIComponent(build.sourceRepo)}&commit=${build.commit}`)
    expect(run?.tasks[0]?.steps.map((step) => step.name)).toEqual(['checkout', 'setup toolchain', 'build', 'test', 'attest'])
    expect(run?.tasks[0]?.tools).toEqual(build.tools.map((tool) => ({ name: tool.name, version: tool.version })))
  })
})

describe('config github.webhookSecret', () => {
  it('is optional, strict, and says what is wrong', () => {
    expect(buildConfig({}, 'c').githubWebhookSecret).toBeUndefined()
    expect(() => buildConfig({ github: { secret: 'x' } }, 'c.yaml')).toThrow(/c\.yaml.*\n.*github/)
    expect(() => buildConfig({ github: { webhookSecret: '' } }, 'c.yaml')).toThrow(/github\.webhookSecret: github\.webhookSecret is empty/)
    expect(() => buildConfig({ github: { webhookSecret: 42 } }, 'c.yaml')).toThrow(/must be a string/)
  })
})

describe('GET /api/v1/pipelines', () => {
  it('needs at least one filter', async () => {
    const response = await app.request('/api/v1/pipelines')
    expect(response.status).toBe(400)
    expect(ApiErrorBody.parse(await response.json()).error.code).toBe('invalid-query')
  })
})
