import type { TransparencyLogEntry } from '@sigstore/bundle'
import { RFC3161Timestamp } from '@sigstore/core'
import type { SignedEntity } from '@sigstore/verify'
import { IngestError } from '../errors'
import type { RawBundle } from './bundle-json'
import { anyKeyMaterial, isolationKey, runVerifier, signatureCheckedElsewhere, step, type Step } from './checks'
import type { SigstoreTrust } from './trust-material'
import { hex, iso, messageOf } from './wording'

// When a bundle was signed: RFC 3161 timestamps, and the verified times the certificate and keys are judged at.

export type SignedTimestamp = { parsed: RFC3161Timestamp; time: Date }

/** Parses the bundle's RFC 3161 timestamp responses; one that is not a timestamp makes the bundle unreadable. */
export function readTimestamps(stamps: RawBundle['rfc3161']): SignedTimestamp[] {
  return stamps.map((stamp) => {
    try {
      const parsed = RFC3161Timestamp.parse(Buffer.from(stamp.der))
      return { parsed, time: parsed.signingTime }
    } catch (error) {
      throw new IngestError('invalid-timestamp', `not an RFC 3161 timestamp response: ${messageOf(error)}`, stamp.path)
    }
  })
}

/** The timestamp check: each timestamp must come from a timestamp authority in the trusted roots and verify. */
export function checkTimestamps(rfc3161: SignedTimestamp[], trust: SigstoreTrust, entity: SignedEntity): { step: Step | null; trusted: RFC3161Timestamp[] } {
  if (rfc3161.length === 0) return { step: null, trusted: [] }
  const expected = 'RFC 3161 timestamps over the signature, by a timestamp authority in the trusted root'
  const trusted: RFC3161Timestamp[] = []
  for (const { parsed, time } of rfc3161) {
    const authority = trust.timestampAuthorities.find((ca) => ca.chain.some((cert) => cert.serialNumber.equals(parsed.signerSerialNumber)))
    if (!authority) {
      return {
        step: step('missing', 'timestamp', expected, `a timestamp of ${iso(time)} by a timestamp authority no trusted root contains (signer serial ${hex(parsed.signerSerialNumber)})`, 'Add the trusted_root.json that lists this timestamp authority.'),
        trusted,
      }
    }
    const result = runVerifier(anyKeyMaterial(trust, isolationKey()), { signature: signatureCheckedElsewhere(entity), key: { $case: 'public-key', hint: '' }, timestamps: [{ $case: 'timestamp-authority', timestamp: parsed }], tlogEntries: [] }, {
      tlogThreshold: 0,
      timestampThreshold: 1,
      ctlogThreshold: 0,
    })
    if (!result.ok) return { step: step('failed', 'timestamp', expected, `the timestamp of ${iso(time)} does not verify: ${result.message}`), trusted }
    trusted.push(parsed)
  }
  return { step: step('ok', 'timestamp', expected, `${trusted.length} verified: ${rfc3161.map(({ time }) => iso(time)).join(', ')}`), trusted }
}

/** The signing times that verified: from signed entry timestamps and RFC 3161 timestamps. */
export type Times = { tlog: TransparencyLogEntry[]; rfc3161: RFC3161Timestamp[]; missing: boolean }

export const timesOf = (times: Times): Date[] => [...times.tlog.map((entry) => new Date(Number(entry.integratedTime) * 1000)), ...times.rfc3161.map((stamp) => stamp.signingTime)]
