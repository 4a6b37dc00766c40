import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { slsaV1Statement } from '../../testing/documents'
import { createTestSigstore, keylessAttestationLayer, type RekorBundle } from '../../testing/sigstore-instance'
import { prepareDocument } from '../ingest'
import { cosignAttestationBundle, cosignSignatureBundle, pemCertificates, tlogEntryOf } from './cosign-bundle'
import { loadSigstoreTrust } from './trust-material'

/*
 * Keyless `cosign attest` layers (`.att` tags): the DSSE envelope and the certificate, chain and Rekor bundle in
 * the layer's annotations, read as the Sigstore v0.1 bundle that carries the same evidence and verified as one.
 */

const instance = createTestSigstore('ours')
const image = 'ab'.repeat(32)
const statement = slsaV1Statement({ subjectName: 'registry.example/acme/web', sha256: image, repo: 'https://github.com/acme/web' })

function verify(layer: { envelope: Buffer; annotations: Record<string, string> }) {
  const converted = cosignAttestationBundle(layer.envelope, layer.annotations)
  if (converted === null || 'problem' in converted) throw new Error(`not converted: ${JSON.stringify(converted)}`)
  return prepareDocument(converted.bundle, { keys: [], now: () => Date.now(), sigstore: loadSigstoreTrust([instance.trustedRoot], []) })
}
const checkOf = (document: ReturnType<typeof verify>, name: string) => document.item.document.verification.checks.find((check) => check.name === name)

describe('keyless cosign attestations', { timeout: 30_000 }, () => {
  it('verify as a v0.1 DSSE bundle: the intoto entry with its signed entry timestamp, the chain, the signer, the statement', () => {
    const document = verify(keylessAttestationLayer(instance, statement))
    expect(document.item.document.format).toBe('sigstore-bundle')
    expect(document.item.document.verification).toMatchObject({ status: 'verified', failedCheck: null })
    expect(checkOf(document, 'transparency-log')?.actual).toMatch(/\(intoto\/0\.0\.2\) in https:\/\/rekor\.ours\.sigstore\.test: signed entry timestamp verified; records this signature$/)
    expect(checkOf(document, 'certificate-identity')?.actual).toBe('signed as https://github.com/acme/web/.github/workflows/release.yml@refs/heads/main')
    expect(document.subjects).toEqual([{ name: 'registry.example/acme/web', digest: { sha256: image } }])
  })

  it('fail at transparency-log when the signed entry timestamp was altered, and at the signature when the envelope was', () => {
    const layer = keylessAttestationLayer(instance, statement)
    const rekor = JSON.parse(layer.annotations['dev.sigstore.cosign/bundle'] ?? '') as RekorBundle
    const tampered = { ...rekor, Payload: { ...rekor.Payload, integratedTime: rekor.Payload.integratedTime + 1 } }
    const moved = verify({ ...layer, annotations: { ...layer.annotations, 'dev.sigstore.cosign/bundle': JSON.stringify(tampered) } })
    expect(moved.item.document.verification).toMatchObject({ status: 'failed', failedCheck: 'transparency-log' })
    expect(checkOf(moved, 'transparency-log')?.actual).toMatch(/its signed entry timestamp does not verify with the log key/)
    const envelope = JSON.parse(layer.envelope.toString('utf8')) as { payload: string }
    const other = Buffer.from(JSON.stringify(slsaV1Statement({ subjectName: 'registry.example/acme/web', sha256: 'cd'.repeat(32) }))).toString('base64')
    const altered = verify({ ...layer, envelope: Buffer.from(JSON.stringify({ ...envelope, payload: other })) })
    expect(altered.item.document.verification).toMatchObject({ status: 'failed', failedCheck: 'bundle-signature' })
  })

  it('leave a layer with no certificate to be read as the envelope it is, and name the annotation they cannot read', () => {
    const layer = keylessAttestationLayer(instance, statement)
    const { 'dev.sigstore.cosign/certificate': _certificate, ...keyed } = layer.annotations
    expect(cosignAttestationBundle(layer.envelope, keyed)).toBeNull()
    expect(cosignAttestationBundle(layer.envelope, { ...layer.annotations, 'dev.sigstore.cosign/bundle': '[' })).toEqual({ problem: 'the dev.sigstore.cosign/bundle annotation is not JSON' })
    expect(cosignAttestationBundle(layer.envelope, { ...layer.annotations, 'dev.sigstore.cosign/chain': 'garbage' })).toEqual({
      problem: 'the attestation layer\'s dev.sigstore.cosign/chain: expected the certificate chain as PEM (-----BEGIN CERTIFICATE----- blocks only), found no certificate',
    })
    expect(cosignAttestationBundle(Buffer.from('not json'), layer.annotations)).toEqual({ problem: 'the attestation layer carries a certificate but is not a JSON DSSE envelope' })
  })
})

describe("cosign's RFC 3161 timestamp annotation", () => {
  it('goes in a .sig bundle as its one RFC 3161 timestamp, and is refused at its field when it is not base64', () => {
    const material = { certificate: keylessAttestationLayer(instance, statement).annotations['dev.sigstore.cosign/certificate'] ?? '', chain: instance.chainPem, rekorBundle: null }
    const paths = { certificate: '$.Cert', chain: '$.Chain', rekorBundle: '$.Bundle', rfc3161Timestamp: '$.RFC3161Timestamp' }
    const bundle = cosignSignatureBundle(Buffer.from('payload'), Buffer.from('signature'), { ...material, rfc3161Timestamp: { SignedRFC3161Timestamp: 'MIIB' } }, paths)
    expect(bundle.verificationMaterial).toMatchObject({ tlogEntries: [], timestampVerificationData: { rfc3161Timestamps: [{ signedTimestamp: 'MIIB' }] } })
    expect(cosignSignatureBundle(Buffer.from('payload'), Buffer.from('signature'), material, paths).verificationMaterial).not.toHaveProperty('timestampVerificationData')
    expect(() => cosignSignatureBundle(Buffer.from('payload'), Buffer.from('signature'), { ...material, rfc3161Timestamp: { SignedRFC3161Timestamp: '***' } }, paths)).toThrow(
      expect.objectContaining({ code: 'invalid-base64', path: '$.RFC3161Timestamp.SignedRFC3161Timestamp' }),
    )
  })

  it('is left out of an .att bundle: cosign attest stamps the envelope JSON, not the signature a bundle timestamp covers', () => {
    const layer = keylessAttestationLayer(instance, statement)
    const stamped = cosignAttestationBundle(layer.envelope, { ...layer.annotations, 'dev.sigstore.cosign/rfc3161timestamp': JSON.stringify({ SignedRFC3161Timestamp: 'MIIB' }) })
    const plain = cosignAttestationBundle(layer.envelope, layer.annotations)
    expect(stamped !== null && 'bundle' in stamped && plain !== null && 'bundle' in plain ? stamped.bundle.equals(plain.bundle) : false).toBe(true)
  })
})

describe("cosign's Rekor bundle as a tlog entry", () => {
  it('keeps the four signed fields exactly, the kind and version from the logged body', () => {
    const logId = 'c0'.repeat(32)
    const body = Buffer.from(JSON.stringify({ apiVersion: '0.0.1', kind: 'hashedrekord', spec: {} })).toString('base64')
    expect(tlogEntryOf({ SignedEntryTimestamp: 'MEUC', Payload: { body, integratedTime: 1700000000, logIndex: 42, logID: logId } }, '$.Bundle')).toEqual({
      logIndex: '42',
      logId: { keyId: Buffer.from(logId, 'hex').toString('base64') },
      kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
      integratedTime: '1700000000',
      inclusionPromise: { signedEntryTimestamp: 'MEUC' },
      canonicalizedBody: body,
    })
    expect(() => tlogEntryOf({ SignedEntryTimestamp: 'MEUC', Payload: { body: Buffer.from('{}').toString('base64'), integratedTime: 1, logIndex: 1, logID: logId } }, '$.Bundle')).toThrow(
      expect.objectContaining({ path: '$.Bundle.Payload.body', message: expect.stringContaining('names no kind and apiVersion') as unknown }),
    )
    expect(() => tlogEntryOf({ SignedEntryTimestamp: 'MEUC', Payload: { body, integratedTime: -1, logIndex: 1, logID: logId } }, '$.Bundle')).toThrow(expect.objectContaining({ path: '$.Bundle.Payload.integratedTime' }))
  })

  it('reads PEM certificates in order and refuses other text', () => {
    const chain = pemCertificates(instance.chainPem, '$.Chain', 'the certificate chain')
    expect(chain).toHaveLength(2)
    expect(() => pemCertificates(`${instance.chainPem}\ntrailing`, '$.Chain', 'the certificate chain')).toThrow(expect.objectContaining({ path: '$.Chain' }))
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString()
    expect(() => pemCertificates(key, '$.Cert', 'the signing certificate')).toThrow(expect.objectContaining({ path: '$.Cert', message: expect.stringContaining('found no certificate') as unknown }))
  })
})
