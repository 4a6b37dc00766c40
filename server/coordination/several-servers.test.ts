import { spawnSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { request } from 'node:http'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { IngestResponse } from '../../src/contract/attestations'
import { BuildPage } from '../../src/contract/builds'
import { LogCheckpoint } from '../../src/contract/log'
import { signEnvelope } from '../demo/seed'
import type { DemoKey } from '../demo/keys'
import { startPgCluster, type PgCluster } from '../store/testing/pg-cluster'
import { newKey, slsaV1Statement } from '../testing/documents'
import { startServer, type RunningServer } from '../testing/run-server'

/*
 * The evidence that several stateless servers can share one PostgreSQL database: a throwaway cluster, three real
 * server processes on one DATABASE_URL and one log key file, and clients talking HTTP to all of them.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))
const scratch = mkdtempSync(join(tmpdir(), 'provenance-servers-'))
const logKeyFile = join(scratch, 'log-signing-key.pem')
writeFileSync(logKeyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
const signer = newKey('release', 'ecdsa-p256')

let cluster: PgCluster
let databaseUrl: string
const servers: RunningServer[] = []
/** Killed servers, whose data folders are removed at the end. */
const gone: RunningServer[] = []

const serverOn = (url: string, env: NodeJS.ProcessEnv = {}, key: DemoKey = signer) =>
  startServer({ seed: false, key, env: { DATABASE_URL: url, LOG_KEY_FILE: logKeyFile, ...env } })

beforeAll(async () => {
  cluster = await startPgCluster()
  databaseUrl = cluster.url
  // Started together on an empty database: migrations must run once, and every server must come up.
  servers.push(...(await Promise.all([serverOn(databaseUrl), serverOn(databaseUrl), serverOn(databaseUrl)])))
}, 300_000)

afterAll(async () => {
  await Promise.allSettled([...servers, ...gone].map((server) => server.stop()))
  await cluster?.stop()
  rmSync(scratch, { recursive: true, force: true })
}, 60_000)

async function query<T>(text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl })
  client.on('error', () => undefined)
  await client.connect()
  try {
    return (await client.query(text)).rows as T[]
  } finally {
    await client.end()
  }
}

/** One signed document a number, cheap to make: one ECDSA signature each. */
const documentFor = (n: number) => JSON.stringify(signEnvelope(slsaV1Statement({ repo: 'https://github.com/example/fleet', sha256: n.toString(16).padStart(64, '0') }), signer))

async function ingest(server: RunningServer, lines: string[]): Promise<{ status: number; body: IngestResponse | null }> {
  const response = await fetch(`${server.url}/api/v1/attestations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.ingestToken}`, 'content-type': 'application/x-ndjson' },
    body: lines.join('\n'),
  })
  const json: unknown = await response.json()
  return { status: response.status, body: response.ok ? IngestResponse.parse(json) : null }
}

async function allBuildIds(server: RunningServer): Promise<string[]> {
  const ids: string[] = []
  let cursor: string | null = null
  do {
    const response = await fetch(`${server.url}/api/v1/builds?project=example/fleet&limit=500${cursor ? `&cursor=${cursor}` : ''}`)
    expect(response.status).toBe(200)
    const page = BuildPage.parse(await response.json())
    ids.push(...page.items.map((build) => build.id))
    cursor = page.nextCursor
  } while (cursor)
  return ids
}

/** `npm run verify-log` against the shared database and key file, as an operator runs it. */
function verifyLogCli() {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/verify-log.ts'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: join(scratch, 'verify'), DATABASE_URL: databaseUrl, LOG_KEY_FILE: logKeyFile },
    encoding: 'utf8',
  })
}

async function storedIds(): Promise<Set<string>> {
  return new Set((await query<{ id: string }>('select id from documents')).map((row) => row.id))
}

describe('several servers on one PostgreSQL database', () => {
  it('migrated once when three servers started together', async () => {
    const rows = await query<{ name: string; count: string }>('select name, count(*) as count from kysely_migration group by name')
    expect(rows.length).toBeGreaterThan(10)
    expect(rows.every((row) => Number(row.count) === 1)).toBe(true)
    expect(servers).toHaveLength(3)
  })

  it('refuses to start a server whose log key is not the key the log was signed with, saying so', async () => {
    // Give the log a checkpoint first, so there is a signature to compare against.
    expect((await ingest(servers[0]!, [documentFor(1_000_000)])).status).toBe(201)
    const otherKey = join(scratch, 'other-log-key.pem')
    writeFileSync(otherKey, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
    const refused = serverOn(databaseUrl, { LOG_KEY_FILE: otherKey })
    await expect(refused).rejects.toThrow(/server exited with 1:[\s\S]*refusing to start: the log in this store was signed .* by provenance-dashboard\/[0-9a-f]{16}, but this server's log key is provenance-dashboard\/[0-9a-f]{16}[\s\S]*LOG_KEY_FILE/)
    // No key file at all: each server would make its own key in its DATA_DIR, which the store refuses the same way.
    await expect(serverOn(databaseUrl, { LOG_KEY_FILE: '' })).rejects.toThrow(/refusing to start: .*DATA_DIR/)
  }, 120_000)

  it('stores 3,000 documents from eight clients over three servers once each, in one gap-free log every server agrees on', async () => {
    const before = await storedIds()
    const total = 3000
    const batch = 10
    const documents = Array.from({ length: total }, (_, n) => documentFor(n + 1))
    const batches = Array.from({ length: total / batch }, (_, index) => documents.slice(index * batch, (index + 1) * batch))
    let created = 0
    let duplicatesAnswered = 0
    let next = 0
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let index = next++; index < batches.length; index = next++) {
          const lines = batches[index]!
          const result = await ingest(servers[index % 3]!, lines)
          expect(result.status).toBe(201)
          created += result.body!.documents.filter((document) => document.created).length
          // Every fourth batch is sent again, in part, to another server, as a retrying client would.
          if (index % 4 === 0) {
            const again = await ingest(servers[(index + 1) % 3]!, lines.slice(0, 5))
            expect(again.status).toBe(200)
            duplicatesAnswered += again.body!.documents.filter((document) => !document.created).length
          }
        }
      }),
    )
    expect(created).toBe(total)
    expect(duplicatesAnswered).toBe(75 * 5)

    const stored = await storedIds()
    expect(stored.size - before.size).toBe(total)
    const [{ size, count, min, max }] = await query<{ size: number; count: string; min: string; max: string }>(
      'select (select size from log_state) as size, count(log_index) as count, min(log_index) as min, max(log_index) as max from documents',
    ) as [{ size: number; count: string; min: string; max: string }]
    // Gap-free and serial: the log's size is the stored count, and its indexes are exactly 0 … size-1.
    expect(Number(size)).toBe(stored.size)
    expect(Number(count)).toBe(stored.size)
    expect([Number(min), Number(max)]).toEqual([0, stored.size - 1])

    const verified = verifyLogCli()
    expect(verified.stderr).toBe('')
    expect(verified.stdout).toContain(`log verified: ${stored.size} entries`)
    expect(verified.status).toBe(0)

    const lists = await Promise.all(servers.map(allBuildIds))
    expect(lists[0]).toHaveLength(total + 1)
    expect(lists[1]).toEqual(lists[0])
    expect(lists[2]).toEqual(lists[0])
    const heads = await Promise.all(servers.map(async (server) => LogCheckpoint.parse(await (await fetch(`${server.url}/api/v1/log/checkpoint`)).json())))
    expect(new Set(heads.map((head) => head.rootHash)).size).toBe(1)
    expect(heads[0]?.size).toBe(stored.size)
  }, 600_000)

  it('keeps every acknowledged document when a server is killed mid-ingest, and the others keep serving', async () => {
    const acknowledged = new Set<string>()
    const [first, second, victim] = servers as [RunningServer, RunningServer, RunningServer]
    const survivors = [first, second]
    let killed = false
    let counter = 0
    const sent = (n: number) => documentFor(2_000_000 + n)
    const clients = Array.from({ length: 8 }, async (_, client) => {
      for (let round = 0; round < 25; round++) {
        const lines = Array.from({ length: 4 }, () => sent(counter++))
        // Clients go round the three servers; once one is gone they use the others, as a load balancer would.
        const target = killed ? survivors[client % 2]! : [...survivors, victim][(client + round) % 3]!
        try {
          const result = await ingest(target, lines)
          if (result.status === 201) for (const document of result.body!.documents) acknowledged.add(document.id)
        } catch {
          // The connection died with the server: not acknowledged, so it may or may not be stored.
        }
      }
    })
    const kill = (async () => {
      while (acknowledged.size < 200) await new Promise((resolve) => setTimeout(resolve, 20))
      await victim.crash()
      killed = true
      gone.push(...servers.splice(servers.indexOf(victim), 1))
    })()
    await Promise.all([...clients, kill])
    expect(killed).toBe(true)
    expect(acknowledged.size).toBeGreaterThan(300)

    const stored = await storedIds()
    const missing = [...acknowledged].filter((id) => !stored.has(id))
    expect(missing).toEqual([])
    const [{ size }] = (await query<{ size: number }>('select size from log_state')) as [{ size: number }]
    expect(Number(size)).toBe(stored.size)
    const verified = verifyLogCli()
    expect(verified.stdout).toContain(`log verified: ${stored.size} entries`)

    const lists = await Promise.all(survivors.map(allBuildIds))
    expect(lists[1]).toEqual(lists[0])
    const listed = new Set(lists[0])
    expect([...acknowledged].filter((id) => !listed.has(id))).toEqual([])
    for (const id of [...acknowledged].slice(0, 20)) {
      expect((await fetch(`${survivors[0]!.url}/api/v1/documents/${id}`)).status).toBe(200)
    }
  }, 300_000)

  it('answers 503 with a message while PostgreSQL is down, and serves again once it is back, without a restart', async () => {
    const reader = servers[0]!
    const read = async () => {
      const response = await fetch(`${reader.url}/api/v1/builds?limit=20`)
      return { status: response.status, body: (await response.json()) as unknown }
    }
    expect((await read()).status).toBe(200)
    expect(await (await fetch(`${reader.url}/healthz`)).json()).toMatchObject({ status: 'ok', store: 'postgres' })

    await cluster.halt()
    const downAt = Date.now()
    const during: { status: number; body: unknown }[] = []
    while (Date.now() - downAt < 10_000) {
      during.push(await read())
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    const health = await fetch(`${reader.url}/healthz`)
    expect(health.status).toBe(503)
    expect(await health.json()).toMatchObject({ status: 'unavailable', store: 'postgres', message: expect.stringContaining('the store cannot be reached') })
    await cluster.resume()

    expect(during.length).toBeGreaterThan(5)
    expect(new Set(during.map((answer) => answer.status))).toEqual(new Set([503]))
    expect(during[0]?.body).toEqual({ error: { code: 'store-unavailable', message: expect.stringContaining('the database cannot be reached right now') } })

    // Back without restarting anything: the pool opens fresh connections.
    let recovered = await read()
    for (let attempt = 0; attempt < 40 && recovered.status !== 200; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      recovered = await read()
    }
    expect(recovered.status).toBe(200)
    expect(BuildPage.parse(recovered.body).items).toHaveLength(20)
    for (const server of servers) expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    expect((await ingest(servers[1]!, [documentFor(3_000_000)])).status).toBe(201)
  }, 120_000)

  it('finishes a request in flight on SIGTERM before it exits', async () => {
    const server = servers[1]!
    const body = Buffer.from([documentFor(4_000_000), documentFor(4_000_001)].join('\n'))
    const url = new URL('/api/v1/attestations', server.url)
    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const outgoing = request(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.ingestToken}`, 'content-type': 'application/x-ndjson', 'content-length': body.length },
      })
      outgoing.on('response', (response) => {
        let text = ''
        response.on('data', (chunk: Buffer) => (text += chunk.toString()))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }))
      })
      outgoing.on('error', reject)
      // Half the body now, the rest after the server was told to stop: the request is in flight across SIGTERM.
      outgoing.write(body.subarray(0, body.length / 2))
      setTimeout(() => outgoing.end(body.subarray(body.length / 2)), 1500)
    })
    await new Promise((resolve) => setTimeout(resolve, 500))
    const stopped = server.stop()
    const { status, text } = await answered
    expect(status).toBe(201)
    const ids = IngestResponse.parse(JSON.parse(text)).documents.map((document) => document.id)
    await stopped
    const stored = await storedIds()
    expect(ids.every((id) => stored.has(id))).toBe(true)
    servers.splice(servers.indexOf(server), 1)
  }, 60_000)
})
