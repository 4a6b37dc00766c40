import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { corpusDir, describeWithCorpus } from '../../testing/corpus'
import { prepareBundle, type PrepareBundleOptions } from './prepare-bundle'
import { loadSigstoreTrust } from './trust-material'

/*
 * Older message-signature bundles (v0.1, x509CertificateChain, hashedrekord 0.0.1 with a signed entry timestamp
 * and an inclusion proof that carries no checkpoint), as sigstore-python signed release tarballs for years. The
 * corpus' sigstore-python/bundle.txt.sigstore, with its checkpoint removed in memory, is one: its signed entry
 * timestamp does not cover the proof, so the bundle stays valid.
 */

const read = (path: string) => readFileSync(join(corpusDir, path))
const STAGING_ROOT = '2-dsse-sigstore-bundles/sigstore-conformance/rekor2-happy-path/trusted_root.json'
const PUBLIC_GOOD = '2-dsse-sigstore-bundles/sigstore-go/trusted-root-public-good.json'
const PYTHON_BUNDLE = '2-dsse-sigstore-bundles/sigstore-python/bundle.txt.sigstore'
const SUITE = '2-dsse-sigstore-bundles/sigstore-conformance-suite'

type Entry = { inclusionPromise?: unknown; inclusionProof?: { checkpoint?: unknown; hashes: string[] } }
type Bundle = { mediaType: string; verificationMaterial: { tlogEntries: Entry[] } }

const trust = (path: string) => loadSigstoreTrust([JSON.parse(read(path).toString('utf8'))], [])
const bundleOf = (path: string): Bundle => JSON.parse(read(path).toString('utf8')) as Bundle
const entryOf = (bundle: Bundle): Entry => {
  const entry = bundle.verificationMaterial.tlogEntries[0]
  if (!entry) throw new Error('the corpus bundle has no log entry')
  return entry
}

function withoutCheckpoint(): Bundle {
  const bundle = bundleOf(PYTHON_BUNDLE)
  const entry = entryOf(bundle)
  expect(entry.inclusionProof?.checkpoint, 'the corpus bundle has a checkpoint to take away').toBeDefined()
  delete entry.inclusionProof?.checkpoint
  return bundle
}

const verify = (bundle: unknown, root = STAGING_ROOT, options: PrepareBundleOptions = {}) => prepareBundle(bundle, trust(root), options).verification
const check = (verification: ReturnType<typeof verify>, name: string) => verification.checks.find((item) => item.name === name)
const artifactDigest = { algorithm: 'sha256', hex: createHash('sha256').update(read('2-dsse-sigstore-bundles/sigstore-python/bundle.txt')).digest('hex') }

describeWithCorpus('v0.1 message-signature bundles whose inclusion proof has no checkpoint', () => {
  it('verify against the digest in the bundle, the signed entry timestamp standing as the log promise', () => {
    const bundle = withoutCheckpoint()
    expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle+json;version=0.1')
    const verification = verify(bundle)
    expect(verification.status).toBe('verified')
    expect(check(verification, 'transparency-log')?.actual).toMatch(/inclusion proof leads to its root hash, which no checkpoint signs, signed entry timestamp verified \(the log's promise of inclusion\); records this signature$/)
    expect(check(verification, 'certificate-chain')).toMatchObject({ ok: true })
    expect(check(verification, 'bundle-signature')).toMatchObject({ ok: true })
  })

  it('check the artifact digest when it is known from elsewhere: the right one passes, another fails at subject-digest', () => {
    const right = verify(withoutCheckpoint(), STAGING_ROOT, { artifactDigest })
    expect(right.status).toBe('verified')
    expect(check(right, 'subject-digest')).toMatchObject({ ok: true, actual: `message digest sha256:${artifactDigest.hex}` })
    const wrong = verify(withoutCheckpoint(), STAGING_ROOT, { artifactDigest: { algorithm: 'sha256', hex: 'b'.repeat(64) } })
    expect(wrong).toMatchObject({ status: 'failed', failedCheck: 'subject-digest' })
  })

  it('still verify with their checkpoint, as before', () => {
    expect(verify(bundleOf(PYTHON_BUNDLE)).status).toBe('verified')
  })

  it('fail at transparency-log when the proof does not lead to its own root', () => {
    const bundle = withoutCheckpoint()
    const proof = entryOf(bundle).inclusionProof
    if (!proof) throw new Error('no proof')
    proof.hashes = proof.hashes.map((hash, index) => (index === 0 ? Buffer.alloc(32, 1).toString('base64') : hash))
    const verification = verify(bundle)
    expect(verification).toMatchObject({ status: 'failed', failedCheck: 'transparency-log' })
    expect(check(verification, 'transparency-log')?.actual).toMatch(/does not lead from the entry to the root hash it names/)
  })

  it('fail at transparency-log when nothing the log signed vouches for the entry', () => {
    const bundle = withoutCheckpoint()
    delete entryOf(bundle).inclusionPromise
    const verification = verify(bundle)
    expect(verification).toMatchObject({ status: 'failed', failedCheck: 'transparency-log' })
    expect(check(verification, 'transparency-log')?.actual).toMatch(/no signed checkpoint and there is no signed entry timestamp/)
  })

  it('fail, without a crash, in the conformance cases that carry such proofs', () => {
    const oldProof = verify(bundleOf(`${SUITE}/invalid-inclusion-proof_fail/bundle.sigstore.json`), PUBLIC_GOOD)
    expect(oldProof).toMatchObject({ status: 'failed', failedCheck: 'transparency-log' })
    expect(check(oldProof, 'transparency-log')?.actual).toMatch(/does not lead from the entry to the root hash it names/)
    const rootInChain = verify(bundleOf(`${SUITE}/bundle-with-root-cert_fail/bundle.sigstore.json`), PUBLIC_GOOD)
    expect(rootInChain).toMatchObject({ status: 'failed', failedCheck: 'certificate-chain' })
    expect(check(rootInChain, 'certificate-chain')?.actual).toMatch(/certificate 2 of the bundle's chain \(O=sigstore.dev, CN=sigstore, a self-signed root\) did not issue certificate 1/)
    expect(check(rootInChain, 'transparency-log')).toMatchObject({ ok: true })
  })
})
