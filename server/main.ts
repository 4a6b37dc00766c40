import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { z } from 'zod'
import { createApp } from './app'
import { ConfigError, loadConfigFile, type Config } from './config'
import { appRoot, compareOwnBuild, describeOwnBuild, ingestOwnBuild, runningFromBuild, withOwnBuildKey } from './demo/own-build'
import { DEMO_INGEST_TOKEN, demoConfig, seedDemo } from './demo/seed'
import { reverifyAll, verdictsAreStale } from './documents/reverify'
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
  PROVENANCE_SEED: z.enum(['0', '1'], { message: 'PROVENANCE_SEED is 0 (no demo data) or 1 (demo data even with a config)' }).optional(),
})

function fail(message: string): never {
  console.error(`provenance: ${message}`)
  process.exit(1)
}

async function main() {
  const env = Env.safeParse(process.env)
  if (!env.success) fail(env.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n'))
  const { PORT, HOST, DATA_DIR, DATABASE_URL, PROVENANCE_CONFIG, PROVENANCE_SEED } = env.data

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

  const store = await openStore({ dataDir: DATA_DIR, ...(DATABASE_URL ? { databaseUrl: DATABASE_URL } : {}) })
  if (demo && (await store.documents.count()) === 0) {
    // With a real config the demo documents are verified against that config's keys, as any document would be.
    const seeded = await seedDemo(store, config)
    console.log(`provenance: seeded ${seeded.documents} demo documents in ${(seeded.ms / 1000).toFixed(1)} s`)
    for (const line of describeOwnBuild(await ingestOwnBuild(store, config, { root, fromBuild }))) console.log(`provenance: ${line}`)
  }

  const packageJson = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')))
  // Sources sync on their schedule from here; a run a killed server left "running" is marked interrupted first.
  const sources = new SourceRunner({ store, config })
  await sources.start()
  const app = createApp({
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
  if (await verdictsAreStale(store, config)) {
    // Trust material or policies changed since the stored verdicts were made: re-run them, without delaying start.
    console.log('provenance: the trust or policy config changed; verifying stored documents again…')
    void reverifyAll(store, config).then(
      (outcome) => console.log(`provenance: re-verified ${outcome.checked} documents, ${outcome.changed} verdicts changed`),
      (error: unknown) => console.error('provenance: re-verification failed:', error),
    )
  }
  const stop = () => {
    server.close()
    void sources
      .stop()
      .then(() => store.close())
      .then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

await main()
