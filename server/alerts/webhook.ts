import { createHmac, randomUUID } from 'node:crypto'
import { z } from 'zod'
import { alertSeverities, type Alert } from '../../src/contract/alerts'
import type { Job, JobQueue } from '../coordination/jobs'
import type { AlertRepository } from './store'
import type { AlertWebhook } from './webhook-config'

/*
 * The outgoing webhook for new alerts (docs/alerts.md): a JSON body signed like GitHub's webhooks
 * (`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body with the shared secret>`), posted once per new alert
 * at or above the configured severity, retried with doubling waits until the receiver answers 2xx or the attempts
 * run out. Every attempt and the receiver's answer is recorded on the alert. Deliveries never hold up ingest, and
 * wait for their retries in the store's job queue, not in memory (see webhookNotifier).
 */

export const WEBHOOK_EVENT = 'alert.created'

/** The signature header's value for a body, as the receiver recomputes it. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`
}

export function webhookBody(alert: Alert, deliveryId: string): string {
  return JSON.stringify({ event: WEBHOOK_EVENT, delivery: deliveryId, alert })
}

export type WebhookNotifier = {
  notify(alerts: readonly Alert[]): void
  /** Settles when every delivery started so far has finished (tests, shutdown). */
  idle(): Promise<void>
  /** Looks for deliveries due in the store (retries, and those a stopped or dead server left) and starts them. */
  poll(): Promise<void>
  /** Stops polling and waiting; deliveries in progress finish their attempt, and their retries go back to the store. */
  stop(): Promise<void>
}

/** The job kind of a delivery in the store's queue (server/coordination/jobs.ts). */
export const WEBHOOK_JOB = 'alert-webhook'

/** What a queued delivery keeps: the exact body, so every attempt sends the same bytes under the same delivery id. */
const QueuedDelivery = z.object({ alertId: z.string(), body: z.string() })

function readDelivery(payload: string): z.infer<typeof QueuedDelivery> | null {
  try {
    const parsed = QueuedDelivery.safeParse(JSON.parse(payload))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

const atLeast = (severity: Alert['severity'], minimum: Alert['severity']) => alertSeverities.indexOf(severity) <= alertSeverities.indexOf(minimum)

export type WebhookOptions = {
  fetch?: typeof fetch
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  timeoutMs?: number
  /** The queue's clock (when a retry is due); `now` stamps the recorded attempts. Default Date.now. */
  clock?: () => number
  /** How often the store is asked for due deliveries (default 5 s); 0 turns polling off (tests poll by hand). */
  pollMs?: number
  /** How long a server holds a delivery past its next attempt before another may take it over (default 60 s). */
  leaseMs?: number
}

/**
 * Deliveries are queued in the store (a `jobs` row each) before the first attempt, so one that is waiting to be
 * retried survives a restart, and on a shared database exactly one server works it: the one holding its lease.
 * The server that created an alert starts its delivery at once; retries wait in the same process while it lives
 * (still leased to it), and a delivery whose server stopped or died is due again for the next server that polls.
 */
export function webhookNotifier(
  webhook: AlertWebhook,
  store: { alerts: Pick<AlertRepository, 'recordDelivery'>; coordination: { jobs: JobQueue } },
  now: () => number,
  options: WebhookOptions = {},
): WebhookNotifier {
  const send = options.fetch ?? fetch
  const clock = options.clock ?? Date.now
  const leaseMs = options.leaseMs ?? 60_000
  const sleep =
    options.sleep ??
    ((ms: number, signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms)
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
      }))
  const queue = store.coordination.jobs
  const stopping = new AbortController()
  const inFlight = new Map<string, Promise<void>>()

  async function attemptOnce(alertId: string, id: string, body: string, attempt: number): Promise<boolean> {
    let status: number | null = null
    let response: string
    try {
      const answer = await send(webhook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'provenance-dashboard-webhook',
          'x-provenance-event': WEBHOOK_EVENT,
          'x-provenance-delivery': id,
          'x-hub-signature-256': signature(webhook.secret, body),
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        redirect: 'manual',
      })
      status = answer.status
      response = (await answer.text().catch(() => '')).slice(0, 500)
    } catch (error) {
      response = `not delivered: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500)
    }
    const ok = status !== null && status >= 200 && status < 300
    await store.alerts.recordDelivery(alertId, { at: new Date(now()).toISOString(), attempt, url: webhook.url, status, ok, response })
    return ok
  }

  /** Works one queued delivery this process holds, from its next attempt until delivered, given up, or stopping. */
  async function work(job: Job): Promise<void> {
    const delivery = readDelivery(job.payload)
    if (delivery === null) {
      // Not a delivery this code wrote; keeping it would have every server retry it forever.
      console.error(`alert webhook: dropping queued job ${job.id}: its payload is not a delivery`)
      return queue.finish(job.id)
    }
    const { alertId, body } = delivery
    for (let attempt = job.attempts + 1; attempt <= webhook.maxAttempts; attempt++) {
      if (await attemptOnce(alertId, job.id, body, attempt)) return queue.finish(job.id)
      if (attempt === webhook.maxAttempts) break
      const wait = webhook.backoffMs * 2 ** (attempt - 1)
      const due = clock() + wait
      await queue.reschedule(job.id, attempt, due, due + leaseMs)
      await sleep(wait, stopping.signal)
      // Stopping: the retry stays in the store, due at its time, for whichever server polls then.
      if (stopping.signal.aborted) return
      // Paused past the lease (a stalled process): another server may have taken it over; then it is theirs.
      if (!(await queue.extend(job.id, clock() + leaseMs))) return
    }
    // Every attempt failed; each is recorded on the alert.
    await queue.finish(job.id)
  }

  function start(job: Job): void {
    if (inFlight.has(job.id)) return
    const task: Promise<void> = work(job)
      .catch((error: unknown) => console.error(`alert webhook: delivery ${job.id} failed in the server's own code (it is retried from the store):`, error))
      .finally(() => inFlight.delete(job.id))
    inFlight.set(job.id, task)
  }

  async function enqueue(alert: Alert): Promise<void> {
    const id = randomUUID()
    const at = clock()
    const payload = JSON.stringify({ alertId: alert.id, body: webhookBody(alert, id) })
    // Claimed by this server as it is queued: it makes the first attempt now, and no other server polls it first.
    await queue.enqueue({ id, kind: WEBHOOK_JOB, payload, runAt: at, leaseUntil: at + leaseMs }, at)
    start({ id, kind: WEBHOOK_JOB, payload, attempts: 0, runAt: at })
  }

  let polling: Promise<void> | null = null
  async function poll(): Promise<void> {
    if (stopping.signal.aborted) return
    const at = clock()
    for (const job of await queue.claim(WEBHOOK_JOB, at, at + leaseMs, 20)) start(job)
  }
  const pollSafely = () => {
    polling ??= poll()
      .catch((error: unknown) => console.error('alert webhook: could not read queued deliveries:', error instanceof Error ? error.message : error))
      .finally(() => (polling = null))
    return polling
  }
  const pollMs = options.pollMs ?? 5000
  const timer = pollMs > 0 ? setInterval(() => void pollSafely(), pollMs) : null
  // Polling alone never keeps the process alive.
  timer?.unref()
  // Deliveries a previous run of this server (or a dead one) left in the store.
  if (pollMs > 0) void pollSafely()

  return {
    notify: (created) => {
      for (const alert of created) {
        if (!atLeast(alert.severity, webhook.minSeverity)) continue
        const queued = enqueue(alert).catch((error: unknown) => console.error(`alert webhook: could not queue a delivery of ${alert.id}:`, error))
        const key = `queue:${alert.id}:${randomUUID()}`
        inFlight.set(key, queued.finally(() => inFlight.delete(key)))
      }
    },
    idle: async () => {
      while (inFlight.size > 0 || polling !== null) await Promise.all([...inFlight.values(), polling])
    },
    poll: pollSafely,
    stop: async () => {
      if (timer !== null) clearInterval(timer)
      stopping.abort()
      while (inFlight.size > 0 || polling !== null) await Promise.all([...inFlight.values(), polling])
      await queue.releaseAll()
    },
  }
}
