import { z } from 'zod'
import { decodeBase64Text } from './base64'
import { IngestError, isRecord, kindOf } from './errors'
import { base64, lenientSchema, optional, readLeniently, type DocumentFormat, type Tolerance } from './read'

export type DsseSignature = { keyid: string; sig: Buffer; cert: string | null }

export type DsseEnvelope = {
  payloadType: string
  payload: Buffer
  signatures: DsseSignature[]
}

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json'

/** Decodes standard or URL-safe base64, refusing anything else, as an IngestError `invalid-base64` at `path`. */
export function decodeBase64(value: unknown, path: string): Buffer {
  if (typeof value !== 'string') throw new IngestError('invalid-base64', `expected a base64 string, found ${kindOf(value)}`, path)
  const decoded = decodeBase64Text(value)
  if ('problem' in decoded) throw new IngestError('invalid-base64', decoded.problem, path)
  return decoded.bytes
}

export function looksLikeDsse(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && 'payload' in value && 'payloadType' in value && 'signatures' in value
}

const DSSE: DocumentFormat = { code: 'invalid-dsse', label: 'a DSSE envelope' }

const Envelope = lenientSchema((tolerate) =>
  z.object({
    payloadType: z.string(),
    payload: base64,
    signatures: z.array(
      z.object({
        keyid: z.string().optional(),
        sig: base64,
        // Not part of DSSE: some signers put their PEM certificate here. Only a hint, so a malformed one is
        // tolerated (and said) rather than refusing an envelope whose signature may still verify by key.
        cert: tolerate(optional(z.string()), null),
      }),
    ),
  }),
)

/**
 * Reads a DSSE envelope (https://github.com/secure-systems-lab/dsse/blob/master/envelope.md), with the
 * malformed `cert` hints it read as absent.
 */
export function readEnvelope(value: unknown): { envelope: DsseEnvelope; tolerated: Tolerance[] } {
  return wellFormedEnvelope(value) ?? readEnvelopeBySchema(value)
}

/** readEnvelope with the schema alone: what its well-formed shortcut is tested against. */
export function readEnvelopeBySchema(value: unknown): { envelope: DsseEnvelope; tolerated: Tolerance[] } {
  const { value: envelope, tolerated } = readLeniently(DSSE, Envelope, value)
  return {
    envelope: {
      payloadType: envelope.payloadType,
      payload: envelope.payload,
      signatures: envelope.signatures.map(({ keyid, sig, cert }) => ({ keyid: keyid ?? '', sig, cert: cert === '' ? null : cert })),
    },
    tolerated,
  }
}

/**
 * An envelope whose every field has the form DSSE gives, read as the schema reads it but without zod, which cost more
 * than the rest of reading the envelope; null at the first value of another form, for the schema to read and report.
 */
function wellFormedEnvelope(value: unknown): { envelope: DsseEnvelope; tolerated: Tolerance[] } | null {
  if (!isRecord(value) || typeof value.payloadType !== 'string' || typeof value.payload !== 'string' || !Array.isArray(value.signatures)) return null
  const payload = decodeBase64Text(value.payload)
  if (!('bytes' in payload)) return null
  const signatures: DsseSignature[] = []
  for (const signature of value.signatures as unknown[]) {
    if (!isRecord(signature)) return null
    const { keyid, sig, cert } = signature
    if ((keyid !== undefined && typeof keyid !== 'string') || typeof sig !== 'string' || (cert !== undefined && cert !== null && typeof cert !== 'string')) return null
    const decoded = decodeBase64Text(sig)
    if (!('bytes' in decoded)) return null
    signatures.push({ keyid: keyid ?? '', sig: decoded.bytes, cert: cert === '' || cert === undefined ? null : cert })
  }
  return { envelope: { payloadType: value.payloadType, payload: payload.bytes, signatures }, tolerated: [] }
}

/** Reads a DSSE envelope; for callers that do not report tolerated `cert` hints (a Sigstore bundle carries none). */
export function parseEnvelope(value: unknown): DsseEnvelope {
  return readEnvelope(value).envelope
}

/** DSSE's pre-authentication encoding: what is actually signed. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8')
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${payload.length} `, 'utf8'),
    payload,
  ])
}
