import { pae, type DsseEnvelope } from '../dsse'
import { verifySignature, type TrustedKey } from '../keys'
import { MESSAGE_HASHES, type RawBundle } from './bundle-json'
import type { SigningCertificate } from './certificate'
import { step, type Step } from './checks'
import { verifyDigestSignature } from './digest-signature'
import { timesOf, type Times } from './timestamps'
import { findKey, keyValidAt, type SigstoreTrust, type SigstoreKey } from './trust-material'
import { iso } from './wording'

// Who signed: the bundle-signature check (the signature verifies with the certificate's key or a configured
// key) and, for plain keys, the signer-trusted check (that key was valid when it signed).

export type SignerResult = { step: Step; key: SigstoreKey | null; trustedKeyId: string | null; source: 'certificate' | 'configured' | 'none' }

export type SignedContent = { raw: RawBundle; envelope: DsseEnvelope | null; certificate: SigningCertificate | null; trust: SigstoreTrust }

export function checkSignature({ raw, envelope, certificate, trust }: SignedContent): SignerResult {
  const what = envelope ? 'a signature over the DSSE pre-authentication encoding of the payload' : 'a signature over the artifact digest in messageSignature'
  const verify = (key: TrustedKey): boolean | 'unsupported' => {
    if (envelope) {
      const signature = envelope.signatures[0]
      return signature ? verifySignature(key, pae(envelope.payloadType, envelope.payload), signature.sig) : false
    }
    const message = raw.message
    const hash = message ? MESSAGE_HASHES[message.algorithm] : undefined
    if (!message || !hash) return 'unsupported'
    if (message.digest.length !== hash.length) return false
    return verifyDigestSignature(key.key, hash.node, message.digest, message.signature)
  }

  if (certificate) {
    if (!certificate.key) {
      return { step: step('failed', 'bundle-signature', what, `the certificate's key cannot verify: ${certificate.keyError ?? 'unknown key'}`), key: null, trustedKeyId: null, source: 'none' }
    }
    const result = verify(certificate.key)
    const subject = certificate.info.subjectAlternativeName ?? 'the certificate'
    if (result === 'unsupported') {
      return {
        step: step('missing', 'bundle-signature', what, `a ${certificate.key.algorithm} signature over ${raw.message?.algorithm ?? 'a digest'}`, 'This key type signs the artifact itself; the artifact bytes are needed to check it.'),
        key: certificate.key,
        trustedKeyId: null,
        source: 'certificate',
      }
    }
    return {
      step: result
        ? step('ok', 'bundle-signature', what, `verifies with the ${certificate.key.algorithm} key of the certificate for ${subject}`)
        : step('failed', 'bundle-signature', what, `does not verify with the ${certificate.key.algorithm} key of the certificate for ${subject}`, 'The signed content or the signature was altered after signing.'),
      key: certificate.key,
      trustedKeyId: null,
      source: 'certificate',
    }
  }

  const hint = raw.keyMaterial.kind === 'public-key' ? raw.keyMaterial.hint : ''
  const named = findKey(trust.keys, hint)
  // The hint is a hint: when it names no configured key, any configured key that verifies is the signer.
  const candidates = named ? [named] : trust.keys
  for (const key of candidates) {
    if (verify(key) === true) {
      return { step: step('ok', 'bundle-signature', what, `verifies with configured ${key.algorithm} key ${key.id}`), key, trustedKeyId: key.id, source: 'configured' }
    }
  }
  if (named) {
    return {
      step: step('failed', 'bundle-signature', `${what}, by configured key ${named.id}`, `does not verify with key ${named.id} (hint ${hint})`, 'The bundle names a configured key, but the signature does not match: the content or the signature was altered.'),
      key: named,
      trustedKeyId: named.id,
      source: 'configured',
    }
  }
  return {
    step: step('missing', 'bundle-signature', what, `signed by key ${hint || '(no hint)'}, which is not configured`, `Add the public key for hint ${hint || '(none)'} to check this signature.`),
    key: null,
    trustedKeyId: null,
    source: 'none',
  }
}

export function checkSignerTrusted(raw: RawBundle, trust: SigstoreTrust, signer: SignerResult, times: Times, now: Date): Step {
  const hint = raw.keyMaterial.kind === 'public-key' ? raw.keyMaterial.hint : ''
  const expected = trust.keys.length > 0 ? `a key listed in trust.keys (${trust.keys.map((key) => key.id).join(', ')}), valid at signing time` : 'a key listed in trust.keys'
  if (!signer.key || signer.source !== 'configured') {
    return step('missing', 'signer-trusted', expected, `hint ${hint || '(none)'}: no configured key`, trust.keys.length > 0 ? `No configured key matches hint ${hint || '(none)'}.` : 'No keys are configured.')
  }
  const key = signer.key
  const dates = timesOf(times)
  const at = dates.length > 0 ? dates : [now]
  const invalid = at.find((date) => !keyValidAt(key, date))
  const window = `${key.validFor?.start ? iso(key.validFor.start) : 'any time'} to ${key.validFor?.end ? iso(key.validFor.end) : 'now'}`
  if (invalid) return step('failed', 'signer-trusted', expected, `key ${key.id} is valid ${window}, not at ${iso(invalid)}`)
  return step('ok', 'signer-trusted', expected, `configured key ${key.id}, valid ${window}${dates.length === 0 ? ` (checked at ${iso(now)}: no verified signing time)` : ''}`)
}
