import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { Source, SyncStarted } from '../../src/contract/sources'
import { createApp } from '../app'
import type { Config } from '../config'
import { DEMO_INGEST_TOKEN, demoConfig } from '../demo/seed'
import { logKeyFrom } from '../log/checkpoint'
import { SourcesConfig } from '../sources/config'
import { SourceRunner, type Connector } from '../sources/runner'
import { openStore } from '../store/store'
import { startPgCluster, type PgCluster } from '../store/testing/pg-cluster'
import type { Store } from '../store/types'

/*
 * "Sync now" pressed on two servers that share one PostgreSQL database: two stores (each with its own pool, as two
 * processes have) and two apps, each with its own source runner, on a real throwaway cluster. The connector stands
 * in for the registry: it counts the syncs that reach it and holds each until the test lets it finish.
 */

let cluster: PgCluster
const dir = mkdtempSync(join(tmpdir(), 'manual-sync-'))
const opened: Store[] = []
const runners: SourceRunner[] = []

beforeAll(async () => {
  cluster = await startPgCluster()
}, 60_000)
afterAll(async () => {
  await Promise.allSettled(runners.map((runner) => runner.stop()))
  await Promise.allSettled(opened.map((store) => store.close()))
  await cluster?.stop()
  rmSync(dir, { recursive: true, force: true })
}, 30_000)

vi.setConfig({ testTimeout: 60_000 })

const config: Config = { ...demoConfig(), sources: SourcesConfig.parse([{ name: 'npm', kind: 'npm', url: 'http://127.0.0.1:9', packages: [{ name: 'sigstore', versions: '^2.3.0' }] }]) }

/** A registry that answers only when told to: every sync that reaches it is counted and waits for `finish`. */
function heldConnector() {
  const calls: string[] = []
  const waiting: (() => void)[] = []
  const connector: Connector = async (context) => {
    calls.push(context.source.name)
    context.report.phase = 'reading the registry'
    await new Promise<void>((resolve) => waiting.push(resolve))
  }
  return { connector, calls, finish: () => waiting.splice(0).forEach((resolve) => resolve()) }
}

async function twoServers(connector: Connector) {
  const databaseUrl = await cluster.createDatabase('manual_sync')
  const logKey = logKeyFrom('test/log', generateKeyPairSync('ed25519').privateKey)
  return Promise.all(
    [0, 1].map(async () => {
      const store = await openStore({ dataDir: dir, databaseUrl, logKey })
      opened.push(store)
      const runner = new SourceRunner({ store, config, connector })
      runners.push(runner)
      return { runner, app: createApp({ store, config, version: 'test', demo: false, sources: runner }) }
    }),
  )
}

const syncNow = async (app: ReturnType<typeof createApp>) => {
  const response = await app.request('/api/v1/sources/npm/sync', { method: 'POST', headers: { authorization: `Bearer ${DEMO_INGEST_TOKEN}` } })
  return { status: response.status, body: SyncStarted.parse(await response.json()) }
}

describe('a manual sync across servers on PostgreSQL', () => {
  it('runs once when two servers are asked at the same moment: the other joins the run in progress', async () => {
    const registry = heldConnector()
    const [a, b] = await twoServers(registry.connector)
    if (a === undefined || b === undefined) throw new Error('two servers expected')

    const answers = await Promise.all([syncNow(a.app), syncNow(b.app)])
    expect(answers.map((answer) => answer.status)).toEqual([202, 202])
    expect(answers.map((answer) => answer.body.alreadyRunning).sort()).toEqual([false, true])
    const [first, second] = answers
    expect(second?.body.run.id).toBe(first?.body.run.id)
    expect(second?.body.run.state).toBe('running')
    await vi.waitFor(() => expect(registry.calls).toEqual(['npm']))

    // Asked again while it runs, each server still joins the one run, wherever it runs.
    for (const server of [a, b]) {
      const again = await syncNow(server.app)
      expect(again.body).toMatchObject({ alreadyRunning: true, run: { id: first?.body.run.id } })
    }
    expect(registry.calls).toHaveLength(1)

    // Both servers show the same run as running.
    for (const server of [a, b]) {
      const source = Source.parse(await (await server.app.request('/api/v1/sources/npm')).json())
      expect(source.lastRun).toMatchObject({ id: first?.body.run.id, state: 'running' })
    }

    registry.finish()
    await Promise.all([a.runner.settled('npm'), b.runner.settled('npm')])
    const finished = Source.parse(await (await b.app.request('/api/v1/sources/npm')).json())
    expect(finished.lastRun).toMatchObject({ id: first?.body.run.id, state: 'succeeded' })

    // Once it is over the job is free again: the next press on either server starts a new sync.
    const next = await syncNow(b.app)
    expect(next.body.alreadyRunning).toBe(false)
    expect(next.body.run.id).not.toBe(first?.body.run.id)
    // The run is saved before the registry is asked, so the connector is reached a moment after the answer.
    await vi.waitFor(() => expect(registry.calls).toHaveLength(2))
    registry.finish()
    await b.runner.settled('npm')
  })
})
