import { generateKeyPairSync, sign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Verification } from '../../../src/contract/common'
import { corpusDir, itWithCorpus } from '../../testing/corpus'
import { pae } from '../dsse'
import { IngestError } from '../errors'
import { prepareDocument } from '../ingest'
import { loadPublicKey } from '../keys'
import { loadSigstoreTrust, type SigstoreTrust } from './trust-material'

/*
 * A check that throws is a defect of ours, never a verdict about the document. The property: whichever access to
 * the trust material a check makes, and whatever it throws there, the document is never called failed unless it
 * fails without the crash too, and a changed verdict is `unverifiable` with the crash named as an internal error
 * (the check not judged), never worded as a finding.
 */

const MARKER = 'injected-crash-7f3a'

/**
 * The trust material, made to throw `error` at the `at`-th property read our code makes (reads counted into
 * `reads`). Reads @sigstore/verify makes are left alone: in places it catches whatever it calls and answers
 * "could not be verified" (a timestamp authority's chain, say), so a crash there cannot be told from a verdict by
 * anyone but the library. Crashes it lets through, or wraps with the runtime error as cause, are ours to catch.
 */
function crashingAt(trust: SigstoreTrust, at: number, error: unknown, reads: { count: number }): SigstoreTrust {
  const seen = new WeakMap<object, object>()
  const wrap = <T,>(value: T): T => {
    // Only plain objects and arrays: class instances (keys, certificates) keep internal slots a Proxy would hide.
    if (typeof value !== 'object' || value === null) return value
    if (!Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) return value
    const known = seen.get(value)
    if (known) return known as T
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        if (!new Error().stack?.includes('/node_modules/@sigstore/')) {
          reads.count++
          if (reads.count === at) throw error
        }
        return wrap(Reflect.get(target, key, receiver))
      },
    })
    seen.set(value, proxy)
    return proxy
  }
  return wrap(trust)
}

const thrown = fc.oneof(
  fc.constant(() => new TypeError(`Cannot read properties of undefined (reading 'envelope') ${MARKER}`)),
  fc.constant(() => new RangeError(`Invalid array length ${MARKER}`)),
  fc.constant(() => new Error(`${MARKER} plain error`)),
  fc.constant(() => `${MARKER} a thrown string`),
  fc.constant(() => ({ marker: MARKER })),
)

function verify(raw: Buffer, trust: SigstoreTrust): Verification {
  return prepareDocument(raw, { keys: [], now: () => Date.UTC(2026, 0, 1), sigstore: trust }).item.document.verification
}

function checkProperty(raw: Buffer, trust: SigstoreTrust): void {
  const baseline = verify(raw, trust)
  const counting = { count: 0 }
  // A proxy that never throws must change nothing: the property is about the crash, not the wrapping.
  expect(verify(raw, crashingAt(trust, Number.POSITIVE_INFINITY, null, counting))).toEqual(baseline)
  const reads = counting.count
  expect(reads).toBeGreaterThan(0)
  fc.assert(
    fc.property(fc.integer({ min: 1, max: reads }), thrown, (at, make) => {
      let verification: Verification
      try {
        verification = verify(raw, crashingAt(trust, at, make(), { count: 0 }))
      } catch (error) {
        // The input is a valid document: a crash must not become a refusal either.
        if (error instanceof IngestError) throw new Error(`a crash became a 4xx: ${error.message}`)
        throw error
      }
      if (verification.status === 'failed') expect(baseline.status, 'a crash made a document fail').toBe('failed')
      for (const check of verification.checks) {
        const words = [check.expected, check.actual, check.detail].join(' ')
        if (check.notJudged === undefined) expect(words, `${check.name} words a crash as a finding`).not.toContain(MARKER)
      }
      if (verification.status !== baseline.status) {
        expect(verification.status).toBe('unverifiable')
        expect(verification.checks.some((check) => !check.ok && check.notJudged?.startsWith('internal error'))).toBe(true)
      }
    }),
    { numRuns: 60, seed: 12 },
  )
}

const corpus = (path: string) => readFileSync(join(corpusDir, path))
const rootOf = (path: string) => loadSigstoreTrust([JSON.parse(corpus(path).toString('utf8'))], [])

// A timeout is a guard here, not a budget: each property runs 60 verifications on a loaded machine.
describe('a check that throws is never a verdict', { timeout: 60_000 }, () => {
  beforeEach(() => {
    // The server logs every internal error; here they are the point, not noise.
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
  })
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('a plain-key bundle, whatever read of the trust material throws', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const key = loadPublicKey('release', publicKey.export({ type: 'spki', format: 'pem' }).toString())
    const payload = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'a', digest: { sha256: 'a'.repeat(64) } }], predicateType: 'x', predicate: {} }))
    const type = 'application/vnd.in-toto+json'
    const bundle = {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: 'release' }, tlogEntries: [] },
      dsseEnvelope: { payload: payload.toString('base64'), payloadType: type, signatures: [{ sig: sign('sha256', pae(type, payload), privateKey).toString('base64'), keyid: '' }] },
    }
    checkProperty(Buffer.from(JSON.stringify(bundle)), loadSigstoreTrust([], [key]))
  })

  itWithCorpus('a verified v0.3 bundle of the conformance suite', () => {
    const root = rootOf('2-dsse-sigstore-bundles/sigstore-go/trusted-root-public-good.json')
    const raw = corpus('2-dsse-sigstore-bundles/sigstore-conformance/happy-path-v0.3/bundle.sigstore.json')
    expect(verify(raw, root).status).toBe('verified')
    checkProperty(raw, root)
  })

  itWithCorpus('a v0.1 message-signature bundle whose inclusion proof has no checkpoint', () => {
    const root = rootOf('2-dsse-sigstore-bundles/sigstore-conformance/rekor2-happy-path/trusted_root.json')
    const bundle = JSON.parse(corpus('2-dsse-sigstore-bundles/sigstore-python/bundle.txt.sigstore').toString('utf8')) as { verificationMaterial: { tlogEntries: { inclusionProof?: { checkpoint?: unknown } }[] } }
    for (const entry of bundle.verificationMaterial.tlogEntries) delete entry.inclusionProof?.checkpoint
    const raw = Buffer.from(JSON.stringify(bundle))
    expect(verify(raw, root).status).toBe('verified')
    checkProperty(raw, root)
  })
})

describe('a crash the library wraps as its own verdict', () => {
  itWithCorpus('is still an internal error: certificate-chain not judged, the bundle unverifiable, not failed', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const root = rootOf('2-dsse-sigstore-bundles/sigstore-go/trusted-root-public-good.json')
    // @sigstore/verify catches what its chain builder throws and answers CERTIFICATE_ERROR with it as the cause.
    const material = Object.defineProperty({ ...root.material }, 'certificateAuthorities', {
      get: () => [{ get certChain(): never { throw new TypeError(`Cannot read properties of undefined (reading 'subject') ${MARKER}`) }, validFor: { start: new Date(0), end: new Date(8.64e15) } }],
    })
    const raw = corpus('2-dsse-sigstore-bundles/sigstore-conformance/happy-path-v0.3/bundle.sigstore.json')
    const verification = verify(raw, { ...root, material })
    vi.restoreAllMocks()
    expect(verification.status).toBe('unverifiable')
    const chain = verification.checks.find((check) => check.name === 'certificate-chain')
    expect(chain?.ok).toBe(false)
    expect(chain?.notJudged).toMatch(/^internal error while checking \(TypeError: Cannot read properties of undefined/)
    expect(chain?.actual).toBe('could not be checked: internal error')
  })
})

describe('a reader that crashes', () => {
  it('stores the document as sent, unverifiable with the crash named, never failed and never a 5xx', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const payload = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'a', digest: { sha256: 'a'.repeat(64) } }], predicateType: 'x', predicate: {} }))
    const envelope = { payloadType: 'application/vnd.in-toto+json', payload: payload.toString('base64'), signatures: [{ keyid: 'k', sig: 'AAAA' }] }
    // Trusted keys that break when the verifier walks them, as a defect in key loading would.
    const keys = new Proxy([], { get: () => { throw new TypeError(`keys is broken ${MARKER}`) } })
    const prepared = prepareDocument(Buffer.from(JSON.stringify(envelope)), { keys, now: () => 0 })
    vi.restoreAllMocks()
    expect(prepared.item.document.format).toBe('dsse')
    const { verification } = prepared.item.document
    expect(verification.status).toBe('unverifiable')
    expect(verification.failedCheck).toBeNull()
    expect(verification.checks).toEqual([expect.objectContaining({ name: 'verification', ok: false, actual: 'could not be checked: internal error' })])
    expect(verification.checks[0]?.notJudged).toContain(`TypeError: keys is broken ${MARKER}`)
  })
})
