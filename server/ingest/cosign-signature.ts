import type { Check, Verification } from '../../src/contract/common'
import { decodeBase64 } from './dsse'
import { IngestError, isRecord, kindOf } from './errors'
import type { FormatHandler, Reading } from './format'
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
  /** PEM of the signing certificate, for keyless signatures; null when signed with a key. */
  Cert: string | null
  Chain: string | null
  /** The Rekor entry's signed promise, when the signature was logged. */
  Bundle: unknown
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

/**
 * Judges the signature with the trusted keys, as a DSSE envelope's is judged. A keyless signature (with a Fulcio
 * certificate) is not checked here yet: it is said to be unverifiable, naming why, never verified or failed.
 */
function judge(payload: Buffer, signature: Buffer, type: unknown, certificate: string | null, context: Parameters<FormatHandler['read']>[1]): Verification {
  const leading: Check[] = [{ name: 'payload-type', ok: type === COSIGN_SIGNATURE_TYPE, expected: COSIGN_SIGNATURE_TYPE, actual: typeof type === 'string' ? type : `not a string (${kindOf(type)})` }]
  const keyed = judgeSignatures(
    { check: 'image-signature', noun: 'signature', covers: 'a signature over the simple-signing payload', signedPart: 'the payload', data: payload, signatures: [{ keyid: '', sig: signature }], leading },
    context.keys,
  )
  if (certificate === null || keyed.status === 'verified' || keyed.status === 'failed') return keyed
  const notJudged = 'the signature is made with a Sigstore certificate (keyless cosign signing), and this server checks cosign image signatures made with a trusted key only'
  const checks: Check[] = [
    ...leading,
    { name: 'image-signature', ok: false, expected: 'a signature over the simple-signing payload', actual: `not judged: ${notJudged}`, notJudged },
    {
      name: 'signer-trusted',
      ok: false,
      expected: 'a key listed in trust.keys',
      actual: 'signed with a certificate, not with a configured key',
      detail: 'Attest the image with `cosign attest` (a Sigstore bundle or DSSE attestation), which this server verifies with its Sigstore trusted roots.',
    },
  ]
  return { status: leading.every((check) => check.ok) ? 'unverifiable' : 'failed', failedCheck: leading.every((check) => check.ok) ? null : 'payload-type', checks: readingOrder(checks), signers: keyed.signers }
}

export const cosignSignatureFormat: FormatHandler = {
  name: 'cosign-signature',
  label: 'a cosign image signature ({ Base64Signature, Payload })',
  detect: looksLikeCosignSignature,
  read(value, context): Reading {
    const signature = decodeBase64(value.Base64Signature, '$.Base64Signature')
    const payload = decodeBase64(value.Payload, '$.Payload')
    const certificate = value.Cert ?? null
    if (certificate !== null && typeof certificate !== 'string') throw new IngestError('invalid-cosign-signature', `expected the certificate as PEM text or null, found ${kindOf(certificate)}`, '$.Cert')
    const { type, digest, reference } = readPayload(payload)
    return {
      format: 'cosign-signature',
      payloadType: SIMPLE_SIGNING_MEDIA_TYPE,
      statement: null,
      verification: judge(payload, signature, type, certificate, context),
      subjects: [{ name: reference, digest: { sha256: digest.slice('sha256:'.length) } }],
    }
  },
}

/**
 * The document a `.sig` manifest's layer stands for, as `cosign download signature` would print it: the layer's
 * bytes are the payload, its annotations hold the signature, the certificate and chain, and the Rekor bundle.
 */
export function cosignSignatureFromLayer(payload: Buffer, annotations: Readonly<Record<string, string>>): CosignSignature | null {
  const signature = annotations['dev.cosignproject.cosign/signature']
  if (signature === undefined) return null
  const bundle = annotations['dev.sigstore.cosign/bundle']
  let parsedBundle: unknown = null
  if (bundle !== undefined) {
    try {
      parsedBundle = JSON.parse(bundle)
    } catch {
      // A malformed log promise is evidence we do not use; the signature is judged on its own.
      parsedBundle = null
    }
  }
  return {
    Base64Signature: signature,
    Payload: payload.toString('base64'),
    Cert: annotations['dev.sigstore.cosign/certificate'] ?? null,
    Chain: annotations['dev.sigstore.cosign/chain'] ?? null,
    Bundle: parsedBundle,
  }
}
