/**
 * `npm run bench` (sources): an OCI registry (Debian's docker-registry on loopback) holding BENCH_SOURCE_IMAGES
 * images (default 1,000), each with two attestations (a SLSA provenance and a CycloneDX SBOM attestation, DSSE,
 * in cosign's `.att` manifest), with its notifications sent to this server's change-feed route. Prints the time
 * and CPU (ours and the registry's) of a first full sync into an empty SQLite store; of a sync with nothing new
 * that polls (a full check: what every sync of a source without a change feed does); of a feed-driven sync with
 * nothing new; and of a feed-driven sync after one new image. Also the requests each sync sent, by kind. Prints
 * figures, never pass/fail.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { createHash } from 'node:crypto'
import { createApp } from '../server/app'
import { buildConfig } from '../server/config'
import { mapLimit, type Transport } from '../server/sources/http'
import { nodeTransport } from '../server/sources/node-transport'
import { OciClient } from '../server/sources/oci/client'
import { attachCosignAttestations, provenanceEnvelope, pushImage, sbomEnvelope } from '../server/sources/oci/fixtures'
import { syncOci } from '../server/sources/oci/sync'
import { SourceRunner } from '../server/sources/runner'
import { findRegistryBinary, registryInstallHint, startRegistry } from '../server/store/testing/registry'
import { newKey, tempStore } from '../server/testing/documents'
import { listen } from './listen'

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

/** The kind of a registry request, for the per-sync count. */
function requestKind(method: string, url: string, status: number): string {
  const path = new URL(url).pathname
  if (path.endsWith('/tags/list')) return `${status} ${method} tags list`
  if (path.includes('/referrers/')) return `${status} ${method} referrers API`
  if (path.includes('/blobs/')) return `${status} ${method} blob`
  if (/\/manifests\/sha256-[0-9a-f]{64}\.(att|sig)$/.test(path)) return `${status} ${method} .att/.sig tag`
  if (/\/manifests\/sha256-[0-9a-f]{64}$/.test(path)) return `${status} ${method} referrers-schema tag`
  if (path.includes('/manifests/sha256:')) return `${status} ${method} manifest by digest`
  if (path.includes('/manifests/')) return `${status} ${method} image tag`
  return `${status} ${method} other`
}

const requests = new Map<string, number>()
// The production transport, counting what it sends: so the figures are of the requests the sync really makes.
const counting: Transport = async (url, init) => {
  const response = await nodeTransport(url, init)
  const kind = requestKind(init.method ?? 'GET', url, response.status)
  requests.set(kind, (requests.get(kind) ?? 0) + 1)
  return response
}

const INGEST = 'bench-ingest-token'
// The registry posts its notifications to this server, which is up before the registry so none is lost.
let appFetch: (request: Request) => Response | Promise<Response> = () => new Response('starting', { status: 503 })
const { base, server } = await listen((request) => appFetch(request))
// A registry configured as a production one would be (Debian's packaged config.yml keeps blob metadata in memory),
// with its logs at `error` and its access log off: a production registry logs on its own machine, not the dashboard's.
const registry = await startRegistry({ notifications: { url: `${base}/api/v1/sources/bench/events`, token: INGEST }, blobDescriptorCache: true })
const registryConfig = 'Distribution 2.8 (Debian docker-registry), filesystem storage, blobdescriptor cache inmemory, log level error, access log off, no auth'
const { store, dispose } = await tempStore()
try {
  const key = newKey('bench-release', 'ecdsa-p256')
  const config = buildConfig(
    {
      trust: { keys: [{ id: key.id, publicKeyPem: key.publicKeyPem }] },
      tokens: [{ name: 'registry', sha256: createHash('sha256').update(INGEST).digest('hex'), scopes: ['ingest'] }],
      sources: [{ name: 'bench', kind: 'oci', url: registry.url, repositories: [{ name: 'bench/app' }], concurrency, changeFeed: {} }],
    },
    'bench',
  )
  const client = new OciClient(registry.url, null, { transport: counting })
  const runner = new SourceRunner({ store, config, connector: (context) => (context.source.kind === 'oci' ? syncOci({ ...context, source: context.source }, client) : Promise.resolve()) })
  appFetch = createApp({ store, config, version: 'bench', demo: false, sources: runner }).fetch

  /** Waits until the registry's events for what was pushed have all arrived (two manifest pushes an image). */
  const eventsIn = async (expected: number) => {
    const deadline = Date.now() + 120_000
    while ((await store.sources.lastEventSeq('bench')) < expected) {
      if (Date.now() > deadline) throw new Error(`only ${await store.sources.lastEventSeq('bench')} of ${expected} registry events arrived`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  const push = async (index: number) => {
    const image = await pushImage(registry, 'bench/app', `v${index}`)
    await attachCosignAttestations(registry, 'bench/app', image.digest, [provenanceEnvelope(key, image.digest, 'bench/app'), sbomEnvelope(key, image.digest, 'bench/app')])
  }

  const pushStarted = performance.now()
  await mapLimit(
    Array.from({ length: images }, (_, index) => index),
    8,
    push,
  )
  await eventsIn(2 * images)
  const pushSeconds = (performance.now() - pushStarted) / 1000

  const sync = async (trigger: 'on-demand' | 'scheduled') => {
    requests.clear()
    const before = cpuMs()
    const started = performance.now()
    runner.syncNow('bench', trigger)
    await runner.settled('bench')
    const ms = performance.now() - started
    const after = cpuMs()
    const source = await runner.get('bench')
    const run = source?.lastRun
    if (!run || run.state !== 'succeeded') throw new Error(`the sync did not succeed: ${JSON.stringify(run?.errors.slice(0, 3))}`)
    const registryCpu = after.registry === null || before.registry === null ? null : after.registry - before.registry
    const cpu = registryCpu === null ? null : after.self - before.self + registryCpu
    const sent = [...requests].sort((a, b) => b[1] - a[1])
    return { ms, cpu, selfCpu: after.self - before.self, registryCpu, run, sent, total: sent.reduce((sum, [, count]) => sum + count, 0) }
  }
  type Sync = Awaited<ReturnType<typeof sync>>
  // Short syncs move a lot with one busy second on a shared machine: three runs each, the median.
  const median = (runs: Sync[]): Sync => {
    const middle = [...runs].sort((a, b) => a.ms - b.ms)[1] ?? runs[0]
    if (middle === undefined) throw new Error('no sync ran')
    return middle
  }

  // "Sync now" is a full check; the scheduled syncs after it read the change feed.
  const first = await sync('on-demand')
  const polled = [await sync('on-demand'), await sync('on-demand'), await sync('on-demand')]
  /**
   * What the registry spends on a request whatever it asks: `GET /v2/` answered by the same registry, as many as a
   * polling sync sends. Distribution 2.8 builds its whole URL router for every request (docs/sources.md), so this is
   * the floor under a polling sync's registry CPU, which no client can lower except by sending fewer requests.
   */
  const floor = async (count: number) => {
    const before = cpuMs()
    const started = performance.now()
    await mapLimit(Array.from({ length: count }, (_, index) => index), concurrency, async () => {
      const answer = await nodeTransport(`${registry.url}/v2/`, { timeoutMs: 30_000 })
      if (answer.status !== 200) throw new Error(`GET /v2/ answered ${answer.status}`)
    })
    const after = cpuMs()
    return { ms: performance.now() - started, selfCpu: after.self - before.self, registryCpu: after.registry === null || before.registry === null ? null : after.registry - before.registry }
  }
  // As many as a polling sync sends, right after those syncs: the same machine, the same registry heap.
  const pollRequests = polled[0]?.total ?? images
  const floors = [await floor(pollRequests), await floor(pollRequests), await floor(pollRequests)]
  const registryFloor = [...floors].sort((a, b) => a.ms - b.ms)[1] ?? floors[0]

  const fedQuiet = [await sync('scheduled'), await sync('scheduled'), await sync('scheduled')]
  const fedOne: Sync[] = []
  for (let index = 0; index < 3; index++) {
    await push(images + index)
    await eventsIn(2 * (images + index + 1))
    fedOne.push(await sync('scheduled'))
    if (fedOne.at(-1)?.run.documentsIngested !== 2) throw new Error(`the feed-driven sync stored ${fedOne.at(-1)?.run.documentsIngested} documents of the new image, not 2`)
  }

  const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 10 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`)
  const pct = (part: number, whole: number) => `${((part / whole) * 100).toFixed(part / whole < 0.01 ? 2 : 1)}%`
  // Split, because the two differ in kind: this process's share is ours to cut, the registry's is the cost of
  // each request it answers (Distribution 2.8 rebuilds its URL router for every request; docs/sources.md).
  const cpuText = (run: Sync) => (run.cpu === null || run.registryCpu === null ? '' : `, ${fmt(run.cpu)} of CPU (${fmt(run.selfCpu)} ours, ${fmt(run.registryCpu)} the registry's)`)
  const ratios = (run: Sync) => `${pct(run.ms, first.ms)} of the first's time${run.cpu !== null && first.cpu !== null ? `, ${pct(run.cpu, first.cpu)} of its CPU` : ''}`
  const sentText = (run: Sync) => (run.total === 0 ? 'no registry request' : `${run.total.toLocaleString('en')} registry requests (${run.sent.map(([kind, count]) => `${count.toLocaleString('en')} × ${kind}`).join(', ')})`)
  const runs = (list: Sync[]) => list.map((run) => fmt(run.ms)).join(', ')
  const load = loadavg()
    .map((value) => value.toFixed(1))
    .join(' ')
  const gogc = process.env.GOGC === undefined ? '' : `, registry GOGC=${process.env.GOGC}`
  console.log(`Sources, OCI registry with ${images.toLocaleString('en')} images × 2 attestations (pushed in ${pushSeconds.toFixed(1)} s with notifications on; concurrency ${concurrency}, SQLite${gogc}; load average ${load}):`)
  console.log(`  registry: ${registryConfig}, on the same machine as this process`)
  console.log(`  first full sync: ${fmt(first.ms)}${cpuText(first)} (${first.run.documentsIngested.toLocaleString('en')} documents verified and stored, ${Math.round(first.ms / images)} ms an image; ${sentText(first)})`)
  const quiet = median(polled)
  console.log(`  nothing new, polling (a full check; median of ${runs(polled)}): ${fmt(quiet.ms)}${cpuText(quiet)}: ${ratios(quiet)} (goal: under 5%); ${sentText(quiet)}, ${(quiet.total / images).toFixed(3)} an image`)
  if (quiet.cpu !== null && first.cpu !== null && quiet.registryCpu !== null && first.registryCpu !== null) {
    console.log(`    of which this process: ${fmt(quiet.selfCpu)} of CPU, ${pct(quiet.selfCpu, first.selfCpu)} of what the first sync spent here; the registry: ${fmt(quiet.registryCpu)}, ${(quiet.registryCpu / quiet.total).toFixed(2)} ms a request`)
  }
  if (registryFloor !== undefined && registryFloor.registryCpu !== null) {
    console.log(
      `  the registry's floor: ${pollRequests.toLocaleString('en')} × GET /v2/ (median of ${floors.map((run) => fmt(run.ms)).join(', ')}): ${fmt(registryFloor.ms)}, ${fmt(registryFloor.registryCpu)} of the registry's CPU (${(registryFloor.registryCpu / pollRequests).toFixed(2)} ms a request) and ${fmt(registryFloor.selfCpu)} of ours: ${pct(registryFloor.ms, first.ms)} of the first sync's time before any tag is looked at`,
    )
  }
  const fed = median(fedQuiet)
  console.log(`  nothing new, change feed (median of ${runs(fedQuiet)}): ${fmt(fed.ms)}${cpuText(fed)}: ${ratios(fed)}; ${sentText(fed)}`)
  const one = median(fedOne)
  console.log(`  one new image, change feed (median of ${runs(fedOne)}): ${fmt(one.ms)}${cpuText(one)}: ${ratios(one)}; ${one.run.changeEvents ?? 0} events read, ${one.run.documentsIngested} documents stored; ${sentText(one)}`)
} finally {
  await dispose()
  await registry.stop()
  // Kept-alive connections would hold close() for the listener's long keep-alive.
  if ('closeAllConnections' in server) server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
}
