import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Verification } from '../../src/contract/common'
import { verdictSummary } from '../../src/lib/verdict'
import { buildConfig, ingestContext } from '../config'
import { signEnvelope } from '../demo/seed'
import { corpusDir, itWithCorpus } from '../testing/corpus'
import { newKey, slsaV1Statement } from '../testing/documents'
import { prepareDocument } from './ingest'
import { loadSigstoreTrust } from './sigstore/trust-material'

// The dashboard's summary sentence (src/lib/verdict.ts) over the checks this verifier really records, for every
// status: the sentence may claim only what a check established.

const release = newKey('release', 'ecdsa-p256')
const other = newKey('other-team', 'ed25519')
const rogue = newKey('rogue', 'ed25519')
const config = buildConfig(
  {
    trust: { keys: [release, other].map((key) => ({ id: key.id, publicKeyPem: key.publicKeyPem })) },
    policies: [
      {
        name: 'acme',
        repositories: ['https://github.com/acme/*'],
        signers: [{ keyId: 'release' }],
        builders: ['https://github.com/actions/runner/*'],
        buildTypes: ['https://actions.github.io/buildtypes/workflow/v1'],
        requiredChecks: ['envelope-signature'],
      },
    ],
  },
  'test',
)
const verify = (document: unknown): Verification => prepareDocument(Buffer.from(JSON.stringify(document)), ingestContext(config)).item.document.verification
const statement = (overrides: { builderId?: string } = {}) => slsaV1Statement({ repo: 'https://github.com/acme/web', ...overrides })

function altered(envelope: Record<string, unknown>): Record<string, unknown> {
  const signatures = envelope.signatures as { keyid: string; sig: string }[]
  return { ...envelope, signatures: signatures.map(({ keyid, sig }) => ({ keyid, sig: `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}` })) }
}

describe('verdict wording over the verifier’s own checks', () => {
  it('verified', () => {
    const verification = verify(signEnvelope(statement(), release))
    expect(verification.status).toBe('verified')
    expect(verdictSummary(verification)).toBe(`Signed by release, which this server trusts; the signature verifies, and all ${verification.checks.length} checks passed.`)
  })

  it('failed: an altered signature by a trusted key, the signer not judged, the cause first', () => {
    const verification = verify(altered(signEnvelope(statement(), release)))
    expect(verification).toMatchObject({ status: 'failed', failedCheck: 'envelope-signature' })
    expect(verification.checks.find((check) => check.name === 'signer-identity')).toMatchObject({ ok: false, notJudged: 'the envelope-signature check failed, so who signed is not established' })
    expect(verdictSummary(verification)).toBe(
      '2 checks failed, first envelope-signature: the signature does not verify over the signed content, so the content or the signature was altered after signing. ' +
        'The others: required:envelope-signature. 1 check was not judged because of it (signer-identity). Do not rely on this document until the cause is understood.',
    )
  })

  it('failed several ways: another trusted key, a builder and nothing else wrong', () => {
    const verification = verify(signEnvelope(statement({ builderId: 'https://evil.example/builder' }), other))
    expect(verification).toMatchObject({ status: 'failed', failedCheck: 'signer-identity' })
    expect(verdictSummary(verification)).toBe(
      '2 checks failed, first signer-identity: the signer is not one the project’s policy allows. The others: builder-id. Do not rely on this document until the cause is understood.',
    )
  })

  it('untrusted: the unknown key by name, and the signature not checked', () => {
    const verification = verify(signEnvelope(statement(), rogue, 'rogue-release-key'))
    expect(verification.status).toBe('untrusted')
    expect(verdictSummary(verification)).toBe(
      'Signed by rogue-release-key, which this server does not know; the signature could not be checked. 1 other check failed (required:envelope-signature).',
    )
  })

  it('unsigned', () => {
    const verification = verify(statement())
    expect(verification.status).toBe('unsigned')
    expect(verification.checks.find((check) => check.name === 'signer-identity')?.notJudged).toBe('the document carries no signature, so there is no signer to judge')
    expect(verdictSummary(verification)).toMatch(/^The document carries no signature, so nothing vouches for its content\./)
  })

  itWithCorpus('verified with a certificate: trusted through the authority that issued it, not for the identity it names', () => {
    // sigstore-python's staging bundle, verified offline against the staging root (../shared/corpus/SOURCES.md).
    const read = (path: string) => readFileSync(join(corpusDir, path))
    const root = JSON.parse(read('2-dsse-sigstore-bundles/sigstore-conformance/rekor2-happy-path/trusted_root.json').toString('utf8')) as unknown
    const context = { keys: [], now: () => 0, sigstore: loadSigstoreTrust([root], []) }
    const verification = prepareDocument(read('2-dsse-sigstore-bundles/sigstore-python/bundle_v3.txt.sigstore'), context).item.document.verification
    expect(verification.status).toBe('verified')
    expect(verdictSummary(verification)).toBe(
      `Signed with a certificate for william@yossarian.net, issued by a certificate authority this server trusts; the signature verifies, and all ${verification.checks.length} checks passed.`,
    )
  })

  it('unverifiable: a certificate-signed envelope with no trusted root to check it', () => {
    const envelope = signEnvelope(statement(), rogue, '')
    const signatures = (envelope.signatures as { keyid: string; sig: string }[]).map((signature) => ({ ...signature, cert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' }))
    const verification = verify({ ...envelope, signatures })
    expect(verification.status).toBe('unverifiable')
    expect(verdictSummary(verification)).toMatch(
      /^Signed by a key that names itself nowhere, but what is needed to check it is missing \(signer-trusted: signed with a certificate \(keyid \(no keyid\)\); no trusted root is configured to check it\); the signature could not be checked\./,
    )
  })
})
