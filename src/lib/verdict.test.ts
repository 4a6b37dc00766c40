import { describe, expect, it } from 'vitest'
import type { Check, Verification } from '../contract/common'
import { failureCause, signatureState, verdictSummary } from './verdict'

// Verifications as the server records them (server/ingest/verify.ts, server/policy/policy.ts) for the demo's
// documents: each summary must say what these checks established, and nothing more.

const payloadType: Check = { name: 'payload-type', ok: true, expected: 'application/vnd.in-toto+json', actual: 'application/vnd.in-toto+json' }
const builderOk: Check = { name: 'builder-id', ok: true, expected: 'one of https://ci.example/runner (policy web)', actual: 'https://ci.example/runner' }
const rogue = 'no key this server has is named rogue-release-key or verifies the signature, so it could not be checked'

const verified: Verification = {
  status: 'verified',
  failedCheck: null,
  checks: [
    payloadType,
    { name: 'envelope-signature', ok: true, expected: 'a signature over the DSSE pre-authentication encoding', actual: 'verifies with ecdsa-p256 key demo-release-p256' },
    { name: 'signer-trusted', ok: true, expected: 'a key listed in trust.keys', actual: 'trusted key demo-release-p256' },
    { name: 'signer-identity', ok: true, expected: 'signed by keyId demo-release-p256 (policy web)', actual: 'key demo-release-p256' },
    builderOk,
  ],
  signers: [{ keyId: 'demo-release-p256', trustedKeyId: 'demo-release-p256', algorithm: 'ecdsa-p256' }],
}

const alteredSignature: Verification = {
  status: 'failed',
  failedCheck: 'envelope-signature',
  checks: [
    {
      name: 'envelope-signature',
      ok: false,
      expected: 'a valid ecdsa-p256 signature by trusted key demo-release-p256',
      actual: 'the signature for keyid demo-release-p256 does not verify',
      detail: 'The envelope names a trusted key, but its signature does not match the payload: the payload or the signature was altered after signing.',
    },
    { name: 'required:envelope-signature', ok: false, expected: 'check envelope-signature present and passing (policy web)', actual: 'failed' },
    {
      name: 'signer-identity',
      ok: false,
      expected: 'signed by keyId demo-release-p256 (policy web)',
      actual: 'not judged: the envelope-signature check failed, so who signed is not established',
      notJudged: 'the envelope-signature check failed, so who signed is not established',
    },
    payloadType,
    builderOk,
  ],
  signers: [{ keyId: 'demo-release-p256', trustedKeyId: null, algorithm: 'ecdsa-p256' }],
}

const untrusted: Verification = {
  status: 'untrusted',
  failedCheck: null,
  checks: [
    { name: 'signer-trusted', ok: false, expected: 'a signature by one of: demo-release-p256', actual: 'keyid rogue-release-key: no trusted key verifies it' },
    { name: 'required:envelope-signature', ok: false, expected: 'check envelope-signature present and passing (policy web)', actual: `not judged: ${rogue}` },
    { name: 'envelope-signature', ok: false, expected: 'a signature over the DSSE pre-authentication encoding', actual: `not judged: ${rogue}`, notJudged: rogue },
    payloadType,
  ],
  signers: [{ keyId: 'rogue-release-key', trustedKeyId: null, algorithm: null }],
}

const unsigned: Verification = {
  status: 'unsigned',
  failedCheck: null,
  checks: [{ name: 'signature', ok: false, expected: 'a signed document', actual: 'none: an in-toto Statement carries no signature' }],
  signers: [],
}

const certificateOnly = 'the signature is made with a certificate (keyid (no keyid)) and no trusted root is configured to check it'
const unverifiable: Verification = {
  status: 'unverifiable',
  failedCheck: null,
  checks: [
    { name: 'signer-trusted', ok: false, expected: 'a trusted key, or a certificate chain to a configured Sigstore trusted root', actual: 'signed with a certificate (keyid (no keyid)); no trusted root is configured to check it' },
    { name: 'envelope-signature', ok: false, expected: 'a signature over the DSSE pre-authentication encoding', actual: `not judged: ${certificateOnly}`, notJudged: certificateOnly },
    payloadType,
  ],
  signers: [{ keyId: null, trustedKeyId: null, algorithm: null }],
}

describe('verdictSummary: each status in words its checks bear out', () => {
  it('verified: names the trusted signer, and says the signature verified only because its check passed', () => {
    expect(verdictSummary(verified)).toBe('Signed by demo-release-p256, which this server trusts; the signature verifies, and all 5 checks passed.')
  })

  it('failed: the first failure and its plain cause, the other failures, and what could not be judged because of it', () => {
    expect(verdictSummary(alteredSignature)).toBe(
      '2 checks failed, first envelope-signature: the signature does not verify over the signed content, so the content or the signature was altered after signing. ' +
        'The others: required:envelope-signature. 1 check was not judged because of it (signer-identity). Do not rely on this document until the cause is understood.',
    )
  })

  it('untrusted: an unknown key, and a signature that could not be checked, never "valid"', () => {
    const summary = verdictSummary(untrusted)
    expect(summary).toBe('Signed by rogue-release-key, which this server does not know; the signature could not be checked. 1 other check failed (required:envelope-signature).')
    expect(summary).not.toMatch(/valid|verifies/)
  })

  it('untrusted as stored before checks said "not judged": no signature check at all still reads as unchecked', () => {
    const legacy: Verification = { ...untrusted, checks: untrusted.checks.filter((check) => check.name === 'signer-trusted' || check.name === 'payload-type') }
    expect(verdictSummary(legacy)).toBe('Signed by rogue-release-key, which this server does not know; the signature could not be checked.')
  })

  it('untrusted certificate whose signature did verify with its own key: says so, and that nothing trusted vouches for it', () => {
    const sigstore: Verification = {
      status: 'untrusted',
      failedCheck: null,
      checks: [
        { name: 'certificate-chain', ok: false, expected: 'a chain to a configured Fulcio CA', actual: 'chains to nothing trusted' },
        { name: 'bundle-signature', ok: true, expected: 'a signature by the certificate key', actual: 'verifies' },
      ],
      signers: [{ keyId: null, trustedKeyId: null, algorithm: 'ecdsa-p256' }],
      certificate: {
        subjectAlternativeName: 'https://github.com/acme/cli/.github/workflows/release.yml@refs/tags/v1',
        issuer: 'https://token.actions.githubusercontent.com',
        repository: null,
        workflowRef: null,
        ref: null,
        sha: null,
        notBefore: '2026-01-01T00:00:00Z',
        notAfter: '2026-01-01T00:10:00Z',
        serial: '01',
        issuerCN: null,
      },
    }
    expect(verdictSummary(sigstore)).toBe(
      'Signed with a certificate for https://github.com/acme/cli/.github/workflows/release.yml@refs/tags/v1, which no certificate authority this server trusts vouches for; ' +
        'the signature verifies with the key it carries, but nothing this server trusts vouches for that key.',
    )
  })

  it('verified with a certificate: trusted through the authority that issued it, not for the identity it names', () => {
    const keyless: Verification = {
      status: 'verified',
      failedCheck: null,
      checks: [
        { name: 'certificate-chain', ok: true, expected: 'a chain to a configured Fulcio CA', actual: 'chains to sigstore-intermediate' },
        { name: 'bundle-signature', ok: true, expected: 'a signature by the certificate key', actual: 'verifies' },
      ],
      signers: [{ keyId: null, trustedKeyId: 'fulcio', algorithm: 'ecdsa-p256' }],
      certificate: { subjectAlternativeName: 'dev@example.com', issuer: 'https://accounts.example.com', repository: null, workflowRef: null, ref: null, sha: null, notBefore: '2026-01-01T00:00:00Z', notAfter: '2026-01-01T00:10:00Z', serial: '01', issuerCN: null },
    }
    expect(verdictSummary(keyless)).toBe(
      'Signed with a certificate for dev@example.com, issued by a certificate authority this server trusts; the signature verifies, and all 2 checks passed.',
    )
  })

  it('unsigned: nothing vouches for the content', () => {
    expect(verdictSummary(unsigned)).toBe('The document carries no signature, so nothing vouches for its content.')
  })

  it('unverifiable: what is missing, and that the signature could not be checked', () => {
    expect(verdictSummary(unverifiable)).toBe(
      'Signed by a key that names itself nowhere, but what is needed to check it is missing (signer-trusted: signed with a certificate (keyid (no keyid)); no trusted root is configured to check it); the signature could not be checked.',
    )
  })

  it('several failures: counts every one, names the first and its cause', () => {
    const several: Verification = {
      status: 'failed',
      failedCheck: 'payload-type',
      checks: [
        { name: 'payload-type', ok: false, expected: 'application/vnd.in-toto+json', actual: 'text/plain' },
        { name: 'builder-id', ok: false, expected: 'one of https://ci.example/runner (policy web)', actual: 'https://evil.example/builder' },
        { name: 'build-type', ok: false, expected: 'one of https://ci.example/v1 (policy web)', actual: 'no build type' },
        verified.checks[1] ?? payloadType,
      ],
      signers: verified.signers,
    }
    expect(verdictSummary(several)).toBe(
      '3 checks failed, first payload-type: the envelope’s payload is not an in-toto statement. The others: builder-id, build-type. Do not rely on this document until the cause is understood.',
    )
  })

  it('a "verified" record whose checks do not bear it out reads as the failure its checks show', () => {
    const contradicted: Verification = { ...verified, checks: [...verified.checks, { name: 'subject-digest', ok: false, expected: 'sha256:aa', actual: 'sha256:bb' }] }
    expect(verdictSummary(contradicted)).toMatch(/^The subject-digest check failed: the signature is about a different artifact\./)
    expect(verdictSummary({ ...verified, checks: [] })).toBe('No check passed or failed on record, so nothing was established about this document.')
  })
})

describe('failureCause and signatureState', () => {
  it('words a policy requirement, npm-prefixed checks and unknown checks', () => {
    expect(failureCause({ name: 'required:envelope-signature', ok: false, actual: 'not performed for this document' })).toBe(
      'the project’s policy requires the envelope-signature check to pass, and it was not performed',
    )
    expect(failureCause({ name: 'provenance: transparency-log', ok: false })).toBe('the transparency-log entry does not prove this signature was logged')
    expect(failureCause({ name: 'novel-check', ok: false, actual: 'something odd' })).toBe('found something odd')
    // A cosign signature copied onto another image: the reason in words, not the raw digest.
    expect(failureCause({ name: 'image-digest', ok: false, actual: 'sha256:bb' })).toBe('the signature was made for another image and copied onto this one')
    expect(failureCause({ name: 'artifact-digest', ok: false, actual: 'no subject carries a sha256 digest' })).toMatch(/^the document is about a different artifact/)
  })

  it('tells a failed signature from one never checked', () => {
    expect(signatureState(alteredSignature.checks)).toBe('failed')
    expect(signatureState(untrusted.checks)).toBe('unchecked')
    expect(signatureState(verified.checks)).toBe('verified')
    expect(signatureState(unsigned.checks)).toBe('unchecked')
  })
})
