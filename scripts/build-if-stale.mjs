// Builds the SPA into dist/ when dist/ is missing or older than any of its sources.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'package-lock.json']

function newest(path) {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return readdirSync(path).reduce((latest, entry) => Math.max(latest, newest(join(path, entry))), stat.mtimeMs)
}

export function buildIfStale() {
  const built = join(root, 'dist', 'index.html')
  const stale = !existsSync(built) || sources.some((source) => newest(join(root, source)) > statSync(built).mtimeMs)
  if (!stale) return
  console.log('provenance: building the dashboard (vite build)…')
  const result = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  })
  if (result.status !== 0) throw new Error('vite build failed; see the output above')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildIfStale()
