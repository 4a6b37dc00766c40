// Runs `npm run build` (scripts/build.mjs) when dist/ is missing or older than its sources.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
/** What the whole shipped program is built from (tests beside the code are not); scripts/ holds the build and its vite plugins. */
const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'package-lock.json', 'package.json', 'server', 'domain', 'demo', 'scripts', 'tsconfig.json']
/** Written last by a build, so a build that stopped half-way is stale. */
const stamp = join(root, 'dist', 'attestations', 'provenance.dsse.json')

function newest(path) {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return /\.test\.tsx?$/.test(path) ? 0 : stat.mtimeMs
  return readdirSync(path).reduce((latest, entry) => Math.max(latest, newest(join(path, entry))), stat.mtimeMs)
}

/** The commit the build in dist/ attests it was made from (its provenance's first resolved dependency), or null. */
function builtCommit() {
  try {
    const envelope = JSON.parse(readFileSync(stamp, 'utf8'))
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'))
    return statement.predicate?.buildDefinition?.resolvedDependencies?.[0]?.digest?.gitCommit ?? null
  } catch {
    return null
  }
}

function headCommit() {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return null
  }
}

/**
 * Why dist/ needs building, or null when it is current. `commit`: also when it attests another commit than HEAD
 * (npm start, whose demo shows that provenance); the end-to-end tests need only current files.
 */
export function staleReason({ commit = false } = {}) {
  for (const file of ['index.html', join('server', 'main.js')]) if (!existsSync(join(root, 'dist', file))) return `dist/${file} is missing`
  if (!existsSync(stamp)) return 'dist/ has no provenance'
  const built = statSync(stamp).mtimeMs
  const changed = sources.find((source) => newest(join(root, source)) > built)
  if (changed) return `${changed} changed since the build`
  if (commit) {
    const head = headCommit()
    if (head && builtCommit() !== head) return `dist/ attests a build of another commit than HEAD (${head.slice(0, 12)})`
  }
  return null
}

const lock = join(root, '.tmp', 'build.lock')
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)

/** Whether the process that holds the lock still runs (a build killed half-way leaves its lock behind). */
function holderAlive() {
  try {
    process.kill(Number(readFileSync(join(lock, 'pid'), 'utf8')), 0)
    return true
  } catch {
    return false
  }
}

/**
 * Builds when stale, one build at a time per checkout: a build empties dist/ first, so a second one started
 * meanwhile (npm start beside an end-to-end run) would tear the first one's files away. Waits for the other, then
 * looks again.
 */
export function buildIfStale(options = {}) {
  for (let waited = 0; ; waited += 1000) {
    try {
      mkdirSync(join(root, '.tmp'), { recursive: true })
      mkdirSync(lock)
      break
    } catch (error) {
      if (error?.code !== 'EEXIST') throw error
      if (!holderAlive() && waited >= 2000) rmSync(lock, { recursive: true, force: true })
      else if (waited === 0) console.log('provenance: another build of this checkout is running; waiting for it…')
      if (waited > 600_000) throw new Error(`${lock} has been held for 10 minutes; remove it if no build is running`)
      sleep(1000)
    }
  }
  try {
    writeFileSync(join(lock, 'pid'), String(process.pid))
    const reason = staleReason(options)
    if (reason === null) return
    console.log(`provenance: building the dashboard (${reason})…`)
    const result = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' })
    if (result.status !== 0) throw new Error('npm run build failed; see the output above')
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildIfStale({ commit: true })
