import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { PipelineList } from '../../../src/contract/telemetry'
import { Source } from '../../../src/contract/sources'
import { createApp } from '../../app'
import { buildConfig, ingestContext, type Config } from '../../config'
import { ingestBody } from '../../ingest/ingest'
import { corpusDir, describeWithCorpus } from '../../testing/corpus'
import { tempStore } from '../../testing/documents'
import { startReplayServer, type ReplayServer } from '../replay-server'
import { SourceRunner } from '../runner'

/*
 * The GitHub source against a local server replaying real GitHub responses from the corpus: a workflow run of
 * PyGithub/PyGithub with its jobs and timing (recorded by PyGithub's test suite), and the two artifact
 * attestation bundles of sigstore@2.1.0 as `gh attestation download` saved them. The corpus has the run, not the
 * list around it, and the bundles, not the API envelope: the test puts each in the envelope the API answers
 * (`{ workflow_runs: [...] }`, `{ attestations: [{ bundle }] }`).
 */

describeWithCorpus(
  'GitHub source (replayed API responses)',
  () => {
    const actions = join(corpusDir, '5-github-actions/pygithub-replay/extracted')
    const run = readFileSync(join(actions, 'WorkflowRun.setUp__repos_PyGithub_PyGithub_actions_runs_3881497935.json'), 'utf8')
    const jobs = readFileSync(join(actions, 'WorkflowRun.test_jobs__repos_PyGithub_PyGithub_actions_runs_3881497935_jobs.json'))
    const timing = readFileSync(join(actions, 'WorkflowRun.test_timing__repos_PyGithub_PyGithub_actions_runs_3881497935_timing.json'))
    const bundles = readFileSync(join(corpusDir, '3-npm-github-attestations/github-gh-cli/sigstore-js-2.1.0_with_2_bundles.jsonl'), 'utf8').trim().split('\n')
    const digest = 'sha512:90f223f992e4c88dd068cd2a5fc57f9d2b30798343dd6e38f29c240e04ba090ef831f84490847c4e82b9232c78e8a258463b1e55c0f7469f730265008fa6633f'
    // Ten days after the run, so a backfill of 30 days covers it.
    const now = Date.parse('2023-01-20T12:00:00Z')
    let replay: ReplayServer

    beforeAll(async () => {
      replay = await startReplayServer()
      replay.set(`/repos/PyGithub/PyGithub/actions/runs?per_page=100&created=${encodeURIComponent('>=2022-12-21')}`, { body: `{"total_count":1,"workflow_runs":[${run}]}` })
      replay.set(`/repos/sigstore/sigstore-js/actions/runs?per_page=100&created=${encodeURIComponent('>=2022-12-21')}`, { body: '{"total_count":0,"workflow_runs":[]}' })
      // A later sync asks for runs created since the day before the last one: none here.
      for (const repo of ['PyGithub/PyGithub', 'sigstore/sigstore-js']) replay.set(`/repos/${repo}/actions/runs?per_page=100&created=${encodeURIComponent('>=2023-01-19')}`, { body: '{"total_count":0,"workflow_runs":[]}' })
      replay.set('/repos/PyGithub/PyGithub/actions/runs/3881497935/jobs?per_page=100', { body: jobs })
      replay.set('/repos/PyGithub/PyGithub/actions/runs/3881497935/timing', { body: timing })
      replay.set(`/repos/sigstore/sigstore-js/attestations/${digest}`, { body: `{"attestations":[${bundles.map((bundle) => `{"bundle":${bundle},"repository_id":495574555}`).join(',')}]}` })
      // The first jobs request finds the rate limit spent for a second.
      replay.rateLimit('/repos/PyGithub/PyGithub/actions/runs/3881497935/jobs?per_page=100', 1, 1)
    })
    afterAll(async () => {
      await replay.close()
    })

    const config = (): Config =>
      buildConfig(
        {
          trust: { trustedRoots: [join(corpusDir, '3-npm-github-attestations/github-gh-cli/trusted_root.json')] },
          sources: [{ name: 'github', kind: 'github', url: replay.url, repositories: ['PyGithub/PyGithub', 'sigstore/sigstore-js'], backfillDays: 30, auth: { tokenEnv: 'GH_TOKEN' } }],
        },
        'test config',
      )

    it('reads Actions runs with jobs, steps and timing as CI telemetry, and attestations of known digests, waiting out the rate limit', async () => {
      const { store, dispose } = await tempStore()
      try {
        // The dashboard knows sigstore@2.1.0's tarball from one of its attestations, pushed as gh would.
        const first = bundles[0] ?? ''
        const pushed = await ingestBody(store, Buffer.from(first), 'application/json', ingestContext(config()))
        if (!pushed.ok) throw new Error(pushed.error.message)

        const runner = new SourceRunner({ store, config: config(), now: () => now, env: (name) => (name === 'GH_TOKEN' ? 'ghp_test' : undefined) })
        const app = createApp({ store, config: config(), version: 'test', demo: false, sources: runner })
        runner.syncNow('github', 'on-demand')
        await runner.settled('github')
        const source = Source.parse(await (await app.request('/api/v1/sources/github')).json())
        expect(source.lastRun?.errors).toEqual([])
        expect(source.lastRun?.state).toBe('succeeded')
        // Rate limited once (403, x-ratelimit-remaining: 0), waited for the reset, asked again.
        expect(replay.log.filter((line) => line.startsWith('GET /repos/PyGithub/PyGithub/actions/runs/3881497935/jobs'))).toHaveLength(2)

        const pipelines = PipelineList.parse(await (await app.request('/api/v1/pipelines?runId=3881497935')).json())
        expect(pipelines.items).toHaveLength(1)
        const pipeline = pipelines.items[0]
        expect(pipeline?.repo).toBe('https://github.com/PyGithub/PyGithub')
        expect(pipeline?.commit).toBe('c6e5cac67a58a4eb11f1f28567a77a6e2cc8ee98')
        expect(pipeline?.result).toBe('success')
        expect(pipeline?.tasks).toHaveLength(5)
        expect(pipeline?.tasks.every((task) => task.steps.length > 0)).toBe(true)

        // The corpus file holds the same bundle twice, and it is the one already pushed: found twice, stored once,
        // and its origin recorded.
        const rows = await store.sources.documentsOf('github')
        expect(rows.map((row) => [row.documentId, row.subject, row.created])).toEqual([[pushed.body.documents[0]?.id, digest, false]])
        expect(source.lastRun?.documentsFound).toBe(2)
        expect(source.lastRun?.documentsIngested).toBe(0)
        expect(source.lastRun?.telemetryRuns).toBe(1)
        expect([source.documentsFound, source.documentsIngested]).toEqual([1, 0])
        for (const row of rows) expect((await store.documents.get(row.documentId))?.format).toBe('sigstore-bundle')

        // Next sync: runs are asked from the day before the last sync, the attestations answer 304 to the ETag.
        const before = replay.log.length
        runner.syncNow('github', 'on-demand')
        await runner.settled('github')
        const requests = replay.log.slice(before)
        expect(requests).toEqual([expect.stringMatching(/^GET \/repos\/PyGithub\/PyGithub\/actions\/runs\?per_page=100&created=%3E%3D2023-01-19$/), expect.stringMatching(/^GET \/repos\/sigstore\/sigstore-js\/attestations\/sha512:90f2.* \("[0-9a-f]+"\)$/), expect.stringMatching(/^GET \/repos\/sigstore\/sigstore-js\/actions\/runs\?/)])
        const again = Source.parse(await runner.get('github'))
        expect(again.lastRun?.errors).toEqual([])
        expect(again.lastRun?.unchanged).toBe(1)
        expect(again.lastRun?.documentsIngested).toBe(0)
      } finally {
        await dispose()
      }
    }, 30_000)

    it('says which environment variable to set when the token is missing', async () => {
      const { store, dispose } = await tempStore()
      try {
        const runner = new SourceRunner({ store, config: config(), now: () => now, env: () => undefined })
        runner.syncNow('github', 'on-demand')
        await runner.settled('github')
        const source = Source.parse(await runner.get('github'))
        expect(source.lastRun?.state).toBe('failed')
        expect(source.lastRun?.errors[0]?.message).toBe('the environment variable GH_TOKEN (named by auth.tokenEnv) is not set on the server')
        expect(source.advice).toMatch(/Set the environment variable/)
      } finally {
        await dispose()
      }
    }, 30_000)
  },
  { needs: '5-github-actions/pygithub-replay' },
)
