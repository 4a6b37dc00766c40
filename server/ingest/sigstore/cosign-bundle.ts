import { createHash } from 'node:crypto'
import { z } from 'zod'
import { IngestError, isRecord } from '../errors'
import { base64, jsonObject, readAs, readError, type DocumentFormat } from '../read'

/*
 * cosign's keyless signatures and attestations as they sit in an OCI registry (the `sha256-<hex>.sig` and `.att`
 * tags), re-expressed as the Sigstore bundle v0.1 that carries the same evidence, so that the one Sigstore
 * verifier (prepare-bundle.ts) judges them:
 *
 * - the layer's `dev.sigstore.cosign/certificate` (the Fulcio leaf) and `dev.sigstore.cosign/chain` (its
 *   intermediate and root) become `x509CertificateChain`;
 * - `dev.sigstore.cosign/bundle`, cosign's own "Rekor bundle" (`SignedEntryTimestamp` and `Payload` with the
 *   entry's `body`, `integratedTime`, `logIndex`, `logID`), becomes the one tlog entry: the SET is the v0.1
 *   inclusion promise, and it is signed over exactly those four fields, so nothing is lost in the move;
 * - a `.sig` layer's signature over the simple-signing payload becomes a message signature over the payload's
 *   SHA-256 (what Rekor's hashedrekord entry logs), and an `.att` layer's DSSE envelope stays the envelope;
 * - a `.sig` layer's `dev.sigstore.cosign/rfc3161timestamp` (a TSA's response over the signature's bytes, as
 *   cosign sign asks for it) becomes `timestampVerificationData.rfc3161Timestamps`, so the certificate is judged
 *   at the time the TSA vouches for too. The field is read by every bundle version, and the bundle stays v0.1:
 *   v0.2 and later require an inclusion proof, and cosign's Rekor bundle has only the signed entry timestamp.
 *   An `.att` layer's timestamp is left out: cosign attest time-stamps the whole envelope's JSON, not the DSSE
 *   signature a bundle's timestamp covers, so it would be judged over the wrong bytes.
 *
 * See https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md (annotations) and sigstore_bundle.proto.
 */

export const COSIGN_ANNOTATIONS = {
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  chain: 'dev.sigstore.cosign/chain',
  bundle: 'dev.sigstore.cosign/bundle',
  /** `{"SignedRFC3161Timestamp":"<base64 DER>"}`: a timestamp authority's response, when signed with one. */
  rfc3161Timestamp: 'dev.sigstore.cosign/rfc3161timestamp',
} as const

const BUNDLE_V01 = 'application/vnd.dev.sigstore.bundle+json;version=0.1'

const COSIGN: DocumentFormat = { code: 'invalid-cosign-signature', label: 'a cosign signature' }

/** Rekor answers integers as JSON numbers; cosign copies them as they came. */
const integer = z.number().int().nonnegative()

/** cosign's Rekor bundle (`cosign/bundle` RekorBundle): the log's promise and the four fields it signs. */
const RekorBundle = z.object({
  SignedEntryTimestamp: base64,
  Payload: z.object({
    body: base64,
    integratedTime: integer,
    logIndex: integer,
    logID: z.string().regex(/^[0-9a-f]{64}$/, { error: "expected the log's id as 64 lower-case hex characters" }),
  }),
})

/** cosign's `bundle.RFC3161Timestamp`: the TSA's DER response, base64. */
const CosignTimestamp = z.object({ SignedRFC3161Timestamp: base64 })

/** The DER certificates of a PEM text, in order; the text must hold at least one and nothing else. */
export function pemCertificates(pem: string, path: string, what: string): Buffer[] {
  const blocks = [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)]
  const rest = pem.replace(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g, '').trim()
  if (blocks.length === 0 || rest !== '') {
    throw new IngestError(COSIGN.code, `expected ${what} as PEM (-----BEGIN CERTIFICATE----- blocks only), found ${blocks.length === 0 ? 'no certificate' : `other text: ${JSON.stringify(rest.slice(0, 40))}`}`, path)
  }
  return blocks.map((block, index) => {
    const text = (block[1] ?? '').replace(/\s+/g, '')
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new IngestError(COSIGN.code, `certificate ${index + 1} of ${what} is not base64 inside its PEM block`, path)
    return Buffer.from(text, 'base64')
  })
}

/** The bundle's tlog entry for cosign's Rekor bundle; its kind and version are the logged body's own. */
export function tlogEntryOf(value: unknown, path: string): Record<string, unknown> {
  const rekor = readAs(COSIGN, RekorBundle, value, path)
  const body = rekor.Payload.body
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    throw readError(COSIGN, `${path}.Payload.body`, 'the log entry body is not JSON')
  }
  if (!isRecord(parsed) || typeof parsed.kind !== 'string' || typeof parsed.apiVersion !== 'string') {
    throw readError(COSIGN, `${path}.Payload.body`, 'the log entry body names no kind and apiVersion')
  }
  return {
    logIndex: String(rekor.Payload.logIndex),
    logId: { keyId: Buffer.from(rekor.Payload.logID, 'hex').toString('base64') },
    kindVersion: { kind: parsed.kind, version: parsed.apiVersion },
    integratedTime: String(rekor.Payload.integratedTime),
    inclusionPromise: { signedEntryTimestamp: rekor.SignedEntryTimestamp.toString('base64') },
    canonicalizedBody: body.toString('base64'),
  }
}

export type KeylessMaterial = {
  /** PEM of the Fulcio leaf. */
  certificate: string
  /** PEM of the certificates that issued it (cosign's `chain`), or null. */
  chain: string | null
  /** cosign's Rekor bundle, parsed; null when the signature was not logged. */
  rekorBundle: unknown
  /** cosign's RFC 3161 timestamp (`{ SignedRFC3161Timestamp }`), parsed; null or absent when there is none. */
  rfc3161Timestamp?: unknown
}

/** Where in the cosign document each part of the assembled bundle came from: errors name the cosign field. */
export type KeylessPaths = { certificate: string; chain: string; rekorBundle: string; rfc3161Timestamp?: string }

function verificationMaterial(material: KeylessMaterial, paths: KeylessPaths): Record<string, unknown> {
  const leaf = pemCertificates(material.certificate, paths.certificate, 'the signing certificate')
  if (leaf.length !== 1) throw new IngestError(COSIGN.code, `expected one signing certificate, found ${leaf.length}`, paths.certificate)
  const chain = material.chain === null || material.chain.trim() === '' ? [] : pemCertificates(material.chain, paths.chain, 'the certificate chain')
  const stamp = material.rfc3161Timestamp ?? null
  return {
    x509CertificateChain: { certificates: [...leaf, ...chain].map((der) => ({ rawBytes: der.toString('base64') })) },
    tlogEntries: material.rekorBundle === null ? [] : [tlogEntryOf(material.rekorBundle, paths.rekorBundle)],
    ...(stamp === null
      ? {}
      : { timestampVerificationData: { rfc3161Timestamps: [{ signedTimestamp: readAs(COSIGN, CosignTimestamp, stamp, paths.rfc3161Timestamp ?? '$.RFC3161Timestamp').SignedRFC3161Timestamp.toString('base64') }] } }),
  }
}

/** A `.sig` layer's keyless signature over the simple-signing payload, as a v0.1 message-signature bundle. */
export function cosignSignatureBundle(payload: Buffer, signature: Buffer, material: KeylessMaterial, paths: KeylessPaths): Record<string, unknown> {
  return {
    mediaType: BUNDLE_V01,
    verificationMaterial: verificationMaterial(material, paths),
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(payload).digest('base64') },
      signature: signature.toString('base64'),
    },
  }
}

/**
 * An `.att` layer (a DSSE envelope) signed keyless, as a v0.1 DSSE bundle; null when the layer carries no
 * certificate (a key-signed attestation is read as the envelope it is). A layer whose annotations cannot be read
 * gives the problem, naming the annotation.
 */
export function cosignAttestationBundle(envelope: Buffer, annotations: Readonly<Record<string, string>>): { bundle: Buffer } | { problem: string } | null {
  const certificate = annotations[COSIGN_ANNOTATIONS.certificate]
  if (certificate === undefined || certificate === '') return null
  try {
    let parsedEnvelope: unknown
    try {
      parsedEnvelope = JSON.parse(envelope.toString('utf8'))
    } catch {
      return { problem: 'the attestation layer carries a certificate but is not a JSON DSSE envelope' }
    }
    const dsseEnvelope = readAs(COSIGN, jsonObject, parsedEnvelope, '$')
    const rawBundle = annotations[COSIGN_ANNOTATIONS.bundle]
    let rekorBundle: unknown = null
    if (rawBundle !== undefined) {
      try {
        rekorBundle = JSON.parse(rawBundle)
      } catch {
        return { problem: `the ${COSIGN_ANNOTATIONS.bundle} annotation is not JSON` }
      }
    }
    const material = { certificate, chain: annotations[COSIGN_ANNOTATIONS.chain] ?? null, rekorBundle }
    const paths = { certificate: COSIGN_ANNOTATIONS.certificate, chain: COSIGN_ANNOTATIONS.chain, rekorBundle: COSIGN_ANNOTATIONS.bundle }
    const bundle = { mediaType: BUNDLE_V01, verificationMaterial: verificationMaterial(material, paths), dsseEnvelope }
    return { bundle: Buffer.from(JSON.stringify(bundle)) }
  } catch (error) {
    if (error instanceof IngestError) return { problem: `the attestation layer's ${error.path ?? 'annotations'}: ${error.message}` }
    throw error
  }
}
