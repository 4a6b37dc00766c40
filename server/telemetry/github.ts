import { createHmac, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'
import type { PipelineStatus } from '../../src/contract/telemetry'
import { normaliseRepoUrl, normaliseResult } from './model'
import type { RunRecord, StepRecord, TaskRecord } from './types'

/*
 * GitHub Actions webhooks: `workflow_run` (one run attempt) and `workflow_job` (one job with its steps), read
 * into the same run/task model as OTLP traces. The job object has the shape of REST /actions/jobs/{id}, the
 * run object that of /actions/runs/{id}; only the fields below are read, everything else is ignored.
 */

/** Checks `X-Hub-Signature-256: sha256=<hex>` against the HMAC-SHA256 of the exact body bytes, in constant time. */
export function verifyGithubSignature(secret: string, body: Uint8Array, header: string | undefined): 'ok' | 'missing' | 'malformed' | 'mismatch' {
  if (header === undefined || header.trim() === '') return 'missing'
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim())
  if (!match?.[1]) return 'malformed'
  const expected = createHmac('sha256', secret).update(body).digest()
  const given = Buffer.from(match[1], 'hex')
  return timingSafeEqual(expected, given) ? 'ok' : 'mismatch'
}

const text = z.string().nullish().catch(null)
const time = z
  .string()
  .nullish()
  .catch(null)
  .transform((value) => {
    const ms = value ? Date.parse(value) : Number.NaN
    return Number.isFinite(ms) ? ms : null
  })
const count = z.number().int().nonnegative().nullish().catch(null)

const Repository = z.object({ html_url: z.string(), full_name: text }).passthrough()

const Step = z.object({
  name: z.string(),
  status: text,
  conclusion: text,
  number: count,
  started_at: time,
  completed_at: time,
})

const WorkflowJob = z.object({
  id: z.number().int().nonnegative(),
  run_id: z.number().int().nonnegative(),
  run_attempt: count,
  workflow_name: text,
  head_sha: text,
  head_branch: text,
  html_url: text,
  status: text,
  conclusion: text,
  created_at: time,
  started_at: time,
  completed_at: time,
  name: z.string(),
  steps: z.array(Step).nullish(),
  labels: z.array(z.string()).nullish().catch(null),
  runner_id: count,
  runner_name: text,
  runner_group_name: text,
})

const WorkflowRun = z.object({
  id: z.number().int().nonnegative(),
  name: text,
  display_title: text,
  path: text,
  head_sha: text,
  head_branch: text,
  html_url: text,
  event: text,
  run_number: count,
  run_attempt: count,
  status: text,
  conclusion: text,
  run_started_at: time,
  created_at: time,
  updated_at: time,
  previous_attempt_url: text,
  repository: Repository.nullish().catch(null),
})

const Sender = z.object({ login: z.string() }).nullish().catch(null)

export const WorkflowJobEvent = z.object({
  action: z.string(),
  workflow_job: WorkflowJob,
  repository: Repository,
  sender: Sender,
})

export const WorkflowRunEvent = z.object({
  action: z.string(),
  workflow_run: WorkflowRun,
  workflow: z.object({ name: text, path: text }).nullish().catch(null),
  repository: Repository.nullish(),
  sender: Sender,
})

/** GitHub's statuses, of runs, jobs and steps, to ours. */
export function githubStatus(status: string | null | undefined): PipelineStatus | null {
  switch (status) {
    case 'completed':
      return 'completed'
    case 'in_progress':
      return 'in_progress'
    case 'requested':
    case 'queued':
    case 'pending':
    case 'waiting':
      return 'queued'
    default:
      return null
  }
}

export function githubRunKey(repo: string, runId: string, attempt: number): string {
  return `github:${repo.toLowerCase()}:${runId}:${attempt}`
}

export type WebhookRecords = { runs: RunRecord[]; tasks: TaskRecord[]; runId: string; action: string }

export function fromWorkflowRun(event: z.infer<typeof WorkflowRunEvent>, delivery: string | null): WebhookRecords {
  const run = event.workflow_run
  const repo = normaliseRepoUrl(event.repository?.html_url ?? run.repository?.html_url ?? null)
  if (repo === null) throw new WebhookPayloadError('workflow_run has no repository.html_url', 'repository.html_url')
  const attempt = run.run_attempt ?? 1
  const status = githubStatus(run.status)
  const runId = String(run.id)
  return {
    action: event.action,
    runId,
    tasks: [],
    runs: [
      {
        key: githubRunKey(repo, runId, attempt),
        source: 'github-webhook',
        traceId: null,
        repo,
        commit: run.head_sha?.toLowerCase() ?? null,
        ref: run.head_branch ?? null,
        runId,
        attempt,
        name: run.name || event.workflow?.name || run.path || null,
        url: run.html_url ?? `${repo}/actions/runs/${runId}`,
        status,
        result: status === 'completed' ? normaliseResult(run.conclusion ?? null) : null,
        startedAt: run.run_started_at ?? run.created_at,
        // A run has no completed_at; once it is completed, its last update is when it finished.
        finishedAt: status === 'completed' ? run.updated_at : null,
        detail: {
          authoritative: 1,
          event: run.event ?? null,
          workflowPath: run.path ?? null,
          runNumber: run.run_number ?? null,
          sender: event.sender?.login ?? null,
          previousAttemptUrl: run.previous_attempt_url ?? null,
          delivery,
        },
      },
    ],
  }
}

export function fromWorkflowJob(event: z.infer<typeof WorkflowJobEvent>, delivery: string | null): WebhookRecords {
  const job = event.workflow_job
  const repo = normaliseRepoUrl(event.repository.html_url)
  if (repo === null) throw new WebhookPayloadError('repository.html_url is not a repository URL', 'repository.html_url')
  const attempt = job.run_attempt ?? 1
  const runId = String(job.run_id)
  const runKey = githubRunKey(repo, runId, attempt)
  const status = githubStatus(job.status)
  const steps: StepRecord[] = (job.steps ?? []).map((step) => {
    const stepStatus = githubStatus(step.status)
    return {
      name: step.name,
      number: step.number ?? null,
      status: stepStatus,
      result: stepStatus === 'completed' ? normaliseResult(step.conclusion ?? null) : null,
      startedAt: step.started_at,
      finishedAt: step.completed_at,
      tools: [],
      hosts: [],
    }
  })
  return {
    action: event.action,
    runId,
    // The job names its run, so a run record exists even before (or without) the workflow_run event; it only
    // fills what the run's own event has not set (see the store's merge).
    runs: [
      {
        key: runKey,
        source: 'github-webhook',
        traceId: null,
        repo,
        commit: job.head_sha?.toLowerCase() ?? null,
        ref: job.head_branch ?? null,
        runId,
        attempt,
        name: job.workflow_name ?? null,
        url: `${repo}/actions/runs/${runId}`,
        status: null,
        result: null,
        startedAt: null,
        finishedAt: null,
        detail: { authoritative: 0, delivery },
      },
    ],
    tasks: [
      {
        runKey,
        key: `job:${job.id}`,
        name: job.name,
        url: job.html_url ?? null,
        taskRunId: String(job.id),
        type: null,
        status,
        result: status === 'completed' ? normaliseResult(job.conclusion ?? null) : null,
        startedAt: job.started_at,
        finishedAt: status === 'completed' ? job.completed_at : null,
        // GitHub creates a job when it is queued; the wait for a runner is until it starts.
        queuedMs: job.created_at !== null && job.started_at !== null && job.started_at >= job.created_at ? job.started_at - job.created_at : null,
        worker:
          job.runner_name || job.runner_group_name || (job.labels?.length ?? 0) > 0
            ? { id: job.runner_id == null ? null : String(job.runner_id), name: job.runner_name ?? null, group: job.runner_group_name ?? null, labels: job.labels ?? [] }
            : null,
        steps,
        tools: [],
        hosts: [],
      },
    ],
  }
}

export class WebhookPayloadError extends Error {
  override name = 'WebhookPayloadError'
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message)
  }
}
