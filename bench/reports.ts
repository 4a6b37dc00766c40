/**
 * `npm run bench` (reports part): on the seeded demo in SQLite, the time to make a report on a release of 200
 * artifacts (gather, assemble, sign, prove every cited document in the log, pack the archive with its CSV and
 * HTML), the time `verify-report` takes to check it, the archive's size and the process's peak memory. Figures,
 * not pass/fail. BENCH_REPORT_ARTIFACTS changes the release's size (at most 200 per page read, 500 per report).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { ArtifactListQuery } from '../src/contract/artifacts'
import { demoConfig, seedDemo } from '../server/demo/seed'
import { produceReport } from '../server/reports/produce'
import { verifyArchive } from '../server/reports/verify'
import { openStore } from '../server/store/store'

const WANTED = Math.min(500, Math.max(1, Number(process.env.BENCH_REPORT_ARTIFACTS ?? 200)))
const dir = mkdtempSync(join(tmpdir(), 'provenance-bench-reports-'))
const store = await openStore({ dataDir: dir })
try {
  const seeded = await seedDemo(store, demoConfig())
  console.log(`bench reports: SQLite in ${dir}, demo seeded (${seeded.documents.toLocaleString('en')} documents in ${(seeded.ms / 1000).toFixed(1)} s), Node ${process.version}, load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}`)

  // The release: the newest distinct artifacts the demo built.
  const digests = new Set<string>()
  let cursor: string | undefined
  do {
    const page = await store.artifacts.list(ArtifactListQuery.parse({ limit: 200, ...(cursor === undefined ? {} : { cursor }) }))
    for (const item of page.items) if (digests.size < WANTED) digests.add(item.digest)
    cursor = page.nextCursor ?? undefined
  } while (cursor !== undefined && digests.size < WANTED)

  const asOf = Date.now()
  const rssBefore = process.memoryUsage().rss
  let peak = rssBefore
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
  const started = performance.now()
  const { report, archive } = await produceReport(store, { kind: 'release', digests: [...digests] }, asOf)
  const made = performance.now() - started
  clearInterval(sampler)
  peak = Math.max(peak, process.memoryUsage().rss)

  const verifyStarted = performance.now()
  const verdict = verifyArchive(archive)
  const verified = performance.now() - verifyStarted
  if (!verdict.ok) throw new Error(`the report archive did not verify: ${JSON.stringify(verdict.problems.slice(0, 3))}`)

  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
  console.log(`  release of ${report.artifacts.length} artifacts, ${report.documents.length} cited documents, log of ${(await store.log.checkpoint()).size.toLocaleString('en')} entries`)
  console.log(`  make (gather, assemble, sign, prove, pack): ${(made / 1000).toFixed(2)} s; peak RSS ${mb(peak)} (${mb(rssBefore)} before)`)
  console.log(`  verify-report (signatures, ${verdict.documents} inclusion proofs, digests, CSV and HTML again): ${verified.toFixed(0)} ms`)
  console.log(`  archive: ${mb(archive.byteLength)}`)
} finally {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
}
