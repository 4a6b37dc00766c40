import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { pae } from '../dsse'
import { IngestError } from '../errors'
import { loadPublicKey } from '../keys'
import { loadNpmRegistryKeys, looksLikeNpmAttestations, readNpmAttestations } from '../npm-attestations'
import { prepareBundle } from './prepare-bundle'
import { loadSigstoreTrust, type SigstoreKey } from './trust-material'
import { jsonMutation } from '../../testing/mutation'

const statement = Buffer.from(
  JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'app.tgz', digest: { sha256: 'a'.repeat(64) } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {},
  }),
)

function keyPair(id: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const trusted: SigstoreKey = loadPublicKey(id, publicKey.export({ type: 'spki', format: 'pem' }).toString())
  return { privateKey, publicKey, trusted }
}

/** A plain-key DSSE bundle as npm's registry writes its publish attestations, minus the log entry. */
function keyBundle(privateKey: KeyObject, hint: string, overrides: Record<string, unknown> = {}) {
  const payloadType = 'application/vnd.in-toto+json'
  const sig = sign('sha256', pae(payloadType, statement), privateKey)
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint }, tlogEntries: [] },
    dsseEnvelope: { payload: statement.toString('base64'), payloadType, signatures: [{ sig: sig.toString('base64'), keyid: '' }] },
    ...overrides,
  }
}

/** Adds a Rekor dsse/0.0.1 entry recording the bundle's signature, in a log no trusted root knows. */
function logged(bundle: ReturnType<typeof keyBundle>, publicKey: KeyObject, payload: Buffer = statement) {
  const body = {
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      payloadHash: { algorithm: 'sha256', value: createHash('sha256').update(payload).digest('hex') },
      signatures: [{ signature: bundle.dsseEnvelope.signatures[0]?.sig, verifier: Buffer.from(publicKey.export({ type: 'spki', format: 'pem' })).toString('base64') }],
    },
  }
  const entry = {
    logIndex: '1',
    logId: { keyId: Buffer.alloc(32, 7).toString('base64') },
    kindVersion: { kind: 'dsse', version: '0.0.1' },
    integratedTime: '1700000000',
    inclusionPromise: { signedEntryTimestamp: 'AAAA' },
    canonicalizedBody: Buffer.from(JSON.stringify(body)).toString('base64'),
  }
  return { ...bundle, verificationMaterial: { ...bundle.verificationMaterial, tlogEntries: [entry] } }
}

const captureIngestError = (run: () => unknown): IngestError => {
  try {
    run()
  } catch (error) {
    if (error instanceof IngestError) return error
    throw error
  }
  throw new Error('expected an IngestError')
}

describe('prepareBundle with plain keys', () => {
  const registry = keyPair('registry-key')
  const trust = loadSigstoreTrust([], [registry.trusted])

  it('checks the DSSE signature with the key the hint names, and fails without a log entry or timestamp', () => {
    const prepared = prepareBundle(keyBundle(registry.privateKey, 'registry-key'), trust)
    expect(prepared).toMatchObject({ kind: 'dsse', bundleVersion: '0.3', certificate: null, tlog: [], timestamps: [] })
    expect(prepared.envelope?.payload.equals(statement)).toBe(true)
    expect(prepared.verification.status).toBe('failed')
    expect(prepared.verification.failedCheck).toBe('transparency-log')
    expect(prepared.verification.checks[0]).toMatchObject({ name: 'transparency-log', ok: false, actual: 'no transparency log entry and no RFC 3161 timestamp' })
    expect(prepared.verification.checks.find((check) => check.name === 'bundle-signature')).toMatchObject({ ok: true })
    expect(prepared.verification.checks.find((check) => check.name === 'signer-trusted')).toMatchObject({ ok: true })
    expect(prepared.verification.signers).toEqual([{ keyId: 'registry-key', trustedKeyId: 'registry-key', algorithm: 'ecdsa-p256' }])
  })

  it('matches npm-style SHA256:<base64> hints to the key fingerprint', () => {
    const hint = `SHA256:${Buffer.from(registry.trusted.fingerprint, 'hex').toString('base64').replace(/=+$/, '')}`
    const prepared = prepareBundle(keyBundle(registry.privateKey, hint), trust)
    expect(prepared.verification.checks.find((check) => check.name === 'bundle-signature')).toMatchObject({ ok: true })
  })

  it('fails bundle-signature when the payload was altered after signing', () => {
    const bundle = keyBundle(registry.privateKey, 'registry-key')
    bundle.dsseEnvelope.payload = Buffer.from(statement.toString().replace('app.tgz', 'evil.tgz')).toString('base64')
    const { verification } = prepareBundle(bundle, trust)
    expect(verification).toMatchObject({ status: 'failed', failedCheck: 'bundle-signature' })
    expect(verification.checks[0]).toMatchObject({ name: 'bundle-signature', ok: false, actual: 'does not verify with key registry-key (hint registry-key)' })
  })

  it('after a failed bundle signature, whether the key is trusted and who signed are "not judged", not passed or failed', () => {
    const bundle = keyBundle(registry.privateKey, 'registry-key')
    bundle.dsseEnvelope.payload = Buffer.from(statement.toString().replace('app.tgz', 'evil.tgz')).toString('base64')
    const { verification } = prepareBundle(bundle, trust, { identity: { subjectAlternativeName: 'release@example.com' } })
    const notJudged = 'the bundle-signature check failed, so who signed is not established'
    expect(verification.checks.find((check) => check.name === 'signer-trusted')).toMatchObject({ ok: false, notJudged, actual: `not judged: ${notJudged}` })
    expect(verification.checks.find((check) => check.name === 'certificate-identity')).toMatchObject({ ok: false, notJudged })
    // One cause on top, then what it left unjudged; the signers table names no trusted key for a signature that failed.
    expect(verification.failedCheck).toBe('bundle-signature')
    expect(verification.checks.filter((check) => !check.ok && check.notJudged === undefined).map((check) => check.name)).toEqual(['bundle-signature', 'transparency-log'])
    expect(verification.signers).toEqual([{ keyId: 'registry-key', trustedKeyId: null, algorithm: 'ecdsa-p256' }])
  })

  it('calls a logged bundle by an unknown key, in an unknown log, unverifiable, naming both', () => {
    const stranger = keyPair('stranger')
    const { verification } = prepareBundle(logged(keyBundle(stranger.privateKey, 'SHA256:unknown'), stranger.publicKey), loadSigstoreTrust([], []))
    expect(verification.status).toBe('unverifiable')
    expect(verification.checks.find((check) => check.name === 'signer-trusted')?.actual).toContain('SHA256:unknown')
    expect(verification.checks.find((check) => check.name === 'transparency-log')?.actual).toBe(
      `no trusted root contains a Rekor log with id ${Buffer.alloc(32, 7).toString('base64')} (${'07'.repeat(32)})`,
    )
  })

  it('verifies a v0.1 bundle whose signed entry timestamp comes from a log in the trusted root, end to end', () => {
    const log = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const root = {
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [
        {
          baseUrl: 'https://rekor.example',
          hashAlgorithm: 'SHA2_256',
          publicKey: { rawBytes: log.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: '2020-01-01T00:00:00Z' } },
          logId: { keyId: Buffer.alloc(32, 7).toString('base64') },
        },
      ],
    }
    const withLog = loadSigstoreTrust([root], [registry.trusted])
    const bundle = logged(keyBundle(registry.privateKey, 'registry-key', { mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1' }), registry.publicKey)
    const entry = bundle.verificationMaterial.tlogEntries[0]!
    // Rekor signs the canonical JSON of the entry's body, time, index and log id (RFC 8785 key order).
    const promise = `{"body":"${entry.canonicalizedBody}","integratedTime":1700000000,"logID":"${'07'.repeat(32)}","logIndex":1}`
    entry.inclusionPromise.signedEntryTimestamp = sign('sha256', Buffer.from(promise), log.privateKey).toString('base64')
    const prepared = prepareBundle(bundle, withLog)
    expect(prepared.verification).toMatchObject({ status: 'verified', failedCheck: null })
    expect(prepared.timestamps).toEqual([{ source: 'tlog', time: '2023-11-14T22:13:20.000Z' }])
    expect(prepared.verification.checks.map((check) => check.name)).toEqual(['bundle-signature', 'transparency-log', 'signer-trusted', 'certificate-identity'])

    entry.inclusionPromise.signedEntryTimestamp = sign('sha256', Buffer.from(promise.replace('1700000000', '1700000001')), log.privateKey).toString('base64')
    expect(prepareBundle(bundle, withLog).verification).toMatchObject({ status: 'failed', failedCheck: 'transparency-log' })

    const v3 = { ...bundle, mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json' }
    const { verification } = prepareBundle(v3, withLog)
    expect(verification.checks[0]).toMatchObject({ name: 'transparency-log', actual: 'entry 1 has no inclusion proof, which bundle v0.3 requires' })
  })

  it('fails transparency-log when the logged entry is for another payload', () => {
    const bundle = logged(keyBundle(registry.privateKey, 'registry-key'), registry.publicKey)
    const other = logged(keyBundle(registry.privateKey, 'registry-key'), registry.publicKey, Buffer.from('another payload'))
    const { verification } = prepareBundle({ ...bundle, verificationMaterial: other.verificationMaterial }, trust)
    expect(verification).toMatchObject({ status: 'failed', failedCheck: 'transparency-log' })
    expect(verification.checks[0]?.actual).toMatch(/^entry 1 belongs to a different signature: .*it logs digest/)
  })

  it('checks the subject digest when the artifact is given', () => {
    const bundle = keyBundle(registry.privateKey, 'registry-key')
    const matching = prepareBundle(bundle, trust, { artifactDigest: { algorithm: 'sha256', hex: 'A'.repeat(64) } })
    expect(matching.verification.checks.find((check) => check.name === 'subject-digest')).toMatchObject({ ok: true })
    const other = prepareBundle(bundle, trust, { artifactDigest: { algorithm: 'sha256', hex: 'b'.repeat(64) } })
    expect(other.verification.checks.find((check) => check.name === 'subject-digest')).toMatchObject({ ok: false, actual: `subjects: app.tgz sha256:${'a'.repeat(16)}…` })
  })

  it('fails certificate-identity when a policy asks for an identity a plain key cannot have', () => {
    const { verification } = prepareBundle(keyBundle(registry.privateKey, 'registry-key'), trust, { identity: { issuer: 'https://token.actions.githubusercontent.com' } })
    expect(verification.checks.find((check) => check.name === 'certificate-identity')).toMatchObject({ ok: false })
  })

  it('says unsigned when the envelope carries no signature', () => {
    const bundle = keyBundle(registry.privateKey, 'registry-key')
    bundle.dsseEnvelope.signatures = []
    expect(prepareBundle(bundle, trust).verification).toMatchObject({ status: 'unsigned', failedCheck: null })
  })
})

describe('prepareBundle on malformed input', () => {
  const { privateKey } = keyPair('k')
  const trust = loadSigstoreTrust([], [])

  it.each([
    [null, 'invalid-bundle', '$'],
    [{ mediaType: 'application/json' }, 'unsupported-format', '$.mediaType'],
    [{ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json' }, 'invalid-bundle', '$.verificationMaterial'],
  ])('rejects %j with %s at %s', (value, code, path) => {
    expect(captureIngestError(() => prepareBundle(value, trust))).toMatchObject({ code, path })
  })

  it('points at the broken field', () => {
    const badPayload = keyBundle(privateKey, 'k')
    badPayload.dsseEnvelope.payload = 'not base64!'
    expect(captureIngestError(() => prepareBundle(badPayload, trust))).toMatchObject({ code: 'invalid-base64', path: '$.dsseEnvelope.payload' })
    const badCert = keyBundle(privateKey, 'k', { verificationMaterial: { certificate: { rawBytes: 'AAAA' }, tlogEntries: [] } })
    expect(captureIngestError(() => prepareBundle(badCert, trust))).toMatchObject({ code: 'invalid-certificate', path: '$.verificationMaterial.certificate.rawBytes' })
    const badEntry = keyBundle(privateKey, 'k', { verificationMaterial: { publicKey: { hint: 'k' }, tlogEntries: [{ logIndex: 'x' }] } })
    expect(captureIngestError(() => prepareBundle(badEntry, trust))).toMatchObject({ path: '$.verificationMaterial.tlogEntries[0].logIndex' })
    const twoSignatures = keyBundle(privateKey, 'k')
    twoSignatures.dsseEnvelope.signatures.push({ sig: 'AAAA', keyid: '' })
    expect(captureIngestError(() => prepareBundle(twoSignatures, trust))).toMatchObject({ path: '$.dsseEnvelope.signatures' })
  })

  it('throws nothing but IngestError for arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          prepareBundle(value, trust)
        } catch (error) {
          if (!(error instanceof IngestError)) throw error
        }
      }),
      { numRuns: 300 },
    )
  })

  it('throws nothing but IngestError for bundles with a field replaced', () => {
    const key = keyPair('k')
    const keyed = loadSigstoreTrust([], [key.trusted])
    const bundle = keyBundle(key.privateKey, 'k', {
      verificationMaterial: {
        publicKey: { hint: 'k' },
        tlogEntries: [
          {
            logIndex: '1',
            logId: { keyId: 'AAAA' },
            kindVersion: { kind: 'dsse', version: '0.0.1' },
            integratedTime: '1700000000',
            inclusionPromise: { signedEntryTimestamp: 'AAAA' },
            canonicalizedBody: Buffer.from('{"kind":"dsse","apiVersion":"0.0.1","spec":{}}').toString('base64'),
          },
        ],
      },
    })
    fc.assert(
      fc.property(jsonMutation(bundle), (mutated) => {
        try {
          prepareBundle(mutated, keyed)
        } catch (error) {
          if (!(error instanceof IngestError)) throw error
        }
      }),
      { numRuns: 300 },
    )
  })
})

describe('npm attestations', () => {
  it('reads the bundles of a registry response, with their paths', () => {
    const response = { attestations: [{ predicateType: 'https://slsa.dev/provenance/v1', bundle: { mediaType: 'x' } }] }
    expect(looksLikeNpmAttestations(response)).toBe(true)
    expect(readNpmAttestations(response)).toEqual([{ predicateType: 'https://slsa.dev/provenance/v1', bundle: { mediaType: 'x' }, path: '$.attestations[0].bundle' }])
    expect(captureIngestError(() => readNpmAttestations({ attestations: [{ predicateType: 1 }] }))).toMatchObject({ path: '$.attestations[0].predicateType' })
  })

  it('loads the keys for one usage from keys.json, naming a bad field', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const rawBytes = publicKey.export({ type: 'spki', format: 'der' }).toString('base64')
    const keys = loadNpmRegistryKeys({
      keys: [
        { keyId: 'SHA256:a', keyUsage: 'npm:signatures', publicKey: { rawBytes, validFor: { start: '1999-01-01T00:00:00.000Z' } } },
        { keyId: 'SHA256:a', keyUsage: 'npm:attestations', publicKey: { rawBytes, validFor: { start: '2022-12-01T00:00:00.000Z' } } },
      ],
    })
    expect(keys).toHaveLength(1)
    expect(keys[0]?.validFor?.start?.toISOString()).toBe('2022-12-01T00:00:00.000Z')
    expect(() => loadNpmRegistryKeys({ keys: [{ keyId: 'x', publicKey: { rawBytes: 'AAAA' } }] })).toThrow(/^keys\[0\]\.publicKey\.rawBytes: not a DER public key/)
  })
})
