import { createHash } from 'node:crypto'
import type { Check } from '../../src/contract/common'
import type { LogEvidence, LogPair } from '../documents/records'
import { pae } from './dsse'
import { isRecord } from './errors'
import type { PreparedBundle } from './sigstore/prepare-bundle'

/*
 * Transparency-log evidence that arrives apart from the document it is about: a Rekor entry response posted on its
 * own. An entry records a digest and a signature; a stored document is the one it records when it carries that
 * same signature over that same digest. Both sides are reduced to the same key, so the store can match them with
 * one index seek whichever arrives first.
 */

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

export const signatureKey = (signature: Uint8Array): string => sha256(signature)

/**
 * The keys a Sigstore bundle would be recorded under: a message signature logs the artifact's digest; a DSSE
 * envelope is logged over its payload's digest (dsse, intoto) or, by Rekor v2 as hashedrekord, over its PAE's.
 */
export function bundleLogKeys(prepared: PreparedBundle): LogPair[] {
  const { signature } = prepared
  if (!signature || signature.length === 0) return []
  const sig = signatureKey(signature)
  if (prepared.envelope) return envelopeLogKeys(prepared.envelope.payloadType, prepared.envelope.payload, signature)
  if (prepared.messageDigest && prepared.messageDigest.algorithm === 'sha256') return [{ digest: prepared.messageDigest.hex.toLowerCase(), signature: sig }]
  return []
}

/** The keys a DSSE envelope's signature is logged under, in a bundle or bare: its payload's digest (dsse, intoto) or its PAE's (hashedrekord). */
export function envelopeLogKeys(payloadType: string, payload: Buffer, signature: Uint8Array): LogPair[] {
  if (signature.length === 0) return []
  const sig = signatureKey(signature)
  return [
    { digest: sha256(payload), signature: sig },
    { digest: sha256(pae(payloadType, payload)), signature: sig },
  ]
}

/** True when the bundle's JSON carries no log entry of its own: only then does outside evidence stand in. */
export function bundleHasNoLogEntry(value: Record<string, unknown>): boolean {
  const material = value.verificationMaterial
  if (!isRecord(material)) return false
  const entries = material.tlogEntries
  return entries === undefined || (Array.isArray(entries) && entries.length === 0)
}

/** The bundle's JSON with the evidence's entries as its log entries. */
export function withLogEntries(value: Record<string, unknown>, evidence: readonly LogEvidence[]): Record<string, unknown> {
  const material = isRecord(value.verificationMaterial) ? value.verificationMaterial : {}
  return { ...value, verificationMaterial: { ...material, tlogEntries: evidence.map((item) => item.tlogEntry) } }
}

/** The check that says where the log entries of a bundle came from, when they came in a document of their own. */
export function evidenceCheck(evidence: readonly LogEvidence[]): Check {
  const entries = evidence.map((item) => `entry ${item.logIndex} (uuid ${item.uuid.slice(-16)}…, from document ${item.entryDocumentId.slice(0, 12)}…)`)
  return {
    name: 'log-evidence',
    ok: true,
    expected: 'the transparency-log entry of this signature',
    actual: `taken from a Rekor entry response stored separately: ${entries.join(', ')}`,
    detail: 'The bundle carries no log entry; the entry that records its signature was posted on its own and is verified here as if the bundle carried it.',
  }
}

/** The one spelling of a pair, as maps of evidence are keyed. */
export const pairKey = (key: LogPair): string => `${key.digest}:${key.signature}`

/** All the evidence for one document's pairs, each entry once, in the order found. */
export function evidenceOf(keys: readonly LogPair[], byKey: ReadonlyMap<string, readonly LogEvidence[]>): LogEvidence[] {
  const seen = new Map<string, LogEvidence>()
  for (const key of keys) for (const item of byKey.get(pairKey(key)) ?? []) seen.set(`${item.entryDocumentId}:${item.uuid}`, item)
  return [...seen.values()]
}
