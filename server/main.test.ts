import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signEnvelope } from './demo/seed'
import { WEBHOOK_JOB } from './alerts/webhook'
import { startPgCluster, type PgCluster } from './store/testing/pg-cluster'
import { newKey, slsaV1Statement } from './testing/documents'
import { startServer } from './testing/run-server'

/*
 * Graceful shutdown of the real server process (server/main.ts): a webhook delivery waiting for its retry is handed
 * back to the shared store on SIGTERM, so another server may take it when it is due, instead of staying leased to
 * the stopped process. PostgreSQL holds the store, so the queue can be read after the server's data folder is gone.
 */

const scratch = mkdtempSync(join(tmpdir(), 'provenance-shutdown-'))
const logKeyFile = join(scratch, 'log-signing-key.pem')
writeFileSync(logKeyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
let cluster: PgCluster
let receiver: Server
let hookUrl = ''
let received = 0

beforeAll(async () => {
  cluster = await startPgCluster()
  // A receiver that is down: every delivery fails, so the server schedules a retry and waits for it.
  receiver = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      received++
      response.writeHead(503).end('down for maintenance')
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`
}, 60_000)

afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve))
  await cluster?.stop()
  rmSync(scratch, { recursive: true, force: true })
}, 30_000)

async function jobs(url: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<{ claimed_by: string | null; attempts: number }>('select claimed_by, attempts from jobs where kind = $1', [WEBHOOK_JOB])).rows
  } finally {
    await client.end()
  }
}

describe('server shutdown', () => {
  it('hands a webhook retry waiting for its backoff back to the store on SIGTERM', async () => {
    const databaseUrl = await cluster.createDatabase('shutdown_webhook')
    const signer = newKey('release', 'ecdsa-p256')
    const server = await startServer({
      seed: false,
      key: signer,
      env: { DATABASE_URL: databaseUrl, LOG_KEY_FILE: logKeyFile },
      // The retry waits ten minutes: far longer than the test, as a real backoff can be.
      config: { alerts: { webhook: { url: hookUrl, secret: 'a-shared-secret-of-some-length', minSeverity: 'critical', backoffMs: 600_000 } } },
    })
    try {
      // A provenance whose signature does not verify: a critical alert, posted to the webhook at once.
      const envelope = signEnvelope(slsaV1Statement({ sha256: 'f'.repeat(64) }), signer)
      const tampered = { ...envelope, payload: Buffer.from(JSON.stringify(slsaV1Statement({ sha256: 'e'.repeat(64) }))).toString('base64') }
      const response = await fetch(`${server.url}/api/v1/attestations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.ingestToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(tampered),
      })
      expect(response.status).toBe(201)
      for (let waited = 0; received === 0 && waited < 30_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100))
      expect(received).toBe(1)
      // Rescheduled after the failed attempt, still held by this server while it waits.
      for (let waited = 0; waited < 10_000; waited += 100) {
        const [job] = await jobs(databaseUrl)
        if (job?.attempts === 1) break
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const [waiting] = await jobs(databaseUrl)
      expect(waiting?.attempts).toBe(1)
      expect(waiting?.claimed_by).not.toBeNull()
    } finally {
      await server.stop()
    }
    // After SIGTERM: still queued, no longer leased to the stopped server.
    expect(await jobs(databaseUrl)).toEqual([{ claimed_by: null, attempts: 1 }])
  }, 240_000)
})
