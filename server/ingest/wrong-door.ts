import { isRecord } from './errors'

/*
 * Documents people send to POST /api/v1/attestations that belong elsewhere: CI events and telemetry, and trust
 * material. They are not attestations (nothing signs them), but each has a place of its own, and the refusal
 * should name it rather than list the formats read and the JSON keys found.
 */

/** `what` the document is; `where`, a clause saying where it goes instead (or that it goes nowhere here). */
export type WrongDoor = { what: string; where: string }

const WEBHOOK_DOOR =
  'send it to POST /api/v1/webhooks/github, as GitHub delivers it (with its X-GitHub-Event and X-Hub-Signature-256 headers; workflow_run and workflow_job events are stored as CI runs)'
const CI_DOORS =
  'CI runs reach this server as GitHub webhooks (POST /api/v1/webhooks/github, events workflow_run and workflow_job) or OTLP traces (POST /v1/traces); a `github` source in the config pulls attestations from GitHub'

const has = (value: Record<string, unknown>, ...keys: string[]) => keys.every((key) => key in value)
const text = (value: unknown) => (typeof value === 'string' ? value : null)

/** Which GitHub webhook event a payload is, from its own shape (the X-GitHub-Event header is not in the body). */
function webhookEvent(value: Record<string, unknown>): string | null {
  for (const event of ['workflow_run', 'workflow_job', 'check_run', 'check_suite', 'deployment_status', 'deployment', 'release', 'pull_request', 'issue', 'registry_package', 'package']) {
    if (isRecord(value[event])) return event
  }
  if (has(value, 'zen', 'hook_id')) return 'ping'
  if (has(value, 'ref', 'before', 'after') && Array.isArray(value.commits)) return 'push'
  return null
}

/** What the document is and where it belongs, when it is a CI event or telemetry; null otherwise. Never throws. */
export function wrongDoor(value: Record<string, unknown>): WrongDoor | null {
  if (typeof value.mediaType === 'string' && value.mediaType.startsWith('application/vnd.dev.sigstore.trustedroot')) {
    return { what: 'a Sigstore trusted root (trusted_root.json)', where: 'trust material is not ingested: name the file in the config under trust.trustedRoots, and restart the server' }
  }
  if (Array.isArray(value.resourceSpans)) return { what: 'an OTLP/JSON trace export (resourceSpans)', where: 'send it to POST /v1/traces, the OTLP/HTTP trace receiver (CI/CD spans are stored as pipeline runs)' }
  if (Array.isArray(value.resourceMetrics)) return { what: 'an OTLP/JSON metrics export (resourceMetrics)', where: 'this server takes no metrics: it receives OTLP traces only, at POST /v1/traces' }
  if (Array.isArray(value.resourceLogs)) return { what: 'an OTLP/JSON logs export (resourceLogs)', where: 'this server takes no logs: it receives OTLP traces only, at POST /v1/traces' }

  if (isRecord(value.sender) && (isRecord(value.repository) || isRecord(value.organization))) {
    const event = webhookEvent(value)
    const action = text(value.action)
    const named = event ? `event ${event}${action ? `, action ${action}` : ''}` : action ? `action ${action}` : 'event not recognised'
    return { what: `a GitHub webhook payload (${named})`, where: WEBHOOK_DOOR }
  }

  if (typeof value.total_count === 'number' && Array.isArray(value.workflow_runs)) {
    return { what: 'a GitHub REST API response listing workflow runs (GET /repos/{owner}/{repo}/actions/runs)', where: CI_DOORS }
  }
  if (typeof value.total_count === 'number' && Array.isArray(value.jobs)) {
    return { what: 'a GitHub REST API response listing the jobs of a workflow run (GET /repos/{owner}/{repo}/actions/runs/{id}/jobs)', where: CI_DOORS }
  }
  if (has(value, 'workflow_id', 'run_number', 'head_sha')) {
    return { what: 'a GitHub REST API workflow run (GET /repos/{owner}/{repo}/actions/runs/{id})', where: CI_DOORS }
  }
  if (has(value, 'run_id', 'head_sha') && (Array.isArray(value.steps) || Array.isArray(value.labels))) {
    return { what: 'a GitHub REST API workflow job (GET /repos/{owner}/{repo}/actions/jobs/{id})', where: CI_DOORS }
  }
  if (isRecord(value.billable) && 'run_duration_ms' in value) {
    return { what: 'a GitHub REST API workflow run timing (GET /repos/{owner}/{repo}/actions/runs/{id}/timing)', where: CI_DOORS }
  }
  return null
}
