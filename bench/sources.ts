/**
 * `npm run bench` (sources): an OCI registry (Debian's docker-registry on loopback) holding BENCH_SOURCE_IMAGES
 * images (default 1,000), each with two attestations (a SLSA provenance and a CycloneDX SBOM attestation, DSSE,
 * in cosign's `.att` manifest); the time of a first full sync into an empty SQLite store, and of a second sync
 * with nothing new. Prints figures, never pass/fail.
 */
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
    const started = performance.now()
    runner.syncNow('bench', 'on-demand')
    await runner.settled('bench')
    const ms = performance.now() - started
    const source = await runner.get('bench')
    const run = source?.lastRun
    if (!run || run.state !== 'succeeded') throw new Error(`the sync did not succeed: ${JSON.stringify(run?.errors.slice(0, 3))}`)
    return { ms, run }
  }
  const first = await sync()
  const second = await sync()
  const third = await sync()
  const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`)
  const load = loadavg()
    .map((value) => value.toFixed(1))
    .join(' ')
  console.log(`Sources, OCI registry with ${images.toLocaleString('en')} images × 2 attestations (pushed in ${pushSeconds.toFixed(1)} s; concurrency ${concurrency}, SQLite; load average ${load}):`)
  console.log(`  first full sync: ${fmt(first.ms)} (${first.run.documentsIngested.toLocaleString('en')} documents verified and stored, ${Math.round(first.ms / images)} ms an image)`)
  console.log(
    `  incremental sync, nothing new: ${fmt(second.ms)} (${second.run.unchanged.toLocaleString('en')} images unchanged, ${second.run.documentsIngested} stored): ${((second.ms / first.ms) * 100).toFixed(1)}% of the first (goal: under 5%)`,
  )
  // Measured twice: on a shared machine one short run can land on a busy second.
  console.log(`  again, nothing new: ${fmt(third.ms)} (${third.run.unchanged.toLocaleString('en')} unchanged, ${third.run.documentsIngested} stored): ${((third.ms / first.ms) * 100).toFixed(1)}% of the first`)
} finally {
  await dispose()
  await registry.stop()
}
