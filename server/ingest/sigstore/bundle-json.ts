import { decodeBase64 } from '../dsse'
import { IngestError, isRecord, kindOf } from '../errors'

/*
 * Reading a Sigstore bundle's JSON (https://github.com/sigstore/protobuf-specs, sigstore_bundle.proto) into what
 * the checks need, with the exact strings and the JSON path of every field. @sigstore/bundle reads the same JSON
 * again for @sigstore/verify; this reading is the one whose errors a person sees.
 */

export const BUNDLE_MEDIA_TYPES = {
  'application/vnd.dev.sigstore.bundle+json;version=0.1': '0.1',
  'application/vnd.dev.sigstore.bundle+json;version=0.2': '0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.3': '0.3',
  'application/vnd.dev.sigstore.bundle.v0.3+json': '0.3',
} as const satisfies Record<string, '0.1' | '0.2' | '0.3'>

export type BundleMediaType = keyof typeof BUNDLE_MEDIA_TYPES

const isBundleMediaType = (value: unknown): value is BundleMediaType => typeof value === 'string' && Object.hasOwn(BUNDLE_MEDIA_TYPES, value)

export function looksLikeBundle(value: unknown): boolean {
  return isRecord(value) && isBundleMediaType(value.mediaType)
}

export type BundleTlogEntry = {
  logIndex: string
  /** Base64, as the bundle and trusted_root.json write it. */
  logId: string
  integratedTime: string | null
  kind: string
  version: string
  inclusionProof: boolean
  inclusionPromise: boolean
  checkpoint: string | null
}

/** The names sigstore_common.proto gives the hash of a message signature, as node:crypto knows them. */
export const MESSAGE_HASHES: Record<string, { node: string; length: number }> = {
  SHA2_256: { node: 'sha256', length: 32 },
  SHA2_384: { node: 'sha384', length: 48 },
  SHA2_512: { node: 'sha512', length: 64 },
  SHA3_256: { node: 'sha3-256', length: 32 },
  SHA3_384: { node: 'sha3-384', length: 48 },
  HASH_ALGORITHM_UNSPECIFIED: { node: 'sha256', length: 32 },
}

// The reading of the raw JSON, kept beside the @sigstore/bundle object: it has the exact strings and the paths.
export type RawBundle = {
  mediaType: BundleMediaType
  keyMaterial: { kind: 'certificate'; der: Buffer; path: string } | { kind: 'public-key'; hint: string }
  tlog: { summary: BundleTlogEntry; body: Buffer; path: string }[]
  rfc3161: { der: Buffer; path: string }[]
  dsse: { value: Record<string, unknown>; signatureCount: number } | null
  message: { algorithm: string; digest: Buffer; signature: Buffer } | null
}

const record = (value: unknown, path: string, what: string): Record<string, unknown> => {
  if (!isRecord(value)) throw new IngestError('invalid-bundle', `${what} must be an object, found ${kindOf(value)}`, path)
  return value
}
const text = (value: unknown, path: string, what: string): string => {
  if (typeof value !== 'string') throw new IngestError('invalid-bundle', `${what} must be a string, found ${kindOf(value)}`, path)
  return value
}
const optionalList = (value: unknown, path: string, what: string): unknown[] => {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new IngestError('invalid-bundle', `${what} must be an array, found ${kindOf(value)}`, path)
  return value
}
/** Rekor's int64 fields arrive as decimal strings (proto3 JSON) or, from some writers, as numbers. */
const int64 = (value: unknown, path: string, what: string): string => {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value)
  if (typeof value === 'string' && /^\d{1,19}$/.test(value)) return value
  throw new IngestError('invalid-bundle', `${what} must be a non-negative integer (a decimal string), found ${JSON.stringify(value) ?? kindOf(value)}`, path)
}

export function readBundleJson(value: unknown): RawBundle {
  const bundle = record(value, '$', 'a Sigstore bundle')
  if (!isBundleMediaType(bundle.mediaType)) {
    throw new IngestError(
      'unsupported-format',
      `not a Sigstore bundle: mediaType is ${JSON.stringify(bundle.mediaType) ?? 'missing'}; expected one of ${Object.keys(BUNDLE_MEDIA_TYPES).join(', ')}`,
      '$.mediaType',
    )
  }
  const material = record(bundle.verificationMaterial, '$.verificationMaterial', 'verificationMaterial')
  let keyMaterial: RawBundle['keyMaterial']
  if (material.certificate !== undefined) {
    const path = '$.verificationMaterial.certificate.rawBytes'
    keyMaterial = { kind: 'certificate', der: decodeBase64(record(material.certificate, '$.verificationMaterial.certificate', 'certificate').rawBytes, path), path }
  } else if (material.x509CertificateChain !== undefined) {
    const chain = record(material.x509CertificateChain, '$.verificationMaterial.x509CertificateChain', 'x509CertificateChain')
    const certificates = optionalList(chain.certificates, '$.verificationMaterial.x509CertificateChain.certificates', 'certificates')
    const path = '$.verificationMaterial.x509CertificateChain.certificates[0].rawBytes'
    if (certificates.length === 0) throw new IngestError('invalid-bundle', 'the certificate chain is empty; the first certificate is the signing certificate', path)
    certificates.forEach((cert, index) =>
      decodeBase64(record(cert, `$.verificationMaterial.x509CertificateChain.certificates[${index}]`, 'a certificate').rawBytes, `$.verificationMaterial.x509CertificateChain.certificates[${index}].rawBytes`),
    )
    keyMaterial = { kind: 'certificate', der: decodeBase64(record(certificates[0], path, 'a certificate').rawBytes, path), path }
  } else if (material.publicKey !== undefined) {
    const key = record(material.publicKey, '$.verificationMaterial.publicKey', 'publicKey')
    keyMaterial = { kind: 'public-key', hint: key.hint === undefined ? '' : text(key.hint, '$.verificationMaterial.publicKey.hint', 'publicKey.hint') }
  } else {
    throw new IngestError('invalid-bundle', 'verificationMaterial names no signing key: expected certificate, x509CertificateChain or publicKey', '$.verificationMaterial')
  }

  const tlog = optionalList(material.tlogEntries, '$.verificationMaterial.tlogEntries', 'tlogEntries').map((entry, index) => {
    const path = `$.verificationMaterial.tlogEntries[${index}]`
    const item = record(entry, path, 'a tlog entry')
    const logIndex = int64(item.logIndex, `${path}.logIndex`, 'logIndex')
    const logId = record(item.logId, `${path}.logId`, 'logId').keyId
    decodeBase64(logId, `${path}.logId.keyId`)
    const kindVersion = record(item.kindVersion, `${path}.kindVersion`, 'kindVersion')
    const kind = text(kindVersion.kind, `${path}.kindVersion.kind`, 'kind')
    const version = text(kindVersion.version, `${path}.kindVersion.version`, 'version')
    const integrated = item.integratedTime === undefined ? '0' : int64(item.integratedTime, `${path}.integratedTime`, 'integratedTime')
    let checkpoint: string | null = null
    if (item.inclusionPromise !== undefined && item.inclusionPromise !== null) {
      decodeBase64(record(item.inclusionPromise, `${path}.inclusionPromise`, 'inclusionPromise').signedEntryTimestamp, `${path}.inclusionPromise.signedEntryTimestamp`)
    }
    if (item.inclusionProof !== undefined && item.inclusionProof !== null) {
      const proof = record(item.inclusionProof, `${path}.inclusionProof`, 'inclusionProof')
      int64(proof.logIndex, `${path}.inclusionProof.logIndex`, 'inclusionProof.logIndex')
      int64(proof.treeSize, `${path}.inclusionProof.treeSize`, 'inclusionProof.treeSize')
      decodeBase64(proof.rootHash, `${path}.inclusionProof.rootHash`)
      optionalList(proof.hashes, `${path}.inclusionProof.hashes`, 'hashes').forEach((hash, position) => decodeBase64(hash, `${path}.inclusionProof.hashes[${position}]`))
      if (proof.checkpoint !== undefined && proof.checkpoint !== null) {
        checkpoint = text(record(proof.checkpoint, `${path}.inclusionProof.checkpoint`, 'checkpoint').envelope, `${path}.inclusionProof.checkpoint.envelope`, 'checkpoint.envelope')
      }
    }
    const summary: BundleTlogEntry = {
      logIndex,
      logId: typeof logId === 'string' ? logId : '',
      // Rekor v2 entries carry no integrated time (0): their time comes from an RFC 3161 timestamp.
      integratedTime: integrated === '0' ? null : new Date(Number(integrated) * 1000).toISOString(),
      kind,
      version,
      inclusionProof: isRecord(item.inclusionProof),
      inclusionPromise: isRecord(item.inclusionPromise),
      checkpoint,
    }
    return { summary, body: decodeBase64(item.canonicalizedBody, `${path}.canonicalizedBody`), path }
  })

  let rfc3161: RawBundle['rfc3161'] = []
  if (material.timestampVerificationData !== undefined && material.timestampVerificationData !== null) {
    const data = record(material.timestampVerificationData, '$.verificationMaterial.timestampVerificationData', 'timestampVerificationData')
    rfc3161 = optionalList(data.rfc3161Timestamps, '$.verificationMaterial.timestampVerificationData.rfc3161Timestamps', 'rfc3161Timestamps').map((stamp, index) => {
      const path = `$.verificationMaterial.timestampVerificationData.rfc3161Timestamps[${index}].signedTimestamp`
      return { der: decodeBase64(record(stamp, path, 'an RFC 3161 timestamp').signedTimestamp, path), path }
    })
  }

  let dsse: RawBundle['dsse'] = null
  let message: RawBundle['message'] = null
  if (bundle.dsseEnvelope !== undefined && bundle.messageSignature !== undefined) {
    throw new IngestError('invalid-bundle', 'a bundle carries either dsseEnvelope or messageSignature, not both', '$')
  }
  if (bundle.dsseEnvelope !== undefined) {
    const envelope = record(bundle.dsseEnvelope, '$.dsseEnvelope', 'dsseEnvelope')
    const signatures = envelope.signatures
    dsse = { value: envelope, signatureCount: Array.isArray(signatures) ? signatures.length : 0 }
    if (dsse.signatureCount > 1) {
      throw new IngestError('invalid-bundle', `a bundle's envelope carries exactly one signature, found ${dsse.signatureCount}`, '$.dsseEnvelope.signatures')
    }
  } else if (bundle.messageSignature !== undefined) {
    const signature = record(bundle.messageSignature, '$.messageSignature', 'messageSignature')
    const digest = record(signature.messageDigest, '$.messageSignature.messageDigest', 'messageDigest')
    message = {
      algorithm: text(digest.algorithm, '$.messageSignature.messageDigest.algorithm', 'messageDigest.algorithm'),
      digest: decodeBase64(digest.digest, '$.messageSignature.messageDigest.digest'),
      signature: signature.signature === undefined ? Buffer.alloc(0) : decodeBase64(signature.signature, '$.messageSignature.signature'),
    }
  } else {
    throw new IngestError('invalid-bundle', 'the bundle has no content: expected dsseEnvelope or messageSignature', '$')
  }
  return { mediaType: bundle.mediaType, keyMaterial, tlog, rfc3161, dsse, message }
}
