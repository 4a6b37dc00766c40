import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, expect, it, onTestFinished } from 'vitest'
import { buildConfig, ingestContext } from '../../config'
import { IngestError } from '../errors'
import { prepareDocument, type PreparedDocument } from '../ingest'
import { corpusDir, describeWithCorpus } from '../../testing/corpus'
import { closeVerifyPool, prepareBundlesInWorkers } from './pool'

const BUNDLES = [
  '1-slsa-provenance/slsa-verifier/bcr/MODULE.bazel.intoto.jsonl',
  '1-slsa-provenance/slsa-verifier/gha_bundle/valid-v0.3.intoto.sigstore',
  '2-dsse-sigstore-bundles/sigstore-js/bundleV03-dsse.sigstore',
  // One that does not verify: its verdict and every check's message must come back from the worker unchanged.
  '2-dsse-sigstore-bundles/sigstore-conformance-suite/intoto-expired-certificate_fail/bundle.sigstore.json',
]

afterAll(() => closeVerifyPool())

describeWithCorpus('Sigstore bundles verified on worker threads', () => {
  const config = buildConfig(
    {
      trust: {
        trustedRoots: ['2-dsse-sigstore-bundles/sigstore-go/trusted-root-public-good.json', '3-npm-github-attestations/github-gh-cli/trusted_root.json'],
      },
    },
    'test',
    corpusDir,
  )
  const context = { ...ingestContext(config), now: () => Date.parse('2026-01-02T03:04:05Z') }
  const bundles = BUNDLES.map((path) => Buffer.from(readFileSync(join(corpusDir, path), 'utf8')))
  // Not a bundle, a broken bundle (an IngestError), and one more of each real bundle: a batch of ten.
  const raws = [
    ...bundles,
    Buffer.from('{"not":"a bundle"}'),
    Buffer.from('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{}}'),
    ...bundles,
  ]

  it('gives every bundle of a batch exactly what the main thread gives: the document, its verdict and each check', async () => {
    const pooled = await prepareBundlesInWorkers<PreparedDocument>(raws, context)
    expect(pooled).not.toBeNull()
    raws.forEach((raw, index) => {
      const outcome = pooled?.[index]
      let here: PreparedDocument | IngestError
      try {
        here = prepareDocument(raw, context)
      } catch (error) {
        if (!(error instanceof IngestError)) throw error
        here = error
      }
      if (index === 4) {
        // Not a bundle: left to the caller.
        expect(outcome).toBeUndefined()
        return
      }
      if (here instanceof IngestError) {
        expect(outcome).toEqual({ error: { code: here.code, message: here.message, ...(here.path ? { path: here.path } : {}) } })
        return
      }
      expect(outcome && 'ok' in outcome).toBe(true)
      if (!outcome || !('ok' in outcome)) return
      expect(outcome.ok).toEqual(here)
      // Buffers come back as Buffers (structured cloning sends plain Uint8Arrays), so the store reads them as before.
      expect(Buffer.isBuffer(outcome.ok.item.document.raw)).toBe(true)
    })
    const statuses = pooled?.flatMap((outcome) => (outcome && 'ok' in outcome ? [outcome.ok.item.document.verification.status] : []))
    // The expired-certificate case needs its own trusted root, so under production's it is unverifiable, on both threads.
    expect(statuses).toEqual(['verified', 'verified', 'verified', 'unverifiable', 'verified', 'verified', 'verified', 'unverifiable'])
    // Starting the workers compiles the verifier's sources in each of them: seconds on a loaded machine.
  }, 60_000)

  it('starts new workers for the batch after the pool was closed', async () => {
    expect(await prepareBundlesInWorkers(raws, context)).not.toBeNull()
    await closeVerifyPool()
    // The closed workers' exit events have come by now; they must not switch the pool off for good.
    await new Promise((resolve) => setTimeout(resolve, 100))
    const again = await prepareBundlesInWorkers<PreparedDocument>(raws, context)
    expect(again?.[0] && 'ok' in again[0] ? again[0].ok.item.document.verification.status : null).toBe('verified')
  }, 120_000)

  it('answers bodies in the order they came: a large body sent first is not held up by a small one sent after it', async () => {
    // One worker answers its messages in the order they came, so the order of the answers is the order of hand-out.
    await closeVerifyPool()
    const configured = process.env.SIGSTORE_WORKERS
    process.env.SIGSTORE_WORKERS = '1'
    onTestFinished(async () => {
      if (configured === undefined) delete process.env.SIGSTORE_WORKERS
      else process.env.SIGSTORE_WORKERS = configured
      await closeVerifyPool()
    })
    const large = Array.from({ length: 8 }, () => bundles).flat()
    const order: string[] = []
    const first = prepareBundlesInWorkers<PreparedDocument>(large, context).then((outcomes) => {
      order.push('large')
      return outcomes
    })
    const second = prepareBundlesInWorkers<PreparedDocument>(bundles, context).then((outcomes) => {
      order.push('small')
      return outcomes
    })
    const [largeOutcomes, smallOutcomes] = await Promise.all([first, second])
    // The main thread stores the first body while the workers go on with the next one.
    expect(order).toEqual(['large', 'small'])
    expect(largeOutcomes?.map((outcome) => (outcome && 'ok' in outcome ? outcome.ok.item.document.raw : null))).toEqual(large)
    expect(smallOutcomes?.map((outcome) => (outcome && 'ok' in outcome ? outcome.ok.item.document.verification.status : null))).toEqual([
      'verified',
      'verified',
      'verified',
      'unverifiable',
    ])
  }, 60_000)

  it('leaves a batch of fewer than four bundles to the main thread', async () => {
    expect(await prepareBundlesInWorkers(bundles.slice(0, 3), context)).toBeNull()
  })
})
