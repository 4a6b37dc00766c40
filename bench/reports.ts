/**
 * `npm run bench` (reports part). Figures, not pass/fail:
 *  1. On the seeded demo in SQLite: a report on a release of 200 artifacts (BENCH_REPORT_ARTIFACTS), its time,
 *     archive size and the time verify-report takes.
 *  2. A project over a time range with 1,000 and with 10,000 builds (BENCH_REPORT_BUILDS, comma-separated): the
 *     time and the peak memory (the process's maximum resident set, from a fresh process per report) to write
 *     the report, its archive, CSV, HTML and one VSA per artifact. The peak at 10,000 against 1,000 shows whether
 *     the report streams (written an artifact at a time) or holds the project.
 * The projects' builds are ingested for real (signed, verified, appended to the log), not copied with
 * bench/bulk-fill.ts: a copied row's document has no log index and its bytes do not hash to its new id, so a
 * report citing it could not prove it. The fill is kept in BENCH_DATA_DIR and reused (fill once, measure often).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { ArtifactListQuery } from '../src/contract/artifacts'
import { BuildQuery } from '../src/contract/builds'
import { buildConfig, ingestContext } from '../server/config'
import { demoConfig, seedDemo, signEnvelope } from '../server/demo/seed'
import { ingestBody } from '../server/ingest/ingest'
import { produceReport } from '../server/reports/produce'
import { verifyArchive } from '../server/reports/verify'
import { ARCHIVE_NAME, writeReport } from '../server/reports/write'
import { openStore } from '../server/store/store'
import { hex } from '../server/testing/resource-fixture'
import { newKey, slsaV1Statement } from '../server/testing/documents'

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
const load = () => loadavg().map((value) => value.toFixed(1)).join(' ')

// --- a child process: one report on one project, its time and peak memory as JSON on stdout ------------------
if (process.env.BENCH_REPORT_CHILD !== undefined) {
  const [dataDir = '', project = ''] = process.env.BENCH_REPORT_CHILD.split('|')
  const store = await openStore({ dataDir })
  const out = mkdtempSync(join(tmpdir(), 'provenance-bench-report-out-'))
  try {
    const started = performance.now()
    const written = await writeReport(store, { kind: 'project', project, from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' }, Date.now(), out, {
      policy: { trustedKeys: [], trustFiles: [], policies: [] },
    })
    const ms = performance.now() - started
    const writtenRss = process.resourceUsage().maxRSS * 1024
    // Then kept in the database a chunk at a time, as the server does so any server can serve it (migration 0028).
    const id = 'f'.repeat(32)
    const keepStarted = performance.now()
    await store.reports.keepFiles(id, out, [ARCHIVE_NAME, 'report.json', 'report.dsse.json', 'report.csv', 'report.html'])
    const keepMs = performance.now() - keepStarted
    await store.reports.fail(id, 'bench', Date.now())
    const cpu = process.cpuUsage()
    console.log(JSON.stringify({ ms, keepMs, writtenRss, cpuMs: (cpu.user + cpu.system) / 1000, maxRss: process.resourceUsage().maxRSS * 1024, artifacts: written.artifacts, documents: written.documents, archive: written.sizes[ARCHIVE_NAME], json: written.sizes['report.json'] }))
  } finally {
    await store.close()
    rmSync(out, { recursive: true, force: true })
  }
  process.exit(0)
}

// --- 1. a release on the seeded demo (BENCH_REPORT_PROJECTS_ONLY=1 skips it) ----------------------------------
if (process.env.BENCH_REPORT_PROJECTS_ONLY !== '1') {
  const WANTED = Math.min(500, Math.max(1, Number(process.env.BENCH_REPORT_ARTIFACTS ?? 200)))
  const dir = mkdtempSync(join(tmpdir(), 'provenance-bench-reports-'))
  const store = await openStore({ dataDir: dir })
  try {
    const seeded = await seedDemo(store, demoConfig())
    console.log(`bench reports: SQLite in ${dir}, demo seeded (${seeded.documents.toLocaleString('en')} documents in ${(seeded.ms / 1000).toFixed(1)} s), Node ${process.version}, load average ${load()}`)
    const digests = new Set<string>()
    let cursor: string | undefined
    do {
      const page = await store.artifacts.list(ArtifactListQuery.parse({ limit: 200, ...(cursor === undefined ? {} : { cursor }) }))
      for (const item of page.items) if (digests.size < WANTED) digests.add(item.digest)
      cursor = page.nextCursor ?? undefined
    } while (cursor !== undefined && digests.size < WANTED)

    const started = performance.now()
    const { report, archive } = await produceReport(store, { kind: 'release', digests: [...digests] }, Date.now())
    const made = performance.now() - started
    const verifyStarted = performance.now()
    const verdict = verifyArchive(archive)
    const verified = performance.now() - verifyStarted
    if (!verdict.ok) throw new Error(`the report archive did not verify: ${JSON.stringify(verdict.problems.slice(0, 3))}`)
    console.log(`  release of ${report.artifacts.length} artifacts, ${report.documents.length} cited documents, log of ${(await store.log.checkpoint()).size.toLocaleString('en')} entries`)
    console.log(`  make (gather, assemble, sign, prove, pack, a VSA per artifact): ${(made / 1000).toFixed(2)} s`)
    console.log(`  verify-report (signatures, ${verdict.documents} inclusion proofs, digests, CSV, HTML and VSAs again): ${verified.toFixed(0)} ms; archive ${mb(archive.byteLength)}`)
  } finally {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

// --- 2. a project over a range, at 1,000 and 10,000 builds ----------------------------------------------------------
{
  const sizes = (process.env.BENCH_REPORT_BUILDS ?? '1000,10000').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0)
  const dataDir = process.env.BENCH_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'provenance-bench-report-projects-'))
  mkdirSync(dataDir, { recursive: true })
  const key = newKey('bench-ci', 'ed25519')
  const config = buildConfig({ trust: { keys: [{ id: key.id, publicKeyPem: key.publicKeyPem }] } }, 'bench reports config')
  try {
    const store = await openStore({ dataDir })
    try {
      for (const size of sizes) {
        const project = `bench/reports-${size}`
        const have = (await store.builds.list(BuildQuery.parse({ project, limit: 1 }))).items.length > 0
        if (have) continue
        const started = performance.now()
        // The same key for every run: a kept store's documents stay verifiable by a later run's config only if
        // trusted then too; the report does not depend on it (a build that does not verify is reported as such).
        for (let start = 0; start < size; start += 500) {
          const lines: string[] = []
          for (let index = start; index < Math.min(size, start + 500); index++) {
            const statement = slsaV1Statement({ repo: `https://github.com/${project}`, commit: hex(`${project}:${index}:commit`).slice(0, 40), sha256: hex(`${project}:${index}`), subjectName: `app-${index}.tar.gz` })
            lines.push(JSON.stringify(signEnvelope(statement, key)))
          }
          const result = await ingestBody(store, Buffer.from(lines.join('\n')), 'application/x-ndjson', ingestContext(config))
          if (!result.ok) throw new Error(`bench fill: ${result.error.message}`)
        }
        console.log(`  filled ${project}: ${size.toLocaleString('en')} builds ingested in ${((performance.now() - started) / 1000).toFixed(1)} s`)
      }
    } finally {
      await store.close()
    }
    for (const size of sizes) {
      const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1] ?? 'bench/reports.ts'], {
        env: { ...process.env, BENCH_REPORT_CHILD: `${dataDir}|bench/reports-${size}` },
        encoding: 'utf8',
        maxBuffer: 1024 * 1024,
      })
      if (child.status !== 0) throw new Error(`bench report child failed: ${child.stderr}`)
      const figures = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as { ms: number; keepMs: number; writtenRss: number; cpuMs: number; maxRss: number; artifacts: number; documents: number; archive: number; json: number }
      console.log(
        `  project of ${size.toLocaleString('en')} builds (${figures.artifacts.toLocaleString('en')} artifacts, ${figures.documents.toLocaleString('en')} documents): ${(figures.ms / 1000).toFixed(2)} s (${(figures.cpuMs / 1000).toFixed(1)} s of CPU, the process's whole life), peak RSS ${mb(figures.writtenRss)} (goal under 10 s and 300 MB); then kept in the database in ${(figures.keepMs / 1000).toFixed(2)} s (peak RSS ${mb(figures.maxRss)} with it); report.json ${mb(figures.json)}, archive ${mb(figures.archive)}; load average ${load()}`,
      )
    }
  } finally {
    if (process.env.BENCH_DATA_DIR === undefined && process.env.BENCH_KEEP !== '1') rmSync(dataDir, { recursive: true, force: true })
    else if (existsSync(dataDir)) console.log(`  kept the projects' store in ${dataDir} (BENCH_DATA_DIR=${dataDir} reuses it)`)
  }
}
