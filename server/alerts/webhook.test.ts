import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Alert } from '../../src/contract/alerts'
import type { Finding } from '../../domain/alerts/rules'
import { buildConfig } from '../config'
import { tempStore } from '../testing/documents'
import type { Store } from '../store/types'
import { webhookNotifier } from './webhook'
import { AlertWebhookConfig } from './webhook-config'

/*
 * The outgoing webhook against a real HTTP receiver on localhost: it answers 500 to the first delivery and 200 to
 * the second, and checks every signature as a receiver would (HMAC-SHA256 of the raw body, constant-time compare).
 */

const SECRET = 'a-shared-secret-of-some-length'
type Received = { headers: IncomingMessage['headers']; body: string; signatureValid: boolean }

let receiver: Server
let url: string
const received: Received[] = []
let failuresLeft = 1

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`)
      const given = Buffer.from(String(request.headers['x-hub-signature-256'] ?? ''))
      received.push({ headers: request.headers, body, signatureValid: given.length === expected.length && timingSafeEqual(given, expected) })
      if (failuresLeft > 0) {
        failuresLeft--
        response.writeHead(500, { 'content-type': 'text/plain' }).end('receiver is restarting')
      } else {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('thanks')
      }
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/provenance`
})
afterAll(async () => new Promise<void>((resolve) => receiver.close(() => resolve())))

const hex = (n: number) => n.toString(16).padStart(64, '0')
function finding(severity: Finding['severity'], cause: string): Finding {
  return {
    rule: 'out-of-band-download',
    severity,
    project: 'acme/web',
    cause,
    title: `contacted ${cause}`,
    subject: { kind: 'build', id: hex(1), buildId: hex(1), label: 'acme/web build 1' },
    evidence: { expected: 'allow-listed hosts', found: cause, basis: 'allowedHosts of policy acme/web', documents: [{ id: hex(1), label: 'provenance' }] },
  }
}

describe('outgoing alert webhook', () => {
  let store: Store
  let dispose: () => Promise<void>
  beforeAll(async () => {
    ;({ store, dispose } = await tempStore())
  })
  afterAll(async () => dispose())

  it('delivers new alerts at or above the severity, signed, retrying with backoff, and records every attempt', async () => {
    const waits: number[] = []
    const webhook = AlertWebhookConfig.parse({ url, secret: SECRET, minSeverity: 'high', backoffMs: 50 })
    const notifier = webhookNotifier(webhook, store, () => Date.UTC(2026, 10, 27, 12), {
      sleep: async (ms) => {
        waits.push(ms)
        await new Promise((resolve) => setTimeout(resolve, 1))
      },
    })
    const occurrence = { buildId: hex(1), documentId: hex(1), at: Date.UTC(2026, 10, 27), expected: 'allow-listed hosts', found: 'x' }
    const created = await store.alerts.record([{ finding: finding('high', 'host paste.example'), occurrence }, { finding: finding('low', 'host quiet.example'), occurrence }], Date.UTC(2026, 10, 27, 12))
    notifier.notify(created)
    await notifier.idle()

    // Only the high one, delivered on the second attempt after one backoff.
    expect(received).toHaveLength(2)
    expect(waits).toEqual([50])
    for (const delivery of received) {
      expect(delivery.signatureValid).toBe(true)
      expect(delivery.headers['x-provenance-event']).toBe('alert.created')
      expect(delivery.headers['content-type']).toBe('application/json')
    }
    expect(received[0]?.headers['x-provenance-delivery']).toBe(received[1]?.headers['x-provenance-delivery'])
    const body = JSON.parse(received[1]?.body ?? '{}') as { event: string; alert: unknown }
    expect(body.event).toBe('alert.created')
    expect(Alert.parse(body.alert)).toMatchObject({ cause: 'host paste.example', severity: 'high', state: 'open' })

    const high = created.find((alert) => alert.severity === 'high')
    const detail = await store.alerts.get(high?.id ?? '')
    expect(detail?.deliveries).toEqual([
      { at: '2026-11-27T12:00:00.000Z', attempt: 1, url, status: 500, ok: false, response: 'receiver is restarting' },
      { at: '2026-11-27T12:00:00.000Z', attempt: 2, url, status: 200, ok: true, response: 'thanks' },
    ])
    const low = created.find((alert) => alert.severity === 'low')
    expect((await store.alerts.get(low?.id ?? ''))?.deliveries).toEqual([])
  })

  it('records an unreachable receiver and gives up after the configured attempts', async () => {
    const notifier = webhookNotifier(AlertWebhookConfig.parse({ url: 'http://127.0.0.1:9/nothing-listens', secret: SECRET, maxAttempts: 3, backoffMs: 1 }), store, () => Date.UTC(2026, 10, 27, 13))
    const [alert] = await store.alerts.record([{ finding: finding('critical', 'host gone.example'), occurrence: { buildId: hex(2), documentId: hex(2), at: Date.UTC(2026, 10, 27), expected: 'allow-listed hosts', found: 'x' } }], Date.UTC(2026, 10, 27, 13))
    notifier.notify(alert ? [alert] : [])
    await notifier.idle()
    const deliveries = (await store.alerts.get(alert?.id ?? ''))?.deliveries ?? []
    expect(deliveries.map((delivery) => [delivery.attempt, delivery.ok, delivery.status])).toEqual([
      [1, false, null],
      [2, false, null],
      [3, false, null],
    ])
    expect(deliveries[0]?.response).toMatch(/^not delivered: /)
  })

  it('validates the config, naming the field', () => {
    expect(() => buildConfig({ alerts: { webhook: { url: 'ftp://x', secret: SECRET } } }, 'cfg.yaml')).toThrow(/alerts\.webhook\.url/)
    expect(() => buildConfig({ alerts: { webhook: { url, secret: 'short' } } }, 'cfg.yaml')).toThrow(/alerts\.webhook\.secret: alerts\.webhook\.secret must be at least 16/)
    expect(buildConfig({ alerts: { webhook: { url, secret: SECRET } } }, 'cfg.yaml').alertWebhook).toEqual({ url, secret: SECRET, minSeverity: 'high', maxAttempts: 5, backoffMs: 2000 })
  })
})
