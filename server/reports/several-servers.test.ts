import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ReportDetail } from '../../src/contract/reports'
import { createApp } from '../app'
import { loadOrCreateLogKey } from '../log/checkpoint'
import { openStore } from '../store/store'
import { startPgCluster, type PgCluster } from '../store/testing/pg-cluster'
import type { Store } from '../store/types'
import { digests, fixtureConfig, seedResources } from '../testing/resource-fixture'
import { verifyArchive } from './verify'

/*
 * Several servers on one database: a report made by one server is downloaded, whole and verifiable, from another
 * whose disk never held it. Each server has its own data folder (as servers on different machines do) and both
 * sign with the one log key, as a deployment of several servers shares it.
 */

let cluster: PgCluster | undefined
const folders: string[] = []
const folder = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `reports-servers-${name}-`))
  folders.push(dir)
  return dir
}

beforeAll(async () => {
  cluster = await startPgCluster()
}, 120_000)
afterAll(async () => {
  await cluster?.stop()
  for (const dir of folders) rmSync(dir, { recursive: true, force: true })
}, 60_000)

/** Two stores on one database (PostgreSQL) or one SQLite file, each server with its own data folder. */
async function twoServers(kind: 'sqlite' | 'postgres', n: number): Promise<[Store, Store]> {
  const keyDir = folder('key')
  const logKey = loadOrCreateLogKey(keyDir)
  if (kind === 'sqlite') {
    // SQLite has one file, so both servers open the same folder; the report's files are still read from the database.
    return [await openStore({ dataDir: keyDir, logKey }), await openStore({ dataDir: keyDir, logKey })]
  }
  if (cluster === undefined) throw new Error('PostgreSQL did not start')
  const databaseUrl = await cluster.createDatabase(`reports_servers_${n}`)
  const first = await openStore({ dataDir: folder('a'), databaseUrl, logKey })
  return [first, await openStore({ dataDir: folder('b'), databaseUrl, logKey })]
}

describe.each([['postgres', 1] as const, ['sqlite', 2] as const])('reports across servers on %s', (kind, n) => {
  it('a report made on one server is downloaded from the other, and verifies', async () => {
    const [a, b] = await twoServers(kind, n)
    try {
      await seedResources(a)
      const config = fixtureConfig()
      const apps = [a, b].map((store) => createApp({ store, config, version: 'test', demo: false, now: Date.now }))
      const [one, two] = [apps[0]!, apps[1]!]
      const scope = { kind: 'release', digests: [`sha256:${digests.d1}`, `sha256:${digests.d3}`, `sha256:${digests.sbomOnly}`] }
      const started = await one.request('/api/v1/reports', { method: 'POST', body: JSON.stringify({ scope }), headers: { 'content-type': 'application/json' } })
      expect(started.status).toBe(202)
      const { id } = ReportDetail.parse(await started.json())

      // Followed on the other server, as a client behind a load balancer may be.
      let report = ReportDetail.parse(await (await two.request(`/api/v1/reports/${id}`)).json())
      for (let waited = 0; report.state === 'running' && waited < 60_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        report = ReportDetail.parse(await (await two.request(`/api/v1/reports/${id}`)).json())
      }
      expect(report.state).toBe('done')
      expect(report.preview?.artifacts).toBe(3)
      expect(report.preview?.rows.map((row) => row.digest)).toEqual([...scope.digests].sort())

      const fromTwo = await two.request(`/api/v1/reports/${id}/archive`)
      expect(fromTwo.status).toBe(200)
      const archive = new Uint8Array(await fromTwo.arrayBuffer())
      expect(archive.byteLength).toBe(report.files.find((file) => file.format === 'archive')?.bytes)
      const verdict = verifyArchive(archive)
      expect(verdict.problems).toEqual([])
      expect(verdict.ok).toBe(true)
      // The same bytes from either server.
      const fromOne = new Uint8Array(await (await one.request(`/api/v1/reports/${id}/archive`)).arrayBuffer())
      expect(Buffer.from(fromOne).equals(Buffer.from(archive))).toBe(true)
      for (const file of report.files.filter((each) => each.format !== 'archive')) {
        const response = await two.request(file.href)
        expect(response.status, file.href).toBe(200)
        expect((await response.arrayBuffer()).byteLength, file.href).toBe(file.bytes)
      }
    } finally {
      await a.close()
      await b.close()
    }
  }, 120_000)
})
