/**
 * `npm run bench` (sources): an OCI registry (Debian's docker-registry on loopback) holding BENCH_SOURCE_IMAGES
 * images (default 1,000), each with two attestations (a SLSA provenance and a CycloneDX SBOM attestation, DSSE,
 * in cosign's `.att` manifest); the time of a first full sync into an empty SQLite store, and of a second sync
 * with nothing new. Prints figures, never pass/fail.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { buildConfig } from '../server/config'
import { mapLimit } from '../server/sources/http'
import { attachCosignAttestations, provenanceEnvelope, pushImage, sbomEnvelope } from '../server/sources/oci/fixtures'
import { SourceRunner } from '../server/sources/runner'
import { findRegistryBinary, registryInstallHint, startRegistry } from '../server/store/testing/registry'
import { newKey, tempStore } from '../server/testing/documents'

const images = Number(process.env.BENCH_SOURCE_IMAGES ?? 1000)
// Requests the source keeps in flight (its `concurrency`); the registry's own CPU is shared with this process.
const concurrency = Number(process.env.BENCH_SOURCE_CONCURRENCY ?? 8)
if (findRegistryBinary() === null) {
  console.log(`Sources: skipped, ${registryInstallHint}`)
  process.exit(0)
}

/**
 * CPU time (ms) of this process and of the registry it started (its child, found in /proc; Linux only). On a
 * shared machine the wall clock of a short sync depends on what else runs; the CPU both sides spend does not.
 */
function cpuMs(): { self: number; registry: number | null } {
  const usage = process.cpuUsage()
  let registryMs: number | null = null
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue
      let stat: string
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      } catch {
        continue
      }
      // pid (comm) state ppid … utime stime: fields after the command name, which may hold spaces.
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      // Clock ticks are 1/100 s on Linux.
      if (name === 'docker-registry' && Number(fields[1]) === process.pid) registryMs = (Number(fields[11]) + Number(fields[12])) * 10
    }
  } catch {
    // No /proc: the wall clock alone is printed.
  }
  return { self: (usage.user + usage.system) / 1000, registry: registryMs }
}

const registry = await startRegistry()
const { store, dispose } = await tempStore()
try {
  const key = newKey('bench-release', 'ecdsa-p256')
  const pushStarted = performance.now()
  await mapLimit(
    Array.from({ length: images }, (_, index) => index),
    8,
    async (index) => {
      const image = await pushImage(registry, 'bench/app', `v${index}`)
      await attachCosignAttestations(registry, 'bench/app', image.digest, [provenanceEnvelope(key, image.digest, 'bench/app'), sbomEnvelope(key, image.digest, 'bench/app')])
    },
  )
  const pushSeconds = (performance.now() - pushStarted) / 1000

  const config = buildConfig(
    {
      trust: { keys: [{ id: key.id, publicKeyPem: key.publicKeyPem }] },
      sources: [{ name: 'bench', kind: 'oci', url: registry.url, repositories: [{ name: 'bench/app' }], concurrency }],
    },
    'bench',
  )
  const runner = new SourceRunner({ store, config })
  const sync = async () => {
    const before = cpuMs()
    const started = performance.now()
    runner.syncNow('bench', 'on-demand')
    await runner.settled('bench')
    const ms = performance.now() - started
    const after = cpuMs()
    const source = await runner.get('bench')
    const run = source?.lastRun
    if (!run || run.state !== 'succeeded') throw new Error(`the sync did not succeed: ${JSON.stringify(run?.errors.slice(0, 3))}`)
    const registryCpu = after.registry === null || before.registry === null ? null : after.registry - before.registry
    const cpu = registryCpu === null ? null : after.self - before.self + registryCpu
    return { ms, cpu, selfCpu: after.self - before.self, registryCpu, run }
  }
  const first = await sync()
  // The nothing-new sync is short, so one busy second on a shared machine moves it a lot: three runs, the median.
  const again = [await sync(), await sync(), await sync()]
  const median = [...again].sort((a, b) => a.ms - b.ms)[1] ?? again[0]
  if (median === undefined) throw new Error('no nothing-new sync ran')
  const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`)
  const pct = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)}%`
  // Split, because the two differ in kind: this process's share is ours to cut, the registry's is the cost of
  // each request it answers (Distribution 2.8 rebuilds its URL router for every request; docs/sources.md).
  const cpuText = (run: { cpu: number | null; selfCpu: number; registryCpu: number | null }) =>
    run.cpu === null || run.registryCpu === null ? '' : `, ${fmt(run.cpu)} of CPU (${fmt(run.selfCpu)} in this process, ${fmt(run.registryCpu)} in the registry)`
  const load = loadavg()
    .map((value) => value.toFixed(1))
    .join(' ')
  const gogc = process.env.GOGC === undefined ? '' : `, registry GOGC=${process.env.GOGC}`
  console.log(`Sources, OCI registry with ${images.toLocaleString('en')} images × 2 attestations (pushed in ${pushSeconds.toFixed(1)} s; concurrency ${concurrency}, SQLite${gogc}; load average ${load}):`)
  console.log(`  first full sync: ${fmt(first.ms)}${cpuText(first)} (${first.run.documentsIngested.toLocaleString('en')} documents verified and stored, ${Math.round(first.ms / images)} ms an image)`)
  console.log(
    `  incremental sync, nothing new (median of ${again.map((run) => fmt(run.ms)).join(', ')}): ${fmt(median.ms)}${cpuText(median)} (${median.run.unchanged.toLocaleString('en')} images unchanged, ${median.run.documentsIngested} stored): ${pct(median.ms, first.ms)} of the first's time${median.cpu !== null && first.cpu !== null ? `, ${pct(median.cpu, first.cpu)} of its CPU` : ''} (goal: under 5%)`,
  )
} finally {
  await dispose()
  await registry.stop()
}
