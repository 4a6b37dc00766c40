/**
 * `npm run bench` (part 2), or `npx tsx bench/formats.ts`: throughput of the ingest paths by format, verification
 * included. DSSE envelopes signed with ECDSA P-256 (JSONL batches, and over HTTP one per request with 4 clients),
 * Sigstore bundles with Rekor inclusion proofs (the real corpus bundles, when ../shared/corpus is there), and
 * OTLP/JSON spans. Each figure is given per second of wall time and per second of this process's CPU time: on a
 * shared machine the first follows the load, the second is what one idle core would do.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { join } from 'node:path'
import { listen } from './listen'
import { createApp } from '../server/app'
import { demoBuilds } from '../demo/model'
import { buildConfig, ingestContext } from '../server/config'
import { demoStatement } from '../demo/statement'
import { signEnvelope } from '../server/demo/seed'
import { ingestBody, prepareDocument } from '../server/ingest/ingest'
import { forgetCertificates, forgetChainResults } from '../server/ingest/sigstore/certificate'
import { forgetLoggedKeys } from '../server/ingest/sigstore/transparency-log'
import { demoTrace } from '../demo/traces'
import { ingestOtlpJson } from '../server/telemetry/ingest'
import { corpusDir, hasCorpus } from '../server/testing/corpus'
import { newKey, tempStore } from '../server/testing/documents'

const rate = (count: number, ms: number) => `${Math.round(count / (ms / 1000)).toLocaleString('en')}/s`

/** Runs `work`, and says how fast `count` items went per wall second and per CPU second of this process. */
async function timed(count: number, work: () => Promise<void> | void): Promise<string> {
  const cpu = process.cpuUsage()
  const started = performance.now()
  await work()
  const wall = performance.now() - started
  const used = process.cpuUsage(cpu)
  return `${rate(count, wall)} (${rate(count, (used.user + used.system) / 1000)} per CPU second)`
}

console.log(`bench/formats: Node ${process.version}, ${availableParallelism()} cores, load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}`)

// DSSE / ECDSA P-256: parse, verify and store, in JSONL batches of 200.
{
  const key = newKey('bench-p256', 'ecdsa-p256')
  const config = buildConfig({ trust: { keys: [{ id: key.id, publicKeyPem: key.publicKeyPem }] } }, 'bench')
  const lines = demoBuilds(4000, 7).map((build) => JSON.stringify(signEnvelope(demoStatement(build), key)))
  const { store, dispose } = await tempStore()
  const stored = await timed(lines.length, async () => {
    for (let offset = 0; offset < lines.length; offset += 200) {
      const result = await ingestBody(store, Buffer.from(lines.slice(offset, offset + 200).join('\n')), 'application/x-ndjson', ingestContext(config))
      if (!result.ok) throw new Error(result.error.message)
    }
  })
  console.log(`DSSE envelopes, ECDSA P-256, SLSA v1/v0.2: ${stored} documents stored (parse + verify + store + log, ${lines.length} documents, JSONL batches of 200; goal 2,000/s)`)
  const verified = await timed(2000, () => {
    for (const line of lines.slice(0, 2000)) prepareDocument(Buffer.from(line), ingestContext(config))
  })
  console.log(`DSSE envelopes, ECDSA P-256: ${verified} documents verified (parse + verify only)`)
  await dispose()
}

// DSSE over HTTP, one document per request, 4 clients at once (what CI jobs do): each 201 is on disk.
{
  const key = newKey('bench-http', 'ecdsa-p256')
  const token = 'bench-formats-http'
  const config = buildConfig(
    { trust: { keys: [{ id: key.id, publicKeyPem: key.publicKeyPem }] }, tokens: [{ name: 'bench', sha256: createHash('sha256').update(token).digest('hex'), scopes: ['ingest'] }] },
    'bench',
  )
  const bodies = demoBuilds(2000, 13).map((build) => JSON.stringify(signEnvelope(demoStatement(build), key)))
  const { store, dispose } = await tempStore()
  const { base, server } = await listen(createApp({ store, config, version: 'bench', demo: false }).fetch)
  const url = `${base}/api/v1/attestations`
  let next = 0
  const client = async () => {
    while (next < bodies.length) {
      const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: bodies[next++] })
      if (response.status !== 201) throw new Error(`ingest answered ${response.status}: ${await response.text()}`)
    }
  }
  const figure = await timed(bodies.length, () => Promise.all([client(), client(), client(), client()]).then(() => undefined))
  console.log(`DSSE envelopes over HTTP, one per request, 4 clients: ${figure} documents stored (${bodies.length} requests, client and server in this process; goal 800/s)`)
  await new Promise((resolve) => server.close(resolve))
  await dispose()
}

// Sigstore bundles with inclusion proofs and signed checkpoints: the real ones from the corpus.
if (hasCorpus) {
  const config = buildConfig(
    {
      trust: {
        trustedRoots: ['2-dsse-sigstore-bundles/sigstore-go/trusted-root-public-good.json', '3-npm-github-attestations/github-gh-cli/trusted_root.json'],
      },
    },
    'bench',
    corpusDir,
  )
  const bundles = [
    '1-slsa-provenance/slsa-verifier/bcr/MODULE.bazel.intoto.jsonl',
    '1-slsa-provenance/slsa-verifier/gha_bundle/valid-v0.3.intoto.sigstore',
    '2-dsse-sigstore-bundles/sigstore-js/bundleV03-dsse.sigstore',
  ].map((path) => Buffer.from(readFileSync(join(corpusDir, path), 'utf8').trim()))
  const context = ingestContext(config)
  for (const bundle of bundles) {
    const status = prepareDocument(bundle, context).item.document.verification.status
    if (status !== 'verified') throw new Error(`bench bundle did not verify: ${status}`)
  }
  const runs = 300
  const sigstore = context.sigstore
  // Cold: every bundle's certificate as if never seen (its chain built by @sigstore/verify); warm: a certificate
  // seen before (the chain result is kept per configuration and certificate, as for a release's several attestations).
  const cold = await timed(runs, () => {
    for (let run = 0; run < runs; run++) {
      if (sigstore) forgetChainResults(sigstore)
      forgetCertificates()
      forgetLoggedKeys()
      prepareDocument(bundles[run % bundles.length]!, context)
    }
  })
  console.log(`Sigstore bundles (v0.3, Fulcio chain, Rekor inclusion proof + checkpoint, SET), each certificate new: ${cold} bundles verified (${runs} verifications of 3 real bundles; goal 400/s stored)`)
  const warm = await timed(runs, () => {
    for (let run = 0; run < runs; run++) prepareDocument(bundles[run % bundles.length]!, context)
  })
  console.log(`Sigstore bundles, certificates already read and their chains verified for this configuration: ${warm} bundles verified (${runs} verifications of 3 real bundles)`)
  const { store, dispose } = await tempStore()
  const lines = Array.from({ length: runs }, (_, run) => bundles[run % bundles.length]!.toString('utf8'))
  const storedBundles = await timed(runs, async () => {
    // Distinct documents (the same bundles would be stored once): each line a bundle with its own trailing spaces.
    const body = lines.map((line, run) => `${line}${' '.repeat(run)}`).join('\n')
    const result = await ingestBody(store, Buffer.from(body), 'application/x-ndjson', context)
    if (!result.ok) throw new Error(result.error.message)
  })
  console.log(`Sigstore bundles stored (verify + store + log, one JSONL body of ${runs}, certificates seen before): ${storedBundles}`)
  await dispose()
} else {
  console.log('Sigstore bundles: skipped, ../shared/corpus is not beside the checkout')
}

// OTLP/JSON traces: one trace per build, checkout → setup → build → test → attest.
{
  const { store, dispose } = await tempStore()
  const traces = demoBuilds(1500, 11).map((build) => demoTrace(build))
  const spans = traces.reduce((sum, trace) => sum + JSON.stringify(trace).split('"spanId"').length - 1, 0)
  const figure = await timed(spans, async () => {
    for (let offset = 0; offset < traces.length; offset += 50) {
      const batch = traces.slice(offset, offset + 50)
      const merged = { resourceSpans: batch.flatMap((trace) => (trace as { resourceSpans: unknown[] }).resourceSpans) }
      await ingestOtlpJson(store, JSON.stringify(merged))
    }
  })
  console.log(`OTLP/JSON spans: ${figure} spans stored (${spans.toLocaleString('en')} spans in ${traces.length} traces, 50 traces a request)`)
  await dispose()
}
