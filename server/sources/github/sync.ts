import { z } from 'zod'
import { fromWorkflowJob, fromWorkflowRun, WorkflowJobEvent, WorkflowRunEvent } from '../../telemetry/github'
import type { GithubSourceConfig } from '../config'
import { fetchWithRetry, redact, SourceFetchError, statusText, type SourceResponse } from '../http'
import { ingestPulled, PulledDocumentError, secret, type SyncContext } from '../sync'

/*
 * One sync of a GitHub source (github.com or GitHub Enterprise Server, by base URL):
 *
 * - artifact attestations: for each digest the dashboard knows from builds of the repository,
 *   GET /repos/{owner}/{repo}/attestations/{digest}, conditional on the last ETag (a 304 costs no rate limit);
 *   each Sigstore bundle goes through the ingest path.
 * - Actions run history as CI telemetry: GET /repos/{owner}/{repo}/actions/runs (created since the last sync,
 *   or the last `backfillDays` on the first), and for each completed run not yet read, its jobs with their steps
 *   and its timing. Runs and jobs are read by the same code as the workflow_run / workflow_job webhooks, so the
 *   pipeline record is the same whichever way it came.
 *
 * Rate limits (`x-ratelimit-*`, `retry-after`) are waited out by the HTTP layer up to a minute; longer, the sync
 * stops with the error and the scheduler tries again later. docs/sources.md lists the fields read.
 */

const MAX_DIGESTS = 500
const DAY = 24 * 3600 * 1000

const AttestationsResponse = z.object({ attestations: z.array(z.object({ bundle: z.record(z.string(), z.unknown()).nullable().optional() }).passthrough()) })
const RunsPage = z.object({ workflow_runs: z.array(z.record(z.string(), z.unknown())) })
const JobsPage = z.object({ jobs: z.array(z.record(z.string(), z.unknown())) })
const Timing = z.object({ run_duration_ms: z.number().int().nonnegative().optional() }).passthrough()
const RunFacts = z.object({ id: z.number().int(), run_attempt: z.number().int().nullish(), status: z.string().nullish(), updated_at: z.string().nullish(), repository: z.object({ html_url: z.string() }).passthrough().nullish() })

export async function syncGithub(context: SyncContext<GithubSourceConfig>): Promise<void> {
  const { source, store, report, now } = context
  const token = source.auth ? secret(context, source.auth.tokenEnv, 'auth.tokenEnv') : null
  const seen = await store.sources.seenWithPrefix(source.name, '')
  const get = async (path: string, etag?: string): Promise<{ response: SourceResponse; url: string }> => {
    const url = path.startsWith('http') ? path : `${source.url}${path}`
    const headers: Record<string, string> = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'provenance-dashboard' }
    if (token) headers.authorization = `Bearer ${token}`
    if (etag) headers['if-none-match'] = etag
    return { response: await fetchWithRetry(url, { headers }), url }
  }
  const json = async (response: SourceResponse, url: string, what: string): Promise<unknown> => {
    if (!response.ok) {
      await response.body?.cancel()
      throw new SourceFetchError(`${what}: GitHub answered ${response.status} ${statusText(response.status)}`, redact(url), response.status)
    }
    const text = await response.text()
    try {
      return JSON.parse(text)
    } catch {
      throw new SourceFetchError(`${what}: the answer is not JSON`, redact(url), response.status)
    }
  }

  for (const repository of source.repositories) {
    if (context.signal.aborted) return
    const repoUrl = `https://github.com/${repository}`

    if (source.attestations) {
      report.phase = `finding the digests known from ${repository}`
      const digests = await store.sources.knownDigests(repoUrl, MAX_DIGESTS)
      report.total += digests.length
      for (const digest of digests) {
        if (context.signal.aborted) return
        report.phase = `reading the attestations of ${digest.slice(0, 19)}… in ${repository}`
        const key = `etag:attestations:${repository}:${digest}`
        try {
          const { response, url } = await get(`/repos/${repository}/attestations/${digest}`, seen.get(key))
          if (response.status === 304 || response.status === 404) {
            // 304: nothing new since the ETag. 404: GitHub has no attestation for this digest.
            await response.body?.cancel()
            report.unchanged++
            continue
          }
          const body = AttestationsResponse.safeParse(await json(response, url, `the attestations of ${digest}`))
          if (!body.success) throw new SourceFetchError(`the attestations of ${digest}: the answer has no attestations array`, redact(url), response.status)
          const errorsBefore = report.errorCount
          for (const attestation of body.data.attestations) {
            if (!attestation.bundle) continue
            try {
              await ingestPulled(context, Buffer.from(JSON.stringify(attestation.bundle)), redact(url), digest)
            } catch (error) {
              if (error instanceof PulledDocumentError || error instanceof SourceFetchError) report.fail(error)
              else throw error
            }
          }
          const etag = response.headers.get('etag')
          if (etag && report.errorCount === errorsBefore) await store.sources.markSeen(source.name, [{ key, value: etag }], now())
        } catch (error) {
          report.fail(error)
        } finally {
          report.done++
        }
      }
    }

    if (source.runs) {
      const sinceKey = `runs-since:${repository}`
      const started = now()
      // An overlap of a day: runs created just before the last sync may have finished since.
      const since = seen.has(sinceKey) ? Number(seen.get(sinceKey)) - DAY : started - source.backfillDays * DAY
      let next: string | null = `/repos/${repository}/actions/runs?per_page=100&created=${encodeURIComponent(`>=${new Date(since).toISOString().slice(0, 10)}`)}`
      const errorsBefore = report.errorCount
      try {
        while (next !== null) {
          if (context.signal.aborted) return
          report.phase = `listing the Actions runs of ${repository}`
          const { response, url }: { response: SourceResponse; url: string } = await get(next)
          const page = RunsPage.safeParse(await json(response, url, `the Actions runs of ${repository}`))
          if (!page.success) throw new SourceFetchError(`the Actions runs of ${repository}: the answer has no workflow_runs array`, redact(url), response.status)
          report.total += page.data.workflow_runs.length
          for (const run of page.data.workflow_runs) {
            try {
              await syncRun(run)
            } catch (error) {
              report.fail(error)
            } finally {
              report.done++
            }
          }
          const link = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')
          next = link?.[1] ?? null
        }
        if (report.errorCount === errorsBefore) await store.sources.markSeen(source.name, [{ key: sinceKey, value: String(started) }], now())
      } catch (error) {
        report.fail(error)
      }
    }

    async function syncRun(run: Record<string, unknown>): Promise<void> {
      const facts = RunFacts.safeParse(run)
      if (!facts.success) throw new PulledDocumentError(`a workflow run of ${repository} has no id`, `${source.url}/repos/${repository}/actions/runs`)
      const { id, status, updated_at: updatedAt } = facts.data
      const key = `run:${repository}:${id}:${facts.data.run_attempt ?? 1}`
      if (status === 'completed' && seen.get(key) === updatedAt) {
        report.unchanged++
        return
      }
      report.phase = `reading the jobs of run ${id} in ${repository}`
      const repoObject = { html_url: facts.data.repository?.html_url ?? repoUrl, full_name: repository }
      const runEvent = WorkflowRunEvent.safeParse({ action: 'completed', workflow_run: run, repository: repoObject, sender: null })
      if (!runEvent.success) throw new PulledDocumentError(`run ${id} of ${repository} is not a workflow run GitHub would send: ${runEvent.error.issues[0]?.path.join('.')}`, `${source.url}/repos/${repository}/actions/runs/${id}`)
      const records = fromWorkflowRun(runEvent.data, null)
      const { response: jobsResponse, url: jobsUrl } = await get(`/repos/${repository}/actions/runs/${id}/jobs?per_page=100`)
      const jobs = JobsPage.safeParse(await json(jobsResponse, jobsUrl, `the jobs of run ${id}`))
      if (!jobs.success) throw new SourceFetchError(`the jobs of run ${id}: the answer has no jobs array`, redact(jobsUrl), jobsResponse.status)
      const tasks = jobs.data.jobs.flatMap((job) => {
        const event = WorkflowJobEvent.safeParse({ action: 'completed', workflow_job: job, repository: repoObject, sender: null })
        return event.success ? fromWorkflowJob(event.data, null).tasks : []
      })
      const { response: timingResponse, url: timingUrl } = await get(`/repos/${repository}/actions/runs/${id}/timing`)
      // Timing is a detail: a GHES without the endpoint (404) leaves it out rather than failing the run.
      const timing = timingResponse.status === 404 ? (await timingResponse.body?.cancel(), null) : Timing.safeParse(await json(timingResponse, timingUrl, `the timing of run ${id}`))
      const runs = records.runs.map((record) => ({
        ...record,
        detail: { ...record.detail, delivery: null, pulledBy: `source:${source.name}`, runDurationMs: timing?.success ? (timing.data.run_duration_ms ?? null) : null },
      }))
      await store.telemetry.ingest({ spans: [], runs, tasks })
      report.telemetryRuns++
      if (status === 'completed' && updatedAt) {
        seen.set(key, updatedAt)
        await store.sources.markSeen(source.name, [{ key, value: updatedAt }], now())
      }
    }
  }
}
