import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { BuildPage } from '../src/contract/builds'
import { signEnvelope } from './demo/seed'
import { slsaV1Statement } from './testing/documents'
import { startServer, type RunningServer } from './testing/run-server'

const running: RunningServer[] = []
afterAll(async () => {
  for (const server of running) await server.stop()
})

function envelope(server: RunningServer, repo: string, n: number): string {
  return JSON.stringify(signEnvelope(slsaV1Statement({ repo, sha256: n.toString(16).padStart(64, '0') }), server.key))
}

async function post(server: RunningServer, body: string): Promise<{ status: number; id?: string }> {
  const response = await fetch(`${server.url}/api/v1/attestations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.ingestToken}`, 'content-type': 'application/json' },
    body,
  })
  const json = (await response.json()) as { documents?: { id: string }[] }
  return { status: response.status, ...(json.documents?.[0] ? { id: json.documents[0].id } : {}) }
}

async function buildsOf(server: RunningServer, project: string): Promise<string[]> {
  const ids: string[] = []
  let cursor: string | null = null
  do {
    const response = await fetch(`${server.url}/api/v1/builds?project=${project}&limit=500${cursor ? `&cursor=${cursor}` : ''}`)
    const page = BuildPage.parse(await response.json())
    ids.push(...page.items.map((build) => build.id))
    cursor = page.nextCursor
  } while (cursor)
  return ids
}

function verifyLog(dataDir: string) {
  const root = fileURLToPath(new URL('..', import.meta.url))
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/verify-log.ts'], { cwd: root, env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' }, encoding: 'utf8' })
}

describe('durability of the real server', () => {
  it('eight concurrent clients lose nothing and duplicate nothing', { timeout: 120_000 }, async () => {
    const server = await startServer()
    running.push(server)
    const shared = envelope(server, 'https://github.com/example/shared', 0)
    const acknowledged = new Set<string>()
    await Promise.all(
      Array.from({ length: 8 }, async (_, client) => {
        for (let n = 0; n < 15; n++) {
          const result = await post(server, envelope(server, 'https://github.com/example/concurrent', client * 100 + n + 1))
          expect(result.status).toBe(201)
          if (result.id) acknowledged.add(result.id)
          // Every client also sends the same document, interleaved with its own.
          if (n === 7) expect([200, 201]).toContain((await post(server, shared)).status)
        }
      }),
    )
    expect(acknowledged.size).toBe(120)
    expect(new Set(await buildsOf(server, 'example/concurrent'))).toEqual(acknowledged)
    expect(await buildsOf(server, 'example/shared')).toHaveLength(1)
  })

  it('keeps every acknowledged document through kill -9, and the log still verifies', { timeout: 180_000 }, async () => {
    const server = await startServer()
    const acknowledged: string[] = []
    let killed = false
    const clients = Array.from({ length: 4 }, async (_, client) => {
      for (let n = 0; !killed; n++) {
        try {
          const result = await post(server, envelope(server, 'https://github.com/example/crash', client * 10_000 + n + 1))
          if (result.status === 201 && result.id) acknowledged.push(result.id)
        } catch {
          return // the server is gone: whatever was not acknowledged may or may not be stored
        }
      }
    })
    while (acknowledged.length < 60) await new Promise((resolve) => setTimeout(resolve, 20))
    killed = true
    await server.crash()
    await Promise.all(clients)

    const restarted = await server.restart()
    running.push(restarted)
    const stored = new Set(await buildsOf(restarted, 'example/crash'))
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([])
    const checkpoint = (await (await fetch(`${restarted.url}/api/v1/log/checkpoint`)).json()) as { size: number }
    expect(checkpoint.size).toBe(stored.size)

    const report = verifyLog(restarted.dataDir)
    expect(report.stdout).toMatch(new RegExp(`^log verified: ${stored.size} entries`))
    expect(report.status).toBe(0)
  })
})
