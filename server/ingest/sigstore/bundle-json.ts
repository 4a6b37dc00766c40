import { z } from 'zod'
import { isRecord } from '../errors'
import { base64, found, jsonObject, list, optional, readAs, readError, type DocumentFormat } from '../read'

/*
 * Reading a Sigstore bundle's JSON (https://github.com/sigstore/protobuf-specs, sigstore_bundle.proto) into what
 * the checks need, with the exact strings and the JSON path of every field, through the zod schemas every format
 * reader uses. @sigstore/bundle reads the same JSON again for @sigstore/verify; this reading is the one whose
 * errors a person sees.
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
  /** `chain`: the certificates after the signing one, when the bundle carries an x509CertificateChain. */
  keyMaterial: { kind: 'certificate'; der: Buffer; path: string; chain: Buffer[] } | { kind: 'public-key'; hint: string }
  tlog: { summary: BundleTlogEntry; body: Buffer; path: string }[]
  rfc3161: { der: Buffer; path: string }[]
  dsse: { value: Record<string, unknown>; signatureCount: number } | null
  message: { algorithm: string; digest: Buffer; signature: Buffer } | null
}

const BUNDLE: DocumentFormat = { code: 'invalid-bundle', label: 'a Sigstore bundle' }

const mediaType = z.unknown().transform((value, ctx): BundleMediaType => {
  if (isBundleMediaType(value)) return value
  const problem = `mediaType is ${JSON.stringify(value) ?? 'missing'}; expected one of ${Object.keys(BUNDLE_MEDIA_TYPES).join(', ')}`
  ctx.addIssue({ code: 'custom', message: problem, input: value, params: { code: 'unsupported-format' } })
  return z.NEVER
})

/** Rekor's int64 fields arrive as decimal strings (proto3 JSON) or, from some writers, as numbers. */
const int64 = z.unknown().transform((value, ctx): string => {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value)
  if (typeof value === 'string' && /^\d{1,19}$/.test(value)) return value
  ctx.addIssue({ code: 'custom', message: `expected a non-negative integer (a decimal string), found ${JSON.stringify(value) ?? found(value)}`, input: value })
  return z.NEVER
})

/** Base64 kept as the bundle wrote it, for what is shown that way (a log id), and refused like any base64 field. */
const base64Text = z.unknown().transform((value, ctx): string => {
  const read = base64.safeParse(value)
  if (read.success && typeof value === 'string') return value
  ctx.addIssue({ code: 'custom', message: read.error?.issues[0]?.message ?? 'not valid base64', input: value, params: { code: 'invalid-base64' } })
  return z.NEVER
})

const Certificate = z.object({ rawBytes: base64 })

/** The parts every bundle has; the rest is read in the order a person fixing it would go through it. */
const Header = z.object({ mediaType, verificationMaterial: jsonObject, dsseEnvelope: z.unknown().optional(), messageSignature: z.unknown().optional() })

const TlogEntry = z.object({
  logIndex: int64,
  logId: z.object({ keyId: base64Text }),
  kindVersion: z.object({ kind: z.string(), version: z.string() }),
  integratedTime: int64.optional(),
  inclusionPromise: optional(z.object({ signedEntryTimestamp: base64 })),
  inclusionProof: optional(
    z.object({ logIndex: int64, treeSize: int64, rootHash: base64, hashes: list(base64), checkpoint: optional(z.object({ envelope: z.string() })) }),
  ),
  canonicalizedBody: base64,
})

const Evidence = z.object({
  tlogEntries: list(TlogEntry),
  timestampVerificationData: optional(z.object({ rfc3161Timestamps: list(z.object({ signedTimestamp: base64 })) })),
})

const MessageSignature = z.object({ messageDigest: z.object({ algorithm: z.string(), digest: base64 }), signature: base64.optional() })

/**
 * Reads a bundle's JSON, or throws IngestError at its first problem, taken in the order a person fixing it goes:
 * the media type, the signing key, the log entries, the timestamps, then the signed content.
 */
export function readBundleJson(value: unknown): RawBundle {
  const bundle = readAs(BUNDLE, Header, value)
  const keyMaterial = readKeyMaterial(bundle.verificationMaterial)
  const evidence = readAs(BUNDLE, Evidence, bundle.verificationMaterial, '$.verificationMaterial')
  const tlog = evidence.tlogEntries.map((entry, index) => {
    const integrated = entry.integratedTime ?? '0'
    const summary: BundleTlogEntry = {
      logIndex: entry.logIndex,
      logId: entry.logId.keyId,
      // Rekor v2 entries carry no integrated time (0): their time comes from an RFC 3161 timestamp.
      integratedTime: integrated === '0' ? null : new Date(Number(integrated) * 1000).toISOString(),
      kind: entry.kindVersion.kind,
      version: entry.kindVersion.version,
      inclusionProof: entry.inclusionProof !== null,
      inclusionPromise: entry.inclusionPromise !== null,
      checkpoint: entry.inclusionProof?.checkpoint?.envelope ?? null,
    }
    return { summary, body: entry.canonicalizedBody, path: `$.verificationMaterial.tlogEntries[${index}]` }
  })
  const rfc3161 = (evidence.timestampVerificationData?.rfc3161Timestamps ?? []).map((stamp, index) => ({
    der: stamp.signedTimestamp,
    path: `$.verificationMaterial.timestampVerificationData.rfc3161Timestamps[${index}].signedTimestamp`,
  }))

  let dsse: RawBundle['dsse'] = null
  let message: RawBundle['message'] = null
  if (bundle.dsseEnvelope !== undefined && bundle.messageSignature !== undefined) {
    throw readError(BUNDLE, '$', 'a bundle carries either dsseEnvelope or messageSignature, not both')
  }
  if (bundle.dsseEnvelope !== undefined) {
    // Kept as written: the DSSE reader reads it, and its errors are re-rooted at $.dsseEnvelope.
    const envelope = readAs(BUNDLE, jsonObject, bundle.dsseEnvelope, '$.dsseEnvelope')
    const signatures = envelope.signatures
    dsse = { value: envelope, signatureCount: Array.isArray(signatures) ? signatures.length : 0 }
    if (dsse.signatureCount > 1) throw readError(BUNDLE, '$.dsseEnvelope.signatures', `a bundle's envelope carries exactly one signature, found ${dsse.signatureCount}`)
  } else if (bundle.messageSignature !== undefined) {
    const signature = readAs(BUNDLE, MessageSignature, bundle.messageSignature, '$.messageSignature')
    message = { algorithm: signature.messageDigest.algorithm, digest: signature.messageDigest.digest, signature: signature.signature ?? Buffer.alloc(0) }
  } else {
    throw readError(BUNDLE, '$', 'the bundle has no content: expected dsseEnvelope or messageSignature')
  }
  return { mediaType: bundle.mediaType, keyMaterial, tlog, rfc3161, dsse, message }
}

/** The signing key: a certificate, the first of a chain, or a plain key named by hint; the first one given counts. */
function readKeyMaterial(material: Record<string, unknown>): RawBundle['keyMaterial'] {
  if (material.certificate !== undefined) {
    const certificate = readAs(BUNDLE, Certificate, material.certificate, '$.verificationMaterial.certificate')
    return { kind: 'certificate', der: certificate.rawBytes, path: '$.verificationMaterial.certificate.rawBytes', chain: [] }
  }
  if (material.x509CertificateChain !== undefined) {
    const chain = readAs(BUNDLE, z.object({ certificates: list(Certificate) }), material.x509CertificateChain, '$.verificationMaterial.x509CertificateChain')
    const path = '$.verificationMaterial.x509CertificateChain.certificates[0].rawBytes'
    const [first, ...rest] = chain.certificates
    if (!first) throw readError(BUNDLE, path, 'the certificate chain is empty; the first certificate is the signing certificate')
    return { kind: 'certificate', der: first.rawBytes, path, chain: rest.map((certificate) => certificate.rawBytes) }
  }
  if (material.publicKey !== undefined) {
    const key = readAs(BUNDLE, z.object({ hint: z.string().optional() }), material.publicKey, '$.verificationMaterial.publicKey')
    return { kind: 'public-key', hint: key.hint ?? '' }
  }
  throw readError(BUNDLE, '$.verificationMaterial', 'verificationMaterial names no signing key: expected certificate, x509CertificateChain or publicKey')
}
