// `npm run build`: the whole shipped program in dist/, the same bytes from the same commit wherever it is built.
//   dist/index.html, dist/assets/…   the SPA (vite; chunk names are content hashes)
//   dist/server/main.js              the API server as one ES module (esbuild); packages stay in node_modules
//   dist/attestations/               its CycloneDX SBOM and SLSA provenance, signed with the demo build key
// Reproducible: SOURCE_DATE_EPOCH is the commit's time, no step reads the clock, a path outside the checkout or the
// host, and every list is sorted. `npm run check-reproducible` proves it by building twice in two places.
import { execFileSync, spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))

function commitTime() {
  if (process.env.SOURCE_DATE_EPOCH) return process.env.SOURCE_DATE_EPOCH
  try {
    return execFileSync('git', ['log', '-1', '--format=%ct', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return undefined
  }
}

function run(step, args, env) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env })
  if (result.status !== 0) throw new Error(`${step} failed (exit ${result.status ?? result.signal}); see the output above`)
}

const epoch = commitTime()
if (!epoch) console.warn('build: not a git checkout and SOURCE_DATE_EPOCH is unset: the SBOM has no timestamp and the provenance no commit')
const env = { ...process.env, ...(epoch ? { SOURCE_DATE_EPOCH: epoch } : {}) }

rmSync(join(root, 'dist'), { recursive: true, force: true })
run('vite build', [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], env)

// The server, and the Sigstore verification worker that server/ingest/sigstore/pool.ts starts beside main.js.
await build({
  absWorkingDir: root,
  entryPoints: { main: 'server/main.ts', 'verify-worker': 'server/ingest/sigstore/verify-worker.ts' },
  outdir: 'dist/server',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Dependencies load from node_modules as installed from the lockfile (better-sqlite3 is native); only our code is bundled.
  packages: 'external',
  // Paths in the map are relative to it (../../server/main.ts), so the map is the same in every checkout.
  sourcemap: 'linked',
  charset: 'utf8',
  logLevel: 'warning',
})

// The attestations read the finished dist/, so they come last.
run('sbom', ['--import', 'tsx', join(root, 'scripts', 'sbom.ts')], env)
run('provenance', ['--import', 'tsx', join(root, 'scripts', 'provenance.ts'), '--demo-key'], env)
