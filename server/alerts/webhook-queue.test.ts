import { createHmac, generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Finding } from '../../domain/alerts/rules'
import { logKeyFrom } from '../log/checkpoint'
import { openStore } from '../store/store'
import { startPgCluster, type PgCluster } from '../store/testing/pg-cluster'
import type { Store } from '../store/types'
import { WEBHOOK_JOB, webhookNotifier, type WebhookNotifier } from './webhook'
import { AlertWebhookConfig } from './webhook-config'

/*
 * Webhook retries kept in the store's job queue: a delivery that failed is retried after the server restarts, and
 * when several servers share a PostgreSQL database it is delivered by one of them, once. A real HTTP receiver on
 * localhost answers 500 to a delivery's first attempt and 200 after; a real throwaway PostgreSQL cluster.
 */

const SECRET = 'a-shared-secret-of-some-length'
type Received = { delivery: string; status: number; signed: boolean }

let receiver: Server
let url: string
const received: Received[] = []
const seen = new Set<string>()
let cluster: PgCluster
const dir = mkdtempSync(join(tmpdir(), 'webhook-queue-'))
const opened: Store[] = []
const notifiers: WebhookNotifier[] = []

beforeAll(async () => {
  receiver = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const delivery = String(request.headers['x-provenance-delivery'] ?? '')
      const signed = request.headers['x-hub-signature-256'] === `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`
      // The first attempt of each delivery fails, as a receiver that is restarting would.
      const status = seen.has(delivery) ? 200 : 500
      seen.add(delivery)
      received.push({ delivery, status, signed })
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'thanks' : 'receiver is restarting')
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`
  cluster = await startPgCluster()
}, 60_000)
afterAll(async () => {
  await Promise.allSettled(notifiers.map((notifier) => notifier.stop()))
  await Promise.allSettled(opened.map((store) => store.close()))
  await cluster?.stop()
  await new Promise<void>((resolve) => receiver.close(() => resolve()))
  rmSync(dir, { recursive: true, force: true })
}, 30_000)

vi.setConfig({ testTimeout: 60_000 })

const logKey = logKeyFrom('test/log', generateKeyPairSync('ed25519').privateKey)
const open = async (databaseUrl?: string) => {
  const store = await openStore({ dataDir: dir, logKey, ...(databaseUrl ? { databaseUrl } : {}) })
  opened.push(store)
  return store
}
// A minute's backoff: the retry cannot happen within the test unless it is picked up from the store.
const webhook = () => AlertWebhookConfig.parse({ url: `${url}`, secret: SECRET, minSeverity: 'high', backoffMs: 60_000, maxAttempts: 3 })
const notifierOn = (store: Store, clock: () => number, sleep?: (ms: number, signal: AbortSignal) => Promise<void>) => {
  const notifier = webhookNotifier(webhook(), store, Date.now, { clock, pollMs: 0, leaseMs: 30_000, ...(sleep ? { sleep } : {}) })
  notifiers.push(notifier)
  return notifier
}

const hex = (n: number) => n.toString(16).padStart(64, '0')
async function raiseAlert(store: Store, n: number) {
  const finding: Finding = {
    rule: 'out-of-band-download',
    severity: 'critical',
    project: 'acme/web',
    cause: `host ${n}.example`,
    title: `contacted host ${n}.example`,
    subject: { kind: 'build', id: hex(n), buildId: hex(n), label: `acme/web build ${n}` },
    evidence: { expected: 'allow-listed hosts', found: `host ${n}.example`, basis: 'allowedHosts of policy acme/web', documents: [{ id: hex(n), label: 'provenance' }] },
  }
  const [alert] = await store.alerts.record([{ finding, occurrence: { buildId: hex(n), documentId: hex(n), at: Date.now(), expected: 'allow-listed hosts', found: 'x' } }], Date.now())
  if (alert === undefined) throw new Error('no alert recorded')
  return alert
}
const deliveriesOf = (id: string) => received.filter((entry) => entry.delivery === id)

describe('webhook deliveries queued in the store', () => {
  it('SQLite: a delivery that failed is retried after the server restarts, and delivered once', async () => {
    const first = await open()
    const alert = await raiseAlert(first, 1)
    const notifier = notifierOn(first, Date.now)
    notifier.notify([alert])
    // The first attempt fails; the retry waits its minute in the store. The server stops (a restart).
    await vi.waitFor(async () => expect((await first.coordination.jobs.pending(WEBHOOK_JOB))[0]?.attempts).toBe(1))
    await notifier.stop()
    await first.close()

    // Started again a minute later: the queued retry is found and delivered.
    const second = await open()
    const [queued] = await second.coordination.jobs.pending(WEBHOOK_JOB)
    expect(queued).toMatchObject({ attempts: 1 })
    const restarted = notifierOn(second, () => Date.now() + 61_000)
    await restarted.poll()
    await restarted.idle()
    expect(deliveriesOf(queued?.id ?? '').map((entry) => entry.status)).toEqual([500, 200])
    expect(deliveriesOf(queued?.id ?? '').every((entry) => entry.signed)).toBe(true)
    expect((await second.alerts.get(alert.id))?.deliveries.map((delivery) => [delivery.attempt, delivery.status, delivery.ok])).toEqual([
      [1, 500, false],
      [2, 200, true],
    ])
    expect(await second.coordination.jobs.pending(WEBHOOK_JOB)).toEqual([])
    // Polling again finds nothing to send.
    await restarted.poll()
    await restarted.idle()
    expect(deliveriesOf(queued?.id ?? '')).toHaveLength(2)
  })

  it('PostgreSQL: a server that dies after a failed attempt leaves the retry to the others, which deliver it once', async () => {
    const databaseUrl = await cluster.createDatabase('webhook_queue')
    const [dying, b, c] = [await open(databaseUrl), await open(databaseUrl), await open(databaseUrl)]
    const alerts = [await raiseAlert(dying, 2), await raiseAlert(dying, 3), await raiseAlert(dying, 4)]
    // The dying server never wakes from its backoff (until the test ends): a process killed while waiting to retry.
    const dead = notifierOn(dying, Date.now, (_ms, signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())))
    dead.notify(alerts)
    await vi.waitFor(async () => expect((await b.coordination.jobs.pending(WEBHOOK_JOB)).map((job) => job.attempts)).toEqual([1, 1, 1]))
    const ids = (await b.coordination.jobs.pending(WEBHOOK_JOB)).map((job) => job.id)

    // While its lease lasts, nobody else takes the retries over.
    const early = [notifierOn(b, Date.now), notifierOn(c, Date.now)]
    await Promise.all(early.map((notifier) => notifier.poll()))
    await Promise.all(early.map((notifier) => notifier.idle()))
    expect(ids.flatMap(deliveriesOf)).toHaveLength(3)

    // After the backoff and the lease have run out, two servers poll at the same moment: each retry is sent once.
    const later = () => Date.now() + 60_000 + 30_000 + 1000
    const survivors = [notifierOn(b, later), notifierOn(c, later)]
    await Promise.all(survivors.map((notifier) => notifier.poll()))
    await Promise.all(survivors.map((notifier) => notifier.idle()))
    for (const id of ids) expect(deliveriesOf(id).map((entry) => entry.status)).toEqual([500, 200])
    for (const alert of alerts) {
      expect((await c.alerts.get(alert.id))?.deliveries.map((delivery) => [delivery.attempt, delivery.ok])).toEqual([
        [1, false],
        [2, true],
      ])
    }
    expect(await c.coordination.jobs.pending(WEBHOOK_JOB)).toEqual([])
  })
})
