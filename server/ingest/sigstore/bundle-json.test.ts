import { describe, expect, it } from 'vitest'
import { IngestError } from '../errors'
import { looksLikeBundle, readBundleJson } from './bundle-json'

describe('looksLikeBundle', () => {
  it.each([
    'application/vnd.dev.sigstore.bundle+json;version=0.1',
    'application/vnd.dev.sigstore.bundle+json;version=0.2',
    'application/vnd.dev.sigstore.bundle+json;version=0.3',
    'application/vnd.dev.sigstore.bundle.v0.3+json',
  ])('knows %s', (mediaType) => {
    expect(looksLikeBundle({ mediaType })).toBe(true)
  })

  it.each([null, [], 'x', {}, { mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.9' }, { payload: '', payloadType: '', signatures: [] }])(
    'refuses %j',
    (value) => {
      expect(looksLikeBundle(value)).toBe(false)
    },
  )
})

const thrown = (run: () => unknown): IngestError => {
  try {
    run()
  } catch (error) {
    if (error instanceof IngestError) return error
    throw error
  }
  throw new Error('expected an IngestError')
}

const mediaType = 'application/vnd.dev.sigstore.bundle.v0.3+json'
const entry = {
  logIndex: '25579',
  logId: { keyId: 'wNI9atQGlz-VWfO6LRygH4QUfY_8W4RFwiT5i5WRgB0' },
  kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
  integratedTime: 1700000000,
  inclusionProof: { logIndex: '25579', treeSize: '25580', rootHash: 'AAAA', hashes: ['AAAA'], checkpoint: { envelope: 'rekor.example - 1\n25580\nAAAA\n' } },
  canonicalizedBody: 'e30=',
}
const bundle = (verificationMaterial: unknown, content: Record<string, unknown> = { messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest: 'AAAA' }, signature: 'AAAA' } }) => ({
  mediaType,
  verificationMaterial,
  ...content,
})

describe('readBundleJson', () => {
  it('reads what the checks need, keeping the strings as the bundle wrote them', () => {
    const read = readBundleJson(bundle({ publicKey: { hint: 'k' }, tlogEntries: [entry], timestampVerificationData: { rfc3161Timestamps: [{ signedTimestamp: 'AAAA' }] } }))
    expect(read.keyMaterial).toEqual({ kind: 'public-key', hint: 'k' })
    expect(read.tlog).toEqual([
      {
        summary: {
          logIndex: '25579',
          logId: 'wNI9atQGlz-VWfO6LRygH4QUfY_8W4RFwiT5i5WRgB0',
          integratedTime: '2023-11-14T22:13:20.000Z',
          kind: 'hashedrekord',
          version: '0.0.1',
          inclusionProof: true,
          inclusionPromise: false,
          checkpoint: 'rekor.example - 1\n25580\nAAAA\n',
        },
        body: Buffer.from('{}'),
        path: '$.verificationMaterial.tlogEntries[0]',
      },
    ])
    expect(read.rfc3161).toEqual([{ der: Buffer.from('AAAA', 'base64'), path: '$.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0].signedTimestamp' }])
    expect(read.message).toEqual({ algorithm: 'SHA2_256', digest: Buffer.from('AAAA', 'base64'), signature: Buffer.from('AAAA', 'base64') })
  })

  it('takes the first certificate of a chain as the signing certificate, keeps the rest, and a missing hint as none', () => {
    const chain = readBundleJson(bundle({ x509CertificateChain: { certificates: [{ rawBytes: 'AAAA' }, { rawBytes: 'AQID' }] } }))
    expect(chain.keyMaterial).toEqual({
      kind: 'certificate',
      der: Buffer.from('AAAA', 'base64'),
      path: '$.verificationMaterial.x509CertificateChain.certificates[0].rawBytes',
      chain: [Buffer.from('AQID', 'base64')],
    })
    expect(readBundleJson(bundle({ publicKey: {} })).keyMaterial).toEqual({ kind: 'public-key', hint: '' })
  })

  it.each([
    [null, 'invalid-bundle', '$', 'expected an object, found null'],
    [{ mediaType: 'application/json' }, 'unsupported-format', '$.mediaType', 'mediaType is "application/json"; expected one of'],
    [{ mediaType }, 'invalid-bundle', '$.verificationMaterial', 'expected an object, found nothing'],
    [bundle({}), 'invalid-bundle', '$.verificationMaterial', 'names no signing key'],
    [bundle({ certificate: { rawBytes: 'b!' } }), 'invalid-base64', '$.verificationMaterial.certificate.rawBytes', 'not valid base64'],
    [bundle({ x509CertificateChain: { certificates: [] } }), 'invalid-bundle', '$.verificationMaterial.x509CertificateChain.certificates[0].rawBytes', 'the certificate chain is empty'],
    [bundle({ x509CertificateChain: { certificates: [{ rawBytes: 'AAAA' }, 7] } }), 'invalid-bundle', '$.verificationMaterial.x509CertificateChain.certificates[1]', 'expected an object, found a number'],
    [bundle({ publicKey: { hint: 5 } }), 'invalid-bundle', '$.verificationMaterial.publicKey.hint', 'expected a string, found a number'],
    [bundle({ publicKey: {}, tlogEntries: {} }), 'invalid-bundle', '$.verificationMaterial.tlogEntries', 'expected an array, found an object'],
    [bundle({ publicKey: {}, tlogEntries: [{ ...entry, logIndex: '-1' }] }), 'invalid-bundle', '$.verificationMaterial.tlogEntries[0].logIndex', 'expected a non-negative integer (a decimal string), found "-1"'],
    [bundle({ publicKey: {}, tlogEntries: [{ ...entry, logId: { keyId: 7 } }] }), 'invalid-base64', '$.verificationMaterial.tlogEntries[0].logId.keyId', 'expected a base64 string, found a number'],
    [bundle({ publicKey: {}, tlogEntries: [{ ...entry, integratedTime: null }] }), 'invalid-bundle', '$.verificationMaterial.tlogEntries[0].integratedTime', 'found null'],
    [bundle({ publicKey: {}, tlogEntries: [{ ...entry, inclusionProof: { ...entry.inclusionProof, hashes: ['AAAA', 'b!'] } }] }), 'invalid-base64', '$.verificationMaterial.tlogEntries[0].inclusionProof.hashes[1]', 'not valid base64'],
    [bundle({ publicKey: {}, tlogEntries: [{ ...entry, canonicalizedBody: undefined }] }), 'invalid-base64', '$.verificationMaterial.tlogEntries[0].canonicalizedBody', 'found nothing'],
    [bundle({ publicKey: {}, timestampVerificationData: { rfc3161Timestamps: ['x'] } }), 'invalid-bundle', '$.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0]', 'expected an object, found a string'],
    [bundle({ publicKey: {} }, { dsseEnvelope: {}, messageSignature: {} }), 'invalid-bundle', '$', 'either dsseEnvelope or messageSignature, not both'],
    [bundle({ publicKey: {} }, {}), 'invalid-bundle', '$', 'the bundle has no content'],
    [bundle({ publicKey: {} }, { dsseEnvelope: [] }), 'invalid-bundle', '$.dsseEnvelope', 'expected an object, found an array'],
    [bundle({ publicKey: {} }, { dsseEnvelope: { signatures: [{}, {}] } }), 'invalid-bundle', '$.dsseEnvelope.signatures', 'exactly one signature, found 2'],
    [bundle({ publicKey: {} }, { messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest: 'b!' } } }), 'invalid-base64', '$.messageSignature.messageDigest.digest', 'not valid base64'],
    [bundle({ publicKey: {} }, { messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest: 'AAAA' }, signature: null } }), 'invalid-base64', '$.messageSignature.signature', 'found null'],
  ])('refuses %j with %s at %s', (value, code, path, problem) => {
    const error = thrown(() => readBundleJson(value))
    expect(error).toMatchObject({ code, path })
    expect(error.message).toMatch(/^read as a Sigstore bundle: /)
    expect(error.message).toContain(problem)
  })
})
