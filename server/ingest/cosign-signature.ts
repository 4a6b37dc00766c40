import type { Check, Verification } from '../../src/contract/common'
import { decodeBase64 } from './dsse'
import { IngestError, isRecord, kindOf } from './errors'
import type { FormatHandler, IngestContext, Reading } from './format'
import { bundleLogKeys } from './log-evidence'
import { certificateFacts, trustOf, withEvidence } from './sigstore-format'
import { COSIGN_ANNOTATIONS, cosignSignatureBundle } from './sigstore/cosign-bundle'
import { prepareBundle, type PreparedBundle } from './sigstore/prepare-bundle'
import { judgeSignatures, readingOrder } from './verify'

/*
 * cosign's signature of a container image (`cosign sign`): a simple-signing payload that names the image's
 * manifest digest, and a signature over the payload's exact bytes. This is the form `cosign download signature`
 * prints, one JSON object a signature (`Base64Signature`, `Payload`, `Cert`, `Chain`, `Bundle`), and the form the
 * OCI connector assembles from a `sha256-<hex>.sig` manifest (the payload is the layer, the rest its annotations).
 * See https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md.
 */

export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json'
/** The `critical.type` every cosign image signature carries. */
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature'

/** The object `cosign download signature` prints, as far as this server reads it. */
export type CosignSignature = {
  Base64Signature: string
  /** The simple-signing payload, base64. */
  Payload: string
  /**
   * PEM of the signing certificate, for keyless signatures; null when signed with a key. `cosign download signature`
   * prints Go's JSON of the certificate instead (its DER in `Raw`), which is read too, as is its list for `Chain`.
   */
  Cert: string | null
  Chain: string | null
  /** cosign's Rekor bundle (the log's signed promise and the entry it covers), when the signature was logged. */
  Bundle: unknown
  /**
   * A timestamp authority's response over the signature (`{ SignedRFC3161Timestamp }`, base64 DER), when signed
   * with `--timestamp-server-url`; null or absent when there is none. Read for keyless signatures, whose
   * certificate it lets be judged at the time it vouches for.
   */
  RFC3161Timestamp?: unknown
  /**
   * Not printed by cosign: the image whose `sha256-<hex>.sig` tag held the signature, written by the OCI connector so
   * the image-digest check can hold the payload to it.
   */
  AttachedTo?: string
}

export function looksLikeCosignSignature(value: Record<string, unknown>): boolean {
  return typeof value.Base64Signature === 'string' && 'Payload' in value
}

/** The image a payload signs: `critical.image.docker-manifest-digest`, and the reference it was signed under. */
function readPayload(payload: Buffer): { type: unknown; digest: string; reference: string } {
  let value: unknown
  try {
    value = JSON.parse(payload.toString('utf8'))
  } catch (error) {
    throw new IngestError('invalid-cosign-signature', `the payload is not JSON (${error instanceof Error ? error.message : String(error)}), so it names no image`, '$.Payload')
  }
  const critical = isRecord(value) ? value.critical : undefined
  if (!isRecord(critical)) throw new IngestError('invalid-cosign-signature', `expected a simple-signing payload with a "critical" object, found ${kindOf(critical)}`, '$.Payload.critical')
  const image = isRecord(critical.image) ? critical.image['docker-manifest-digest'] : undefined
  if (typeof image !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(image)) {
    throw new IngestError('invalid-cosign-signature', `expected the signed image's digest as sha256:<64 lower-case hex>, found ${typeof image === 'string' ? JSON.stringify(image.slice(0, 80)) : kindOf(image)}`, '$.Payload.critical.image.docker-manifest-digest')
  }
  const identity = isRecord(critical.identity) ? critical.identity['docker-reference'] : undefined
  return { type: critical.type, digest: image, reference: typeof identity === 'string' ? identity : '' }
}

const PAYLOAD_TYPE = (type: unknown): Check => ({ name: 'payload-type', ok: type === COSIGN_SIGNATURE_TYPE, expected: COSIGN_SIGNATURE_TYPE, actual: typeof type === 'string' ? type : `not a string (${kindOf(type)})` })

/**
 * The image-digest check: the payload names the image whose `.sig` tag held it. Made only when that image is known
 * (the OCI connector records it as `AttachedTo`); a signature pushed on its own is about the image it names.
 */
function imageDigestCheck(named: string, attachedTo: string): Check {
  const ok = named === attachedTo
  return {
    name: 'image-digest',
    ok,
    expected: `the payload's critical.image.docker-manifest-digest is ${attachedTo}, the image the signature is attached to`,
    actual: named,
    ...(ok ? {} : { detail: 'The signature was made for another image and copied onto this one; cosign verify would refuse it here.' }),
  }
}

/** Judges a signature made with a key (no certificate) with the trusted keys, as a DSSE envelope's is judged. */
function judgeWithKeys(payload: Buffer, signature: Buffer, leading: Check[], context: IngestContext): Verification {
  return judgeSignatures(
    { check: 'image-signature', noun: 'signature', covers: 'a signature over the simple-signing payload', signedPart: 'the payload', data: payload, signatures: [{ keyid: '', sig: signature }], leading },
    context.keys,
  )
}

/** Where each part of the v0.1 bundle assembled from a cosign document came from, for the errors a person reads. */
const KEYLESS_PATHS = { certificate: '$.Cert', chain: '$.Chain', rekorBundle: '$.Bundle', rfc3161Timestamp: '$.RFC3161Timestamp' }

function cosignPathOf(bundlePath: string | undefined): string {
  if (bundlePath === undefined) return '$'
  if (bundlePath.startsWith('$.verificationMaterial.x509CertificateChain.certificates[0]')) return '$.Cert'
  if (bundlePath.startsWith('$.verificationMaterial.x509CertificateChain')) return '$.Chain'
  if (bundlePath.startsWith('$.verificationMaterial.tlogEntries')) return '$.Bundle'
  if (bundlePath.startsWith('$.verificationMaterial.timestampVerificationData')) return '$.RFC3161Timestamp'
  if (bundlePath.startsWith('$.messageSignature')) return '$.Base64Signature'
  return '$'
}

/**
 * A keyless signature (a Fulcio certificate, and cosign's Rekor bundle) is judged by the Sigstore verifier, as the
 * v0.1 message-signature bundle that carries the same evidence (sigstore/cosign-bundle.ts): certificate chain to
 * a trusted Fulcio (with SCTs when the trusted root lists CT logs), the signed entry timestamp by a trusted Rekor
 * key, the signature over the payload with the certificate's key, and the signer's identity.
 */
function judgeKeyless(payload: Buffer, signature: Buffer, value: Record<string, unknown>, certificate: string, leading: Check[], context: IngestContext): { verification: Verification; prepared: PreparedBundle } {
  const chain = chainText(value.Chain)
  const rekorBundle = value.Bundle ?? null
  if (typeof rekorBundle === 'string') throw new IngestError('invalid-cosign-signature', 'the Rekor bundle is not JSON, so the log entry it stands for cannot be read', '$.Bundle')
  const rfc3161Timestamp = value.RFC3161Timestamp ?? null
  if (typeof rfc3161Timestamp === 'string') throw new IngestError('invalid-cosign-signature', 'the RFC 3161 timestamp is not JSON; expected {"SignedRFC3161Timestamp":"<base64 DER>"}', '$.RFC3161Timestamp')
  let prepared: PreparedBundle
  try {
    prepared = prepareBundle(cosignSignatureBundle(payload, signature, { certificate, chain, rekorBundle, rfc3161Timestamp }, KEYLESS_PATHS), trustOf(context), { now: new Date(context.now()) })
  } catch (error) {
    // The bundle is only our re-expression of the cosign document: its errors are told at the cosign field.
    if (error instanceof IngestError && (error.path?.startsWith('$.verificationMaterial') === true || error.path?.startsWith('$.messageSignature') === true)) {
      throw new IngestError(error.code, error.message, cosignPathOf(error.path))
    }
    throw error
  }
  const evidence = withEvidence(prepared)
  const signed = evidence.checks.map((check): Check =>
    check.name === 'bundle-signature' ? { ...check, name: 'image-signature', expected: 'a signature over the simple-signing payload (its SHA-256, as Rekor logs it) by the certificate\'s key' } : check,
  )
  const checks = readingOrder([...leading, ...signed])
  const status: Verification['status'] = leading.some((check) => !check.ok) ? 'failed' : evidence.status
  const failed = checks.find((check) => !check.ok && check.notJudged === undefined)
  return { verification: { ...evidence, status, failedCheck: status === 'failed' ? (failed?.name ?? null) : null, checks }, prepared }
}

/** DER as the PEM text the layer annotations hold. */
const pemOf = (der: Buffer) => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`

/**
 * A certificate as PEM text (the layer's annotation), or as `cosign download signature` prints it: Go's JSON of an
 * x509.Certificate, whose `Raw` is the DER in base64. Null: none (a signature made with a key).
 */
function certificateText(value: unknown, path: string): string | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'string') return value
  if (isRecord(value) && typeof value.Raw === 'string') return pemOf(decodeBase64(value.Raw, `${path}.Raw`))
  throw new IngestError('invalid-cosign-signature', `expected the certificate as PEM text, an object with its DER as base64 in Raw, or null; found ${kindOf(value)}`, path)
}

/** The chain as PEM text, or as the list of certificates `cosign download signature` prints. */
function chainText(value: unknown): string | null {
  if (!Array.isArray(value)) return certificateText(value, '$.Chain')
  const list: unknown[] = value
  return list.map((item, index) => certificateText(item, `$.Chain[${index}]`) ?? '').join('')
}

/** The image whose `.sig` tag the connector found the signature under, when it says so. */
function readAttachedTo(value: unknown): string | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(value)) {
    throw new IngestError('invalid-cosign-signature', `expected the image the signature is attached to as sha256:<64 lower-case hex>, found ${typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : kindOf(value)}`, '$.AttachedTo')
  }
  return value
}

export const cosignSignatureFormat: FormatHandler = {
  name: 'cosign-signature',
  label: 'a cosign image signature ({ Base64Signature, Payload })',
  detect: looksLikeCosignSignature,
  read(value, context): Reading {
    const signature = decodeBase64(value.Base64Signature, '$.Base64Signature')
    const payload = decodeBase64(value.Payload, '$.Payload')
    const certificate = certificateText(value.Cert, '$.Cert')
    const attachedTo = readAttachedTo(value.AttachedTo)
    const { type, digest, reference } = readPayload(payload)
    const leading = [PAYLOAD_TYPE(type), ...(attachedTo === null ? [] : [imageDigestCheck(digest, attachedTo)])]
    // Recorded about the image the registry attached it to, when known: a signature copied onto another image is
    // that image's failed signature, never a failed signature of the image its payload names.
    const subjects = [{ name: reference, digest: { sha256: (attachedTo ?? digest).slice('sha256:'.length) } }]
    if (certificate === null || certificate.trim() === '') {
      return { format: 'cosign-signature', payloadType: SIMPLE_SIGNING_MEDIA_TYPE, statement: null, verification: judgeWithKeys(payload, signature, leading, context), subjects }
    }
    const { verification, prepared } = judgeKeyless(payload, signature, value, certificate, leading, context)
    return {
      format: 'cosign-signature',
      payloadType: SIMPLE_SIGNING_MEDIA_TYPE,
      statement: null,
      verification,
      subjects,
      certificate: certificateFacts(prepared.certificate),
      logKeys: bundleLogKeys(prepared),
    }
  },
}

/**
 * The document a `.sig` manifest's layer stands for, as `cosign download signature` would print it: the layer's
 * bytes are the payload, its annotations hold the signature, the certificate and chain, the Rekor bundle and, for
 * a keyless one, the RFC 3161 timestamp. `image` is the image the `.sig` tag is named after.
 */
export function cosignSignatureFromLayer(payload: Buffer, annotations: Readonly<Record<string, string>>, image: string | null = null): CosignSignature | null {
  const signature = annotations[COSIGN_ANNOTATIONS.signature]
  if (signature === undefined) return null
  const certificate = annotations[COSIGN_ANNOTATIONS.certificate] ?? null
  // Only a keyless signature's timestamp is judged; a key-signed document stays as it always was.
  const timestamp = certificate === null ? undefined : annotations[COSIGN_ANNOTATIONS.rfc3161Timestamp]
  return {
    Base64Signature: signature,
    Payload: payload.toString('base64'),
    Cert: certificate,
    Chain: annotations[COSIGN_ANNOTATIONS.chain] ?? null,
    Bundle: jsonOrText(annotations[COSIGN_ANNOTATIONS.bundle]),
    ...(timestamp === undefined ? {} : { RFC3161Timestamp: jsonOrText(timestamp) }),
    ...(image === null ? {} : { AttachedTo: image }),
  }
}

/** An annotation's JSON; kept as sent when it is not JSON, so a keyless signature is refused naming it. */
function jsonOrText(annotation: string | undefined): unknown {
  if (annotation === undefined) return null
  try {
    return JSON.parse(annotation)
  } catch {
    // A signature made with a key is judged without its Rekor bundle, so it is not refused for a broken one.
    return annotation
  }
}
