// `npm run check-reproducible`: builds one commit twice, in two fresh clones at different paths, with a different
// time zone and locale and a minute apart in the clock, and compares every file of the two dist/ folders.
// Prints the file count and the SHA-256 of the build's manifest; names every file that differs, with diffoscope's
// report when diffoscope is installed, else the first differing byte and its context. Exits 1 on any difference.
//
//   npm run check-reproducible [-- --commit REV] [--npm-ci] [--keep]
//
// node_modules: by default each clone gets a hard-linked copy of this checkout's node_modules, after checking that
// it holds exactly the packages (name, version, integrity) of the commit's package-lock.json. That is what `npm ci`
// would install, without 2 × 370 MB of downloads and a native compile, so the check takes seconds and runs in CI.
// `--npm-ci` runs `npm ci --prefer-offline --ignore-scripts` in each clone instead, for a check that trusts nothing
// installed here (about 3 minutes a clone from npm's cache on a loaded 2-core machine, against well under a second).
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const root = fileURLToPath(new URL('..', import.meta.url))
const { values } = parseArgs({
  options: { commit: { type: 'string', default: 'HEAD' }, 'npm-ci': { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } },
})

const git = (args, cwd = root) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex')
const say = (line) => console.log(`check-reproducible: ${line}`)

/** The packages a lockfile installs, as `path name@version integrity` lines, sorted. */
function lockedPackages(lock) {
  return Object.entries(lock.packages ?? {})
    .filter(([path, entry]) => path !== '' && !entry.link && !entry.extraneous)
    .map(([path, entry]) => `${path} ${entry.version ?? ''} ${entry.integrity ?? ''}`)
    .sort()
}

/** Fails unless node_modules here is what the commit's lockfile installs (npm keeps what it installed in node_modules/.package-lock.json). */
function checkInstalled(commitLock) {
  const installedPath = join(root, 'node_modules', '.package-lock.json')
  if (!existsSync(installedPath)) throw new Error('node_modules/.package-lock.json is missing: run npm ci first, or use --npm-ci')
  const wanted = lockedPackages(commitLock)
  const installed = new Set(lockedPackages(JSON.parse(readFileSync(installedPath, 'utf8'))))
  // Optional packages for other platforms are in the lockfile but rightly not installed; everything installed must be locked.
  const optional = new Set(Object.entries(commitLock.packages).filter(([, entry]) => entry.optional || entry.devOptional).map(([path]) => path))
  const missing = wanted.filter((line) => !installed.has(line) && !optional.has(line.split(' ')[0]))
  const locked = new Set(wanted)
  const extra = [...installed].filter((line) => !locked.has(line))
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `node_modules here is not what the commit's package-lock.json installs (${missing.length} missing or different, ${extra.length} not locked; first: ${[...missing, ...extra][0]}): run npm ci, or use --npm-ci`,
    )
  }
}

function listFiles(dir) {
  const files = []
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = join(at, entry.name)
      if (entry.isDirectory()) walk(full)
      else files.push(relative(dir, full).split(sep).join('/'))
    }
  }
  walk(dir)
  return files.sort()
}

/** The first differing byte and 40 bytes of context from each side, printable. */
function byteDiff(a, b) {
  let at = 0
  while (at < a.length && at < b.length && a[at] === b[at]) at++
  const show = (bytes) => JSON.stringify(bytes.subarray(Math.max(0, at - 40), at + 40).toString('latin1'))
  return [`first difference at byte ${at} (sizes ${a.length} and ${b.length})`, `  a: …${show(a)}…`, `  b: …${show(b)}…`]
}

function hasDiffoscope() {
  return spawnSync('diffoscope', ['--version'], { stdio: 'ignore' }).status === 0
}

function build(dir, label, env) {
  say(`${label}: building in ${dir}`)
  if (values['npm-ci']) {
    // --ignore-scripts: the build never loads a native module (better-sqlite3 is only needed to run the server), and
    // compiling SQLite twice takes longer than everything else here together.
    const ci = spawnSync('npm', ['ci', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit', env })
    if (ci.status !== 0) throw new Error(`${label}: npm ci failed`)
  } else {
    // Hard links: the same files at a new path, in well under a second; the build never writes into node_modules.
    execFileSync('cp', ['-al', join(root, 'node_modules'), join(dir, 'node_modules')])
  }
  const started = Date.now()
  const result = spawnSync(process.execPath, [join(dir, 'scripts', 'build.mjs')], { cwd: dir, env, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`${label}: npm run build failed:\n${result.stdout}\n${result.stderr}`)
  say(`${label}: built in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

const commit = git(['rev-parse', '--verify', `${values.commit}^{commit}`])
if (values.commit === 'HEAD' && git(['status', '--porcelain', '--untracked-files=no']) !== '') {
  say('the working tree has uncommitted changes; they are not part of this check, which builds the commit')
}
const work = mkdtempSync(join(tmpdir(), 'provenance-reproducible-'))
// Two paths of different lengths and depths, so an absolute path in the output cannot cancel out.
const dirs = [join(work, 'a'), join(work, 'second', 'build-directory-b')]
try {
  const commitLock = JSON.parse(git(['show', `${commit}:package-lock.json`]))
  if (!values['npm-ci']) checkInstalled(commitLock)
  // What a build must not depend on differs between the two: the clone's path, time zone, locale and the clock.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'SOURCE_DATE_EPOCH' && !name.startsWith('npm_')))
  const envs = [
    { ...clean, TZ: 'UTC', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
    { ...clean, TZ: 'Pacific/Chatham', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' },
  ]
  for (const [index, dir] of dirs.entries()) {
    mkdirSync(join(dir, '..'), { recursive: true })
    // A fresh clone of the commit: exactly the tracked files, a real .git for the commit id and time.
    git(['clone', '--quiet', '--no-checkout', root, dir])
    git(['checkout', '--quiet', '--detach', commit], dir)
    if (index === 1) {
      // A different minute on the clock for the second build: anything that reads the time shows up as a difference.
      const wait = 61_000 - (Date.now() % 60_000)
      say(`waiting ${(wait / 1000).toFixed(0)} s so the second build runs in another minute`)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait)
    }
    build(dir, index === 0 ? 'a' : 'b', envs[index])
  }

  const [a, b] = dirs.map((dir) => join(dir, 'dist'))
  const filesA = listFiles(a)
  const filesB = listFiles(b)
  const onlyA = filesA.filter((file) => !filesB.includes(file))
  const onlyB = filesB.filter((file) => !filesA.includes(file))
  // The attestations describe the other files, so they differ whenever those do: the causes are listed first.
  const attestation = (file) => file.startsWith('attestations/')
  const differing = filesA
    .filter((file) => filesB.includes(file) && !readFileSync(join(a, file)).equals(readFileSync(join(b, file))))
    .sort((x, y) => Number(attestation(x)) - Number(attestation(y)))
  const manifest = (dir, files) => sha256(files.map((file) => `${sha256(readFileSync(join(dir, file)))}  dist/${file}\n`).join(''))
  say(`commit ${commit}`)
  // The manifest covers every file of dist/, attestations included (sha256sum format, sorted by path).
  say(`a: ${filesA.length} files in dist/, manifest SHA-256 ${manifest(a, filesA)}`)
  say(`b: ${filesB.length} files in dist/, manifest SHA-256 ${manifest(b, filesB)}`)
  for (const file of onlyA) say(`only in a: dist/${file}`)
  for (const file of onlyB) say(`only in b: dist/${file}`)
  const diffoscope = differing.length > 0 && hasDiffoscope()
  for (const file of differing) {
    say(`differs: dist/${file}`)
    if (diffoscope) {
      const report = spawnSync('diffoscope', ['--text', '-', '--max-report-size', '200000', join(a, file), join(b, file)], { encoding: 'utf8' })
      console.log(report.stdout)
    } else {
      for (const line of byteDiff(readFileSync(join(a, file)), readFileSync(join(b, file)))) console.log(`  ${line}`)
    }
  }
  if (onlyA.length + onlyB.length + differing.length > 0) {
    say(`NOT reproducible: ${differing.length} files differ, ${onlyA.length + onlyB.length} exist in one build only${diffoscope ? '' : ' (install diffoscope for a fuller report)'}`)
    process.exitCode = 1
  } else {
    say(`reproducible: both builds are byte for byte the same (${filesA.length} files)`)
  }
} catch (error) {
  console.error(`check-reproducible: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
} finally {
  if (values.keep) say(`kept ${work}`)
  else rmSync(work, { recursive: true, force: true })
}
