import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../store/types'
import { corpusDir, itWithCorpus } from '../testing/corpus'
import { tempStore } from '../testing/documents'
import { ingestBody } from './ingest'

/** Posts one body through the ingest path the route uses, and returns its status and error. */
async function post(store: Store, body: unknown) {
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body))
  const result = await ingestBody(store, raw, 'application/json', { keys: [], now: () => 0 })
  if (result.ok) throw new Error(`stored, status ${result.status}`)
  return result
}

describe('documents sent to the wrong door', () => {
  let store: Store
  let dispose: () => Promise<void>
  beforeAll(async () => {
    ;({ store, dispose } = await tempStore())
  })
  afterAll(async () => {
    await dispose()
  })

  const repository = { id: 1, full_name: 'o/r' }
  const sender = { login: 'octocat', id: 2 }

  it.each([
    [{ resourceSpans: [] }, /an OTLP\/JSON trace export \(resourceSpans\), not an attestation; send it to POST \/v1\/traces, the OTLP\/HTTP trace receiver/],
    [{ resourceMetrics: [] }, /an OTLP\/JSON metrics export \(resourceMetrics\), not an attestation; this server takes no metrics: it receives OTLP traces only, at POST \/v1\/traces$/],
    [{ action: 'completed', workflow_run: { id: 1 }, repository, sender }, /a GitHub webhook payload \(event workflow_run, action completed\), not an attestation; send it to POST \/api\/v1\/webhooks\/github, as GitHub delivers it/],
    [{ action: 'queued', workflow_job: { id: 1 }, repository, sender }, /GitHub webhook payload \(event workflow_job, action queued\)/],
    [{ zen: 'Keep it logically awesome.', hook_id: 3, repository, sender }, /GitHub webhook payload \(event ping\)/],
    [{ id: 1, workflow_id: 2, run_number: 3, head_sha: 'a'.repeat(40) }, /a GitHub REST API workflow run \(GET \/repos\/\{owner\}\/\{repo\}\/actions\/runs\/\{id\}\), not an attestation; CI runs reach this server as GitHub webhooks \(POST \/api\/v1\/webhooks\/github/],
    [{ id: 1, run_id: 2, head_sha: 'a'.repeat(40), steps: [] }, /a GitHub REST API workflow job/],
    [{ total_count: 1, jobs: [] }, /listing the jobs of a workflow run/],
    [{ total_count: 1, workflow_runs: [] }, /listing workflow runs/],
    [
      { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [] },
      /^this is a Sigstore trusted root \(trusted_root\.json\), not an attestation; trust material is not ingested: name the file in the config under trust\.trustedRoots, and restart the server$/,
    ],
  ])('%j is refused with 422 wrong-endpoint, saying what it is and where it belongs', async (body, message) => {
    const result = await post(store, body)
    expect(result.status).toBe(422)
    expect(result.error).toMatchObject({ code: 'wrong-endpoint', path: '$' })
    expect(result.error.message).toMatch(message)
  })

  it('leaves other unknown JSON to the unknown-format answer, which lists its keys', async () => {
    const result = await post(store, { sender: 'not an object', repository })
    expect(result.error.code).toBe('unsupported-format')
    expect(result.error.message).toMatch(/top-level keys: sender, repository/)
  })

  const corpusCases: [string, RegExp][] = [
    ['5-github-actions/octokit-webhooks/workflow_job/completed.success.with-organization.payload.json', /GitHub webhook payload \(event workflow_job, action completed\)/],
    ['5-github-actions/octokit-webhooks/workflow_run/completed.payload.json', /GitHub webhook payload \(event workflow_run, action completed\)/],
    ['5-github-actions/pygithub-replay/extracted/WorkflowRun.setUp__repos_PyGithub_PyGithub_actions_runs_3881497935.json', /GitHub REST API workflow run/],
    ['5-github-actions/pygithub-replay/extracted/WorkflowRun.test_jobs__repos_PyGithub_PyGithub_actions_runs_3881497935_jobs.json', /listing the jobs of a workflow run/],
    ['5-github-actions/pygithub-replay/extracted/WorkflowRun.test_timing__repos_PyGithub_PyGithub_actions_runs_3881497935_timing.json', /workflow run timing/],
  ]
  for (const [file, message] of corpusCases) {
    itWithCorpus(`the corpus' ${file.split('/').pop() ?? file} is named and sent on`, async () => {
      const result = await post(store, readFileSync(join(corpusDir, file)))
      expect(result.status).toBe(422)
      expect(result.error.code).toBe('wrong-endpoint')
      expect(result.error.message).toMatch(message)
    })
  }
})
