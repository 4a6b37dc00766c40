import { readFileSync } from 'node:fs'
import { Server as HttpServer } from 'node:http'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { z } from 'zod'
import { createApp } from './app'
import { serverClock } from './clock/clock'
import { ConfigError, loadConfigFile, type Config } from './config'
import { appRoot, compareOwnBuild, describeOwnBuild, ingestOwnBuild, runningFromBuild, withOwnBuildKey } from './demo/own-build'
import { DEMO_INGEST_TOKEN, demoConfig, seedDemo } from './demo/seed'
import { reverifyAll, verdictsAreStale } from './documents/reverify'
import { readLogKey } from './log/checkpoint'
import { LogKeyMismatchError } from './log/store'
import { SourceRunner } from './sources/runner'
import { openStore } from './store/store'

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// or postgresql:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  PROVENANCE_CONFIG: z.string().optional().or(z.literal('').transform(() => undefined)),
  LOG_KEY_FILE: z.string().optional().or(z.literal('').transform(() => undefined)),
  DATABASE_POOL_SIZE: z.coerce.number({ message: 'DATABASE_POOL_SIZE must be a whole number of connections' }).int().min(1).max(1000).optional(),
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number({ message: 'DATABASE_CONNECT_TIMEOUT_MS must be milliseconds' }).int().min(100).max(600_000).optional(),
  SHUTDOWN_GRACE_MS: z.coerce.number({ message: 'SHUTDOWN_GRACE_MS must be milliseconds' }).int().min(0).max(600_000).default(30_000),
  PROVENANCE_SEED: z.enum(['0', '1'], { message: 'PROVENANCE_SEED is 0 (no demo data) or 1 (demo data even with a config)' }).optional(),
  /** Tests only: a file holding {"offsetMs": n} that moves the server's clock (server/clock/clock.ts). */
  PROVENANCE_CLOCK_FILE: z.string().optional().or(z.literal('').transform(() => undefined)),
})

/** Longer than the idle timeout of common load balancers (nginx 60 s, AWS ALB 60 s). */
const KEEP_ALIVE_MS = 65_000

function fail(message: string): never {
  console.error(`provenance: ${message}`)
  process.exit(1)
}

async function main() {
  const env = Env.safeParse(process.env)
  if (!env.success) fail(env.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n'))
  const { PORT, HOST, DATA_DIR, PROVENANCE_CONFIG, PROVENANCE_SEED, SHUTDOWN_GRACE_MS } = env.data

  let config: Config
  try {
    config = PROVENANCE_CONFIG ? loadConfigFile(PROVENANCE_CONFIG) : demoConfig()
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message)
    throw error
  }
  // The checkout, whether this runs from source (server/main.ts) or from the build (dist/server/main.js).
  const root = appRoot(import.meta.url)
  const fromBuild = runningFromBuild(import.meta.url, root)
  // The demo shows its own build, signed at build time with a key only the demo config trusts.
  if (!PROVENANCE_CONFIG && fromBuild) config = withOwnBuildKey(config)
  // A real configuration never gets demo data unless asked; the demo gets it unless told not to.
  const demo = PROVENANCE_CONFIG ? PROVENANCE_SEED === '1' : PROVENANCE_SEED !== '0'

  const store = await openConfiguredStore(env.data)
  if (demo && (await store.documents.count()) === 0) {
    // With a real config the demo documents are verified against that config's keys, as any document would be.
    const seeded = await seedDemo(store, config)
    console.log(`provenance: seeded ${seeded.documents} demo documents and ${seeded.deployments} deployments in ${(seeded.ms / 1000).toFixed(1)} s`)
    for (const line of describeOwnBuild(await ingestOwnBuild(store, config, { root, fromBuild }))) console.log(`provenance: ${line}`)
  }

  const packageJson = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')))
  // Sources sync on their schedule from here; a run a killed server left "running" is marked interrupted first.
  const sources = new SourceRunner({ store, config })
  await sources.start()
  const now = serverClock(env.data.PROVENANCE_CLOCK_FILE)
  if (env.data.PROVENANCE_CLOCK_FILE !== undefined) console.log(`provenance: the clock is moved by the offset in ${env.data.PROVENANCE_CLOCK_FILE} (for tests)`)
  // Shutdown work the app's modules hand over (the webhook queue), run after the last request and before the store closes.
  const stoppers: (() => Promise<void>)[] = []
  const app = createApp({
    onStop: (stopper) => stoppers.push(stopper),
    now,
    sources,
    store,
    config,
    version: packageJson.version,
    demo,
    ownBuild: compareOwnBuild({ root, fromBuild }),
    staticDir: join(root, 'dist'),
  })
  const server = serve({ fetch: app.fetch, port: PORT, hostname: HOST }, (info) => {
    const url = `http://${info.address.includes(':') ? `[${info.address}]` : info.address}:${info.port}/`
    console.log(`provenance: dashboard and API on ${url} (store: ${store.kind}${store.kind === 'sqlite' ? ` in ${DATA_DIR}` : ''})`)
    if (!PROVENANCE_CONFIG) console.log(`provenance: demo config; ingest with  Authorization: Bearer ${DEMO_INGEST_TOKEN}`)
  })
  if (server instanceof HttpServer) {
    // Idle keep-alive connections outlive a load balancer's (nginx keeps upstream ones 60 s): the proxy, not the
    // server, closes them, so it never sends a request on a socket the server is closing at that moment.
    server.keepAliveTimeout = KEEP_ALIVE_MS
    server.headersTimeout = KEEP_ALIVE_MS + 1000
  }
  if (await verdictsAreStale(store, config)) {
    // Trust material or policies changed since the stored verdicts were made: re-run them, without delaying start.
    // Servers sharing a database that start together with the new config re-verify once, not once each.
    console.log('provenance: the trust or policy config changed; verifying stored documents again…')
    void store.coordination
      .once('reverify', async () => {
        // Another server may have finished it between our check and taking the job.
        if (!(await verdictsAreStale(store, config))) return
        const outcome = await reverifyAll(store, config)
        console.log(`provenance: re-verified ${outcome.checked} documents, ${outcome.changed} verdicts changed`)
      })
      .then(
        (ran) => ran || console.log('provenance: another server on this database is re-verifying the stored documents'),
        (error: unknown) => console.error('provenance: re-verification failed:', error),
      )
  }
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    // Stop accepting connections, let requests in flight finish (an ingest acknowledged is an ingest stored),
    // then close the store. A load balancer sends new requests to the other servers meanwhile.
    console.log(`provenance: ${signal}: finishing the requests in flight, then stopping`)
    const forced = setTimeout(() => {
      console.error(`provenance: requests still running after ${SHUTDOWN_GRACE_MS} ms (SHUTDOWN_GRACE_MS); stopping anyway`)
      process.exit(1)
    }, SHUTDOWN_GRACE_MS)
    forced.unref()
    server.close(() => {
      // A webhook retry waiting for its backoff is handed back to the store (not left leased to this process until its
      // lease runs out), then sources stop and the store closes.
      void Promise.allSettled(stoppers.map((stopper) => stopper()))
        .then(() => sources.stop())
        .then(() => store.close())
        .then(() => process.exit(0))
    })
    // Keep-alive connections that finish their request while closing would otherwise hold the server open.
    const idle = setInterval(() => {
      if ('closeIdleConnections' in server) server.closeIdleConnections()
    }, 100)
    idle.unref()
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
  // Started by a test harness with an IPC channel: when that parent dies without stopping us (a killed test worker),
  // the channel closes and we stop as on SIGTERM instead of serving on, orphaned, with our data folder.
  if (process.channel) {
    process.channel.unref()
    process.once('disconnect', () => stop('parent gone'))
  }
}

/** The store named by the environment; a log key that does not match the store's log stops the server, saying so. */
async function openConfiguredStore(env: z.infer<typeof Env>) {
  let logKey
  try {
    logKey = env.LOG_KEY_FILE ? readLogKey(env.LOG_KEY_FILE) : undefined
  } catch (error) {
    fail(`LOG_KEY_FILE: ${error instanceof Error ? error.message : String(error)}`)
  }
  try {
    return await openStore({
      dataDir: env.DATA_DIR,
      ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
      ...(logKey ? { logKey } : {}),
      pool: { max: env.DATABASE_POOL_SIZE, connectionTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS },
    })
  } catch (error) {
    if (error instanceof LogKeyMismatchError) {
      const source = env.LOG_KEY_FILE ? `LOG_KEY_FILE ${env.LOG_KEY_FILE}` : `the key generated in DATA_DIR ${env.DATA_DIR}/log-signing-key.pem`
      fail(
        `refusing to start: ${error.message}. This server's key is ${source}. ` +
          'Give every server on this database the same key file with LOG_KEY_FILE (docs/deploy.md).',
      )
    }
    throw error
  }
}

await main()
