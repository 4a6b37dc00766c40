import type { Check, Signer, Verification } from '../../src/contract/common'
import { IN_TOTO_PAYLOAD_TYPE, pae, type DsseEnvelope } from './dsse'
import { verifySignature, type TrustedKey } from './keys'

const short = (keyid: string) => (keyid === '' ? '(no keyid)' : keyid.length > 24 ? `${keyid.slice(0, 24)}…` : keyid)

/**
 * Verifies a DSSE envelope against the trusted keys, recording every check with what was expected and what was
 * found. A signature that names a trusted key but does not verify with it is a failure (altered or forged);
 * a signature no trusted key claims or verifies is from a key we do not trust.
 */
export function verifyEnvelope(envelope: DsseEnvelope, keys: readonly TrustedKey[]): Verification {
  const checks: Check[] = []
  const signers: Signer[] = []
  checks.push({
    name: 'payload-type',
    ok: envelope.payloadType === IN_TOTO_PAYLOAD_TYPE,
    expected: IN_TOTO_PAYLOAD_TYPE,
    actual: envelope.payloadType,
  })

  if (envelope.signatures.length === 0) {
    checks.push({ name: 'envelope-signature', ok: false, expected: 'at least one signature', actual: 'none', detail: 'The envelope carries no signature.' })
    return finish('unsigned', checks, signers)
  }

  const data = pae(envelope.payloadType, envelope.payload)
  let verified: TrustedKey | null = null
  let claimedButBad: { keyid: string; key: TrustedKey } | null = null
  let certificateOnly = false
  for (const signature of envelope.signatures) {
    const claimed = keys.filter((key) => signature.keyid !== '' && (key.id === signature.keyid || key.fingerprint === signature.keyid))
    // A signer's keyid is a hint, not a promise: when it names no trusted key, try them all.
    const candidates = claimed.length > 0 ? claimed : keys
    const match = candidates.find((key) => verifySignature(key, data, signature.sig)) ?? null
    signers.push({ keyId: signature.keyid || null, trustedKeyId: match?.id ?? null, algorithm: match?.algorithm ?? claimed[0]?.algorithm ?? null })
    if (match) {
      verified ??= match
    } else if (claimed[0]) {
      claimedButBad ??= { keyid: signature.keyid, key: claimed[0] }
    } else if (signature.cert) {
      certificateOnly = true
    }
  }

  if (verified) {
    checks.push({
      name: 'envelope-signature',
      ok: true,
      expected: 'a signature over the DSSE pre-authentication encoding',
      actual: `verifies with ${verified.algorithm} key ${verified.id}`,
    })
    checks.push({ name: 'signer-trusted', ok: true, expected: 'a key listed in trust.keys', actual: `trusted key ${verified.id}` })
    return finish(checks.every((check) => check.ok) ? 'verified' : 'failed', checks, signers)
  }
  if (claimedButBad) {
    checks.push({
      name: 'envelope-signature',
      ok: false,
      expected: `a valid ${claimedButBad.key.algorithm} signature by trusted key ${claimedButBad.key.id}`,
      actual: `the signature for keyid ${short(claimedButBad.keyid)} does not verify`,
      detail: 'The envelope names a trusted key, but its signature does not match the payload: the payload or the signature was altered after signing.',
    })
    return finish('failed', checks, signers)
  }
  const keyids = envelope.signatures.map((signature) => short(signature.keyid)).join(', ')
  if (certificateOnly) {
    checks.push({
      name: 'signer-trusted',
      ok: false,
      expected: 'a trusted key, or a certificate chain to a configured Sigstore trusted root',
      actual: `signed with a certificate (keyid ${keyids}); no trusted root is configured to check it`,
      detail: 'Add the Sigstore trusted_root.json that issued this certificate to the config to verify it.',
    })
    return finish('unverifiable', checks, signers)
  }
  checks.push({
    name: 'signer-trusted',
    ok: false,
    expected: keys.length > 0 ? `a signature by one of: ${keys.map((key) => key.id).join(', ')}` : 'a key listed in trust.keys',
    actual: `keyid ${keyids}: no trusted key verifies it`,
    detail:
      keys.length > 0
        ? 'The signature was made by a key that is not in trust.keys (or it was altered and names no key).'
        : 'No keys are configured under trust.keys.',
  })
  return finish(checks.some((check) => check.name === 'payload-type' && !check.ok) ? 'failed' : 'untrusted', checks, signers)
}

function finish(status: Verification['status'], checks: Check[], signers: Signer[]): Verification {
  // The failing check a person should read first goes first; the passing ones keep their order after it.
  const failed = checks.filter((check) => !check.ok)
  const ordered = [...failed, ...checks.filter((check) => check.ok)]
  return { status, failedCheck: status === 'failed' ? (failed[0]?.name ?? null) : null, checks: ordered, signers }
}
