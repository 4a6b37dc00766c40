import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import type { DemoKey } from '../demo/keys'
import { newKey } from './documents'

export type RunningServer = {
  url: string
  dataDir: string
  /** Trusted by the server's config; sign test documents with it. */
  key: DemoKey
  ingestToken: string
  readToken: string
  /** SIGTERM, wait for exit, remove the data folder. */
  stop(): Promise<void>
  /** SIGKILL: no shutdown code runs, as in a crash; the data folder stays for a restart. */
  crash(): Promise<void>
  /** Starts the server again on the same data folder and config. */
  restart(): Promise<RunningServer>
  /** Moves the server's clock by `ms` (started with `clock: true`; server/clock/clock.ts); the next request sees it. */
  moveClock(ms: number): void
}

const root = fileURLToPath(new URL('../..', import.meta.url))

export type StartOptions = {
  demo?: boolean
  readRequiresToken?: boolean
  reuse?: { dataDir: string; key: DemoKey }
  /** More top-level config fields (e.g. `sources`). */
  config?: Record<string, unknown>
  /** Runs the compiled server, dist/server/main.js (what `npm start` runs), instead of server/main.ts through tsx. */
  fromBuild?: boolean
  /** false: no demo data, even with the demo config (PROVENANCE_SEED=0). */
  seed?: boolean
  /** The checkout to run from (its dist/ with `fromBuild`); this one unless given, e.g. a copy with a file changed. */
  root?: string
  /** More environment variables for the server (e.g. DATABASE_URL and LOG_KEY_FILE, for several servers on one store). */
  env?: NodeJS.ProcessEnv
  /** The trusted signing key, when several servers must trust the same one. */
  key?: DemoKey
  /** A clock the test moves with moveClock() (PROVENANCE_CLOCK_FILE in the data folder); the wall clock otherwise. */
  clock?: boolean
}

/** Starts the real server (`server/main.ts`, or its build) on a temporary SQLite store and a free port. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const dataDir = options.reuse?.dataDir ?? mkdtempSync(join(tmpdir(), 'provenance-server-'))
  const key = options.reuse?.key ?? options.key ?? newKey('test-release', 'ecdsa-p256')
  const ingestToken = `ingest-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`
  const readToken = `read-${createHash('sha256').update(dataDir).digest('hex').slice(16, 32)}`
  const hash = (secret: string) => createHash('sha256').update(secret).digest('hex')
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '', ...options.env }
  if (options.seed === false) env.PROVENANCE_SEED = '0'
  const clockFile = join(dataDir, 'clock.json')
  if (options.clock) {
    if (!options.reuse) writeFileSync(clockFile, JSON.stringify({ offsetMs: 0 }))
    env.PROVENANCE_CLOCK_FILE = clockFile
  }
  if (options.demo) {
    env.PROVENANCE_CONFIG = ''
  } else {
    const configPath = join(dataDir, 'config.json')
    writeFileSync(
      configPath,
      JSON.stringify({
        trust: { keys: [{ id: key.id, publicKeyPem: key.publicKeyPem }] },
        tokens: [
          { name: 'e2e-ingest', sha256: hash(ingestToken), scopes: ['ingest'] },
          { name: 'e2e-read', sha256: hash(readToken), scopes: ['read'] },
        ],
        auth: { readRequiresToken: options.readRequiresToken ?? false },
        ...options.config,
      }),
    )
    env.PROVENANCE_CONFIG = configPath
  }
  const from = options.root ?? root
  const entry = options.fromBuild ? [join(from, 'dist/server/main.js')] : ['--import', 'tsx', join(from, 'server/main.ts')]
  // The IPC channel is only a lifeline: the server stops when it closes, so a killed test worker leaves no server behind.
  const child = spawn(process.execPath, entry, { cwd: from, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
  child.channel?.unref()
  const output = keepOutput(child)
  const url = await waitForUrl(child, output)
  // A server that dies while a test uses it fails that test by refused connections only: its last words go to the
  // test's log, so a failure there says why.
  let expected = false
  child.once('exit', (code, signal) => {
    if (!expected) console.error(`test server ${url} exited unexpectedly (${signal ?? `code ${code}`}); its last output:\n${output.text()}`)
  })
  return {
    url,
    dataDir,
    key,
    ingestToken: options.demo ? 'demo-ingest-token' : ingestToken,
    readToken,
    stop: async () => {
      expected = true
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
    crash: async () => {
      expected = true
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    },
    restart: () => startServer({ ...options, reuse: { dataDir, key } }),
    moveClock: (ms) => {
      if (!options.clock) throw new Error('moveClock needs a server started with { clock: true }')
      const { offsetMs } = z.object({ offsetMs: z.number() }).parse(JSON.parse(readFileSync(clockFile, 'utf8')))
      writeFileSync(clockFile, JSON.stringify({ offsetMs: offsetMs + ms }))
    },
  }
}

type Output = { text: () => string; onChange: (listener: () => void) => void }

/** The server's stdout and stderr as one text, its last 64 KiB kept for as long as it runs. */
function keepOutput(child: ChildProcess): Output {
  let text = ''
  const listeners: (() => void)[] = []
  const onData = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-65_536)
    for (const listener of listeners) listener()
  }
  child.stdout?.on('data', onData)
  child.stderr?.on('data', onData)
  return { text: () => text, onChange: (listener) => listeners.push(listener) }
}

function waitForUrl(child: ChildProcess, output: Output): Promise<string> {
  return new Promise((resolve, reject) => {
    // Seeding the demo (about 8,400 signed documents, deployments, alert evaluation) takes 15–30 s on an idle
    // 2-core machine and several times that when other suites run beside it; a slow start is not a failure.
    const timer = setTimeout(() => reject(new Error(`server did not start in 180 s:\n${output.text()}`)), 180_000)
    // Read until the address is found, not on every later line of a long-running server's output.
    let found = false
    output.onChange(() => {
      if (found) return
      const match = /dashboard and API on (http:\/\/\S+?)\/? /.exec(output.text())
      if (match?.[1]) {
        found = true
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code}:\n${output.text()}`))
    })
  })
}
