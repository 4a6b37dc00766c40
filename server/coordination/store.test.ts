import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { signEnvelope } from '../demo/seed'
import { prepareDocument } from '../ingest/ingest'
import { loadPublicKey } from '../ingest/keys'
import { logKeyFrom } from '../log/checkpoint'
import { LogKeyMismatchError } from '../log/store'
import { openStore } from '../store/store'
import { startPgCluster, type PgCluster } from '../store/testing/pg-cluster'
import type { Store } from '../store/types'
import { newKey, slsaV1Statement } from '../testing/documents'

/* Two stores on one database stand for two servers: each has its own connection pool, as each process would. */

let cluster: PgCluster
let databases = 0
const dir = mkdtempSync(join(tmpdir(), 'coordination-'))
const opened: Store[] = []

beforeAll(async () => {
  cluster = await startPgCluster()
}, 60_000)
afterAll(async () => {
  await Promise.allSettled(opened.map((store) => store.close()))
  await cluster?.stop()
  rmSync(dir, { recursive: true, force: true })
}, 30_000)

const logKey = () => logKeyFrom('test/log', generateKeyPairSync('ed25519').privateKey)

async function twoServers(key = logKey()): Promise<[Store, Store]> {
  const databaseUrl = await cluster.createDatabase(`coordination_${++databases}`)
  const first = await openStore({ dataDir: dir, databaseUrl, logKey: key })
  const second = await openStore({ dataDir: dir, databaseUrl, logKey: key })
  opened.push(first, second)
  return [first, second]
}

const signer = newKey('coordination', 'ecdsa-p256')
const context = { keys: [loadPublicKey(signer.id, signer.publicKeyPem)], now: Date.now }
const documentFor = (n: number) => prepareDocument(Buffer.from(JSON.stringify(signEnvelope(slsaV1Statement({ sha256: n.toString(16).padStart(64, '0') }), signer))), context).item

const nothing = () => Promise.resolve()

const until = (predicate: () => boolean) =>
  new Promise<void>((resolve) => {
    const check = () => (predicate() ? resolve() : setTimeout(check, 5))
    check()
  })

// Opening a store migrates a fresh database: seconds on a loaded machine.
vi.setConfig({ testTimeout: 60_000 })

describe('work done once across servers on PostgreSQL', () => {
  it('runs a job on one server at a time; the other skips it while it runs, and may run it afterwards', async () => {
    const [a, b] = await twoServers()
    let release = () => undefined as void
    let started = false
    const held = a.coordination.once('reverify', async () => {
      started = true
      await new Promise<void>((resolve) => (release = resolve))
    })
    await until(() => started)
    let ranOnB = false
    const markRan = () => {
      ranOnB = true
      return Promise.resolve()
    }
    expect(await b.coordination.once('reverify', markRan)).toBe(false)
    // The same server asking again while its own run goes on is skipped too.
    expect(await a.coordination.once('reverify', nothing)).toBe(false)
    // Another job's name is another lock.
    expect(await b.coordination.once('source-sync:npm', nothing)).toBe(true)
    release()
    expect(await held).toBe(true)
    expect(ranOnB).toBe(false)
    expect(await b.coordination.once('reverify', markRan)).toBe(true)
    expect(ranOnB).toBe(true)
  })

  it('runs exclusive jobs one after another across servers, never overlapping', async () => {
    const [a, b] = await twoServers()
    let inside = 0
    let most = 0
    const order: number[] = []
    await Promise.all(
      Array.from({ length: 12 }, (_, n) =>
        (n % 2 === 0 ? a : b).coordination.exclusive('alerts', async () => {
          most = Math.max(most, ++inside)
          await new Promise((resolve) => setTimeout(resolve, 10))
          order.push(n)
          inside--
        }),
      ),
    )
    expect(order.sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, n) => n))
    expect(most).toBe(1)
  })

  it('releases the job when the connection of the server holding it dies, as when that server is killed', async () => {
    const databaseUrl = await cluster.createDatabase(`coordination_${++databases}`)
    const key = logKey()
    const [doomed, survivor] = [await openStore({ dataDir: dir, databaseUrl, logKey: key }), await openStore({ dataDir: dir, databaseUrl, logKey: key })]
    opened.push(doomed, survivor)
    let release = () => undefined as void
    let started = false
    const held = doomed.coordination.once('sync', async () => {
      started = true
      await new Promise<void>((resolve) => (release = resolve))
    })
    await until(() => started)
    expect(await survivor.coordination.once('sync', nothing)).toBe(false)
    // Cut the holder's session, as a SIGKILL or a network cut would; PostgreSQL drops its advisory locks with it.
    const admin = new pg.Client({ connectionString: databaseUrl })
    admin.on('error', () => undefined)
    await admin.connect()
    const { rowCount } = await admin.query(`select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and granted`)
    await admin.end()
    expect(rowCount).toBe(1)
    let ran = false
    for (let attempt = 0; attempt < 50 && !ran; attempt++) {
      ran = await survivor.coordination.once('sync', nothing)
      if (!ran) await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(ran).toBe(true)
    release()
    // The cut server's own run ends without an error of its own: its unlock had nothing left to release.
    expect(await held).toBe(true)
  })
})

describe('one log key for one store', () => {
  it('refuses a second server whose log key is not the one the log was signed with, naming both', async () => {
    const databaseUrl = await cluster.createDatabase(`coordination_${++databases}`)
    const key = logKey()
    const first = await openStore({ dataDir: dir, databaseUrl, logKey: key })
    opened.push(first)
    await first.documents.ingest([documentFor(1)])
    const other = logKeyFrom('test/other-log', generateKeyPairSync('ed25519').privateKey)
    const refused = openStore({ dataDir: dir, databaseUrl, logKey: other })
    await expect(refused).rejects.toBeInstanceOf(LogKeyMismatchError)
    await expect(openStore({ dataDir: dir, databaseUrl, logKey: other })).rejects.toThrow(
      "the log in this store was signed (up to size 1) by test/log, but this server's log key is test/other-log",
    )
    // The same key is welcome, and the log goes on from where it was.
    const again = await openStore({ dataDir: dir, databaseUrl, logKey: key })
    opened.push(again)
    await again.documents.ingest([documentFor(2)])
    expect((await again.log.checkpoint()).size).toBe(2)
  })

  it('refuses a second key even before anything was signed: the first server to open the store claims it', async () => {
    const databaseUrl = await cluster.createDatabase(`coordination_${++databases}`)
    const first = await openStore({ dataDir: dir, databaseUrl, logKey: logKey() })
    opened.push(first)
    await expect(openStore({ dataDir: dir, databaseUrl, logKey: logKey() })).rejects.toThrow(/this store's log is signed with another key/)
  })

  it('lets several servers with the same key start together on an empty database', async () => {
    const databaseUrl = await cluster.createDatabase(`coordination_${++databases}`)
    const key = logKey()
    const stores = await Promise.all(Array.from({ length: 4 }, () => openStore({ dataDir: dir, databaseUrl, logKey: key })))
    opened.push(...stores)
    await Promise.all(stores.map((store, n) => store.documents.ingest([documentFor(100 + n), documentFor(200 + n)])))
    const head = await stores[0]!.log.checkpoint()
    expect(head.size).toBe(8)
    expect(new Set(await Promise.all(stores.map(async (store) => (await store.log.checkpoint()).rootHash))).size).toBe(1)
  })
})
