import { createHmac, randomUUID } from 'node:crypto'
import { alertSeverities, type Alert } from '../../src/contract/alerts'
import type { AlertRepository } from './store'
import type { AlertWebhook } from './webhook-config'

/*
 * The outgoing webhook for new alerts (docs/alerts.md): a JSON body signed like GitHub's webhooks
 * (`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body with the shared secret>`), posted once per new alert
 * at or above the configured severity, retried with doubling waits until the receiver answers 2xx or the attempts
 * run out. Every attempt and the receiver's answer is recorded on the alert. Deliveries never hold up ingest.
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
}

const atLeast = (severity: Alert['severity'], minimum: Alert['severity']) => alertSeverities.indexOf(severity) <= alertSeverities.indexOf(minimum)

export function webhookNotifier(
  webhook: AlertWebhook,
  alerts: Pick<AlertRepository, 'recordDelivery'>,
  now: () => number,
  options: { fetch?: typeof fetch; sleep?: (ms: number) => Promise<void>; timeoutMs?: number } = {},
): WebhookNotifier {
  const send = options.fetch ?? fetch
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const inFlight = new Set<Promise<void>>()

  async function deliver(alert: Alert): Promise<void> {
    const id = randomUUID()
    const body = webhookBody(alert, id)
    for (let attempt = 1; attempt <= webhook.maxAttempts; attempt++) {
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
      await alerts.recordDelivery(alert.id, { at: new Date(now()).toISOString(), attempt, url: webhook.url, status, ok, response })
      if (ok) return
      if (attempt < webhook.maxAttempts) await sleep(webhook.backoffMs * 2 ** (attempt - 1))
    }
  }

  return {
    notify: (created) => {
      for (const alert of created) {
        if (!atLeast(alert.severity, webhook.minSeverity)) continue
        const task: Promise<void> = deliver(alert)
          .catch((error: unknown) => console.error(`alert webhook: recording a delivery of ${alert.id} failed:`, error))
          .finally(() => inFlight.delete(task))
        inFlight.add(task)
      }
    },
    idle: async () => {
      while (inFlight.size > 0) await Promise.all([...inFlight])
    },
  }
}
