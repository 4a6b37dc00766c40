/**
 * `npm run bench` (part 2): throughput of the ingest paths by format, verification included. DSSE envelopes
 * signed with ECDSA P-256, Sigstore bundles with Rekor inclusion proofs (the real corpus bundles, when
 * ../shared/corpus is there), and OTLP/JSON spans.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { demoBuilds } from '../demo/model'
import { buildConfig, ingestContext } from '../server/config'
import { demoStatement } from '../demo/statement'
import { signEnvelope } from '../server/demo/seed'
import { ingestBody, prepareDocument } from '../server/ingest/ingest'
import { forgetChainResults } from '../server/ingest/sigstore/certificate'
import { demoTrace } from '../demo/traces'
import { ingestOtlpJson } from '../server/telemetry/ingest'
import { corpusDir, hasCorpus } from '../server/testing/corpus'
import { newKey, tempStore } from '../server/testing/documents'

const rate = (count: number, ms: number) => `${Math.round(count / (ms / 1000)).toLocaleString('en')}/s`

// DSSE / ECDSA P-256: parse, verify and store, in JSONL batches of 200.
{
  const key = newKey('bench-p256', 'ecdsa-p256')
  const config = buildConfig({ trust: { keys: [{ id: key.id, publicKeyPem: key.publicKeyPem }] } }, 'bench')
  const lines = demoBuilds(4000, 7).map((build) => JSON.stringify(signEnvelope(demoStatement(build), key)))
  const { store, dispose } = await tempStore()
  const started = performance.now()
  for (let offset = 0; offset < lines.length; offset += 200) {
    const result = await ingestBody(store, Buffer.from(lines.slice(offset, offset + 200).join('\n')), 'application/x-ndjson', ingestContext(config))
    if (!result.ok) throw new Error(result.error.message)
  }
  const ms = performance.now() - started
  console.log(`DSSE envelopes, ECDSA P-256, SLSA v1/v0.2: ${rate(lines.length, ms)} documents stored (parse + verify + store + log, ${lines.length} documents, batches of 200)`)
  const verifyStarted = performance.now()
  for (const line of lines.slice(0, 2000)) prepareDocument(Buffer.from(line), ingestContext(config))
  console.log(`DSSE envelopes, ECDSA P-256: ${rate(2000, performance.now() - verifyStarted)} documents verified (parse + verify only)`)
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
  const coldStarted = performance.now()
  for (let run = 0; run < runs; run++) {
    if (sigstore) forgetChainResults(sigstore)
    prepareDocument(bundles[run % bundles.length]!, context)
  }
  console.log(`Sigstore bundles (v0.3, Fulcio chain, Rekor inclusion proof + checkpoint, SET), each certificate new: ${rate(runs, performance.now() - coldStarted)} bundles verified (${runs} verifications of 3 real bundles)`)
  const started = performance.now()
  for (let run = 0; run < runs; run++) prepareDocument(bundles[run % bundles.length]!, context)
  console.log(`Sigstore bundles, certificate chains already verified for this configuration: ${rate(runs, performance.now() - started)} bundles verified (${runs} verifications of 3 real bundles)`)
} else {
  console.log('Sigstore bundles: skipped, ../shared/corpus is not beside the checkout')
}

// OTLP/JSON traces: one trace per build, checkout → setup → build → test → attest.
{
  const { store, dispose } = await tempStore()
  const traces = demoBuilds(1500, 11).map((build) => demoTrace(build))
  const spans = traces.reduce((sum, trace) => sum + JSON.stringify(trace).split('"spanId"').length - 1, 0)
  const started = performance.now()
  for (let offset = 0; offset < traces.length; offset += 50) {
    const batch = traces.slice(offset, offset + 50)
    const merged = { resourceSpans: batch.flatMap((trace) => (trace as { resourceSpans: unknown[] }).resourceSpans) }
    await ingestOtlpJson(store, JSON.stringify(merged))
  }
  const ms = performance.now() - started
  console.log(`OTLP/JSON spans: ${rate(spans, ms)} spans stored (${spans.toLocaleString('en')} spans in ${traces.length} traces, 50 traces a request)`)
  await dispose()
}
