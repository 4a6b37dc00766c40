import { gunzipSync, inflateSync } from 'node:zlib'
import type { Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { telemetryRoutes, type OtlpErrorBody, type WebhookResponse } from '../../src/contract/telemetry'
import type { RouteDeps } from '../http/deps'
import { zodProblem } from '../../src/contract/route-spec'
import { apiError } from '../http/errors'
import { resourceApp } from '../http/mount'
import { fromWorkflowJob, fromWorkflowRun, verifyGithubSignature, WebhookPayloadError, WorkflowJobEvent, WorkflowRunEvent } from './github'
import { ingestOtlpJson } from './ingest'
import { OtlpError } from './otlp'

type ClientStatus = 400 | 401 | 403 | 413 | 415

/** google.rpc.Status codes for the OTLP error body: INVALID_ARGUMENT, RESOURCE_EXHAUSTED. */
const rpcCode = (status: ClientStatus) => (status === 413 ? 8 : 3)

/** An OTLP error: a google.rpc.Status (`code`, `message`) that OTLP clients log, and our usual `error` object. */
function otlpError(c: Context, status: ClientStatus, code: string, message: string, path?: string) {
  const body: OtlpErrorBody = { code: rpcCode(status), message, error: { code, message, ...(path ? { path } : {}) } }
  return c.json(body, status)
}

const mediaType = (header: string | undefined) => (header ?? '').split(';')[0]?.trim().toLowerCase() ?? ''

/**
 * CI telemetry: POST /v1/traces (at the root, where OTLP/HTTP exporters post), POST /api/v1/webhooks/github and
 * GET /api/v1/pipelines.
 */
export function telemetryApp({ store, config, auth }: RouteDeps) {
  const { app, mount } = resourceApp(auth)
  mount(
    telemetryRoutes.ingestOtlpTraces,
    async (c) => {
      const type = mediaType(c.req.header('content-type'))
      if (type === 'application/x-protobuf' || type === 'application/protobuf') {
        return otlpError(
          c,
          415,
          'unsupported-media-type',
          'this receiver accepts OTLP/JSON only (Content-Type: application/json), not binary protobuf: set the exporter to JSON (Collector otlphttp exporter: `encoding: json`; SDKs: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json)',
          'header.content-type',
        )
      }
      if (type !== 'application/json') {
        return otlpError(c, 415, 'unsupported-media-type', `send OTLP/JSON with Content-Type: application/json, not ${type || 'no content type'}`, 'header.content-type')
      }
      let bytes: Uint8Array = new Uint8Array(await c.req.arrayBuffer())
      const encoding = (c.req.header('content-encoding') ?? '').trim().toLowerCase()
      if (encoding === 'gzip' || encoding === 'deflate') {
        // The Collector's otlphttp exporter compresses with gzip by default. The limit applies to what the body
        // inflates to, so a small compressed body cannot expand into gigabytes.
        try {
          bytes = (encoding === 'gzip' ? gunzipSync : inflateSync)(bytes, { maxOutputLength: config.maxBodyBytes })
        } catch (error) {
          if (error instanceof RangeError || (error instanceof Error && 'code' in error && error.code === 'ERR_BUFFER_TOO_LARGE')) {
            return otlpError(c, 413, 'body-too-large', `the body inflates to more than the limit of ${config.maxBodyBytes} bytes (limits.maxBodyBytes)`)
          }
          return otlpError(c, 400, 'invalid-encoding', `the body is not valid ${encoding} data, though Content-Encoding says so`, 'header.content-encoding')
        }
      } else if (encoding !== '' && encoding !== 'identity') {
        return otlpError(c, 415, 'unsupported-encoding', `Content-Encoding ${encoding} is not supported: send gzip, deflate or no compression`, 'header.content-encoding')
      }
      let text: string
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
      } catch {
        return otlpError(c, 400, 'invalid-otlp', 'the body is not UTF-8 text', '$')
      }
      try {
        return c.json(await ingestOtlpJson(store, text), 200)
      } catch (error) {
        if (error instanceof OtlpError) return otlpError(c, 400, 'invalid-otlp', error.message, error.path)
        throw error
      }
    },
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: (c) => otlpError(c, 413, 'body-too-large', `the body is larger than the limit of ${config.maxBodyBytes} bytes (limits.maxBodyBytes)`),
    }),
  )

  mount(
    telemetryRoutes.githubWebhook,
    async (c) => {
      const secret = config.githubWebhookSecret
      if (secret === undefined) {
        return apiError(
          c,
          403,
          'webhook-not-configured',
          'GitHub webhooks are not configured on this server: set github.webhookSecret in the config file to the secret of the GitHub webhook',
          'config.github.webhookSecret',
        )
      }
      const body = new Uint8Array(await c.req.arrayBuffer())
      const signature = verifyGithubSignature(secret, body, c.req.header('x-hub-signature-256'))
      if (signature === 'missing') {
        return apiError(c, 401, 'missing-signature', 'X-Hub-Signature-256 is missing: give the GitHub webhook the secret configured as github.webhookSecret', 'header.x-hub-signature-256')
      }
      if (signature !== 'ok') {
        return apiError(
          c,
          401,
          'bad-signature',
          signature === 'malformed'
            ? 'X-Hub-Signature-256 must be sha256=<64 hex characters>'
            : 'X-Hub-Signature-256 is not the HMAC-SHA256 of the body with github.webhookSecret: check that the webhook and this server share the same secret',
          'header.x-hub-signature-256',
        )
      }
      const event = c.req.header('x-github-event')?.trim() ?? ''
      if (event === '') return apiError(c, 400, 'missing-event', 'X-GitHub-Event is missing: this endpoint takes GitHub webhook deliveries', 'header.x-github-event')
      const delivery = c.req.header('x-github-delivery')?.slice(0, 100) ?? null
      const ignored = (message: string): WebhookResponse => ({ event, action: null, stored: false, runId: null, message })
      if (event === 'ping') return c.json(ignored('pong: the webhook reaches this server and its signature checks out'), 200)
      if (event !== 'workflow_run' && event !== 'workflow_job') {
        return c.json(ignored(`event ${event.slice(0, 80)} is not used: subscribe the webhook to "Workflow runs" and "Workflow jobs"`), 200)
      }

      const payload = readPayload(mediaType(c.req.header('content-type')), body)
      if (!payload.ok) return apiError(c, payload.status, payload.code, payload.message, payload.path)
      const parsed = event === 'workflow_run' ? WorkflowRunEvent.safeParse(payload.value) : WorkflowJobEvent.safeParse(payload.value)
      if (!parsed.success) {
        const problem = zodProblem(parsed.error, 'body', payload.value)
        return apiError(c, 400, 'invalid-payload', `not a ${event} payload: ${problem.message}`, problem.path)
      }
      let records
      try {
        records = 'workflow_run' in parsed.data ? fromWorkflowRun(parsed.data, delivery) : fromWorkflowJob(parsed.data, delivery)
      } catch (error) {
        if (error instanceof WebhookPayloadError) return apiError(c, 400, 'invalid-payload', error.message, `body.${error.path}`)
        throw error
      }
      await store.telemetry.ingest({ spans: [], runs: records.runs, tasks: records.tasks })
      const response: WebhookResponse = {
        event,
        action: records.action,
        stored: true,
        runId: records.runId,
        message: event === 'workflow_run' ? `stored run ${records.runId}` : `stored job ${records.tasks[0]?.taskRunId ?? ''} of run ${records.runId}`,
      }
      return c.json(response, 200)
    },
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: (c) => apiError(c, 413, 'body-too-large', `the body is larger than the limit of ${config.maxBodyBytes} bytes (limits.maxBodyBytes)`),
    }),
  )

  mount(telemetryRoutes.listPipelines, async (c, { query }) => c.json(await store.telemetry.pipelines(query)))

  return app
}

type Payload = { ok: true; value: unknown } | { ok: false; status: 400 | 415; code: string; message: string; path: string }

/** GitHub sends JSON, or `payload=<json>` form-encoded when the webhook's content type is set so. */
function readPayload(type: string, body: Uint8Array): Payload {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body)
  } catch {
    return { ok: false, status: 400, code: 'invalid-payload', message: 'the body is not UTF-8 text', path: 'body' }
  }
  if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(text).get('payload')
    if (form === null) return { ok: false, status: 400, code: 'invalid-payload', message: 'a form-encoded delivery needs a payload field', path: 'body.payload' }
    text = form
  } else if (type !== 'application/json' && type !== '') {
    return { ok: false, status: 415, code: 'unsupported-media-type', message: `send application/json or application/x-www-form-urlencoded, not ${type}`, path: 'header.content-type' }
  }
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (error) {
    return { ok: false, status: 400, code: 'invalid-payload', message: `the payload is not JSON (${error instanceof Error ? error.message : 'unreadable'})`, path: 'body' }
  }
}
