import { createHash, createPublicKey, X509Certificate as NodeCertificate } from 'node:crypto'
import type { TransparencyLogEntry } from '@sigstore/bundle'
import type { SignedEntity } from '@sigstore/verify'
import { pae, type DsseEnvelope } from '../dsse'
import { isRecord } from '../errors'
import { BUNDLE_MEDIA_TYPES, type RawBundle } from './bundle-json'
import { leafHash, verifyInclusion } from '../../log/merkle'
import { anyKeyMaterial, InternalCheckError, internalErrorStep, isolationKey, runVerifier, signatureCheckedElsewhere, step, type Step } from './checks'
import type { SigstoreTrust } from './trust-material'
import { hex, shortHex } from './wording'

// The transparency-log check: a Rekor entry records this very signature (its body is read here, since the
// library only compares what it knows), and is proven to be in a log the trusted roots list.

/**
 * `entries` are the bundle's entries as the library should see them: an inclusion proof no checkpoint signs is
 * left out (it cannot be verified against anything the log signed, and the library would crash on it).
 * `proven` are those of them whose inclusion and body @sigstore/verify has accepted here, so the whole-bundle
 * cross-check need not prove them again (proving one was a tenth of a bundle's verification).
 */
export type TlogResult = { step: Step; trusted: TransparencyLogEntry[]; present: number; entries: TransparencyLogEntry[]; proven?: ReadonlySet<TransparencyLogEntry>; paeDigest?: string }

/** What a Rekor entry body says was logged: the signature, the digest, and the key or certificate. */
export type LoggedSignature = { kind: string; signature: Buffer | null; digest: string | null; verifier: Buffer | null }

export function readLoggedBody(body: Buffer): LoggedSignature | string {
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    return 'the entry body is not JSON'
  }
  if (!isRecord(parsed) || !isRecord(parsed.spec)) return 'the entry body has no spec'
  const kind = `${String(parsed.kind)}/${String(parsed.apiVersion)}`
  const spec = parsed.spec
  const b64 = (value: unknown) => (typeof value === 'string' ? Buffer.from(value, 'base64') : null)
  const pemOrDer = (value: unknown) => {
    const bytes = b64(value)
    if (!bytes) return null
    const textual = bytes.toString('utf8')
    return textual.startsWith('-----BEGIN') ? pemToDer(textual) : bytes
  }
  const get = (value: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((at, key) => (isRecord(at) ? at[key] : undefined), value)
  const first = (value: unknown): unknown => {
    if (!Array.isArray(value)) return undefined
    const list: unknown[] = value
    return list[0]
  }
  switch (kind) {
    case 'hashedrekord/0.0.1':
      return { kind, signature: b64(get(spec, 'signature', 'content')), digest: stringOrNull(get(spec, 'data', 'hash', 'value')), verifier: pemOrDer(get(spec, 'signature', 'publicKey', 'content')) }
    case 'dsse/0.0.1': {
      const signature = first(get(spec, 'signatures'))
      return { kind, signature: b64(get(signature, 'signature')), digest: stringOrNull(get(spec, 'payloadHash', 'value')), verifier: pemOrDer(get(signature, 'verifier')) }
    }
    case 'intoto/0.0.2': {
      const signature = first(get(spec, 'content', 'envelope', 'signatures'))
      // intoto 0.0.2 stores the signature base64-encoded twice.
      const sig = b64(get(signature, 'sig'))
      return { kind, signature: sig ? Buffer.from(sig.toString('utf8'), 'base64') : null, digest: stringOrNull(get(spec, 'content', 'payloadHash', 'value')), verifier: pemOrDer(get(signature, 'publicKey')) }
    }
    // Rekor v2 (rekor-tiles) bodies: bytes as base64 in proto3 JSON, digests as bytes rather than hex.
    case 'dsse/0.0.2': {
      const dsse = get(spec, 'dsseV002')
      const signature = first(get(dsse, 'signatures'))
      const digest = b64(get(dsse, 'payloadHash', 'digest'))
      return {
        kind,
        signature: b64(get(signature, 'content')),
        digest: digest ? hex(digest) : null,
        verifier: b64(get(signature, 'verifier', 'x509Certificate', 'rawBytes')) ?? b64(get(signature, 'verifier', 'publicKey', 'rawBytes')),
      }
    }
    case 'hashedrekord/0.0.2': {
      const rekord = get(spec, 'hashedRekordV002')
      const digest = b64(get(rekord, 'data', 'digest'))
      return {
        kind,
        signature: b64(get(rekord, 'signature', 'content')),
        digest: digest ? hex(digest) : null,
        verifier: b64(get(rekord, 'signature', 'verifier', 'x509Certificate', 'rawBytes')) ?? b64(get(rekord, 'signature', 'verifier', 'publicKey', 'rawBytes')),
      }
    }
    default:
      return `entries of kind ${kind} are not supported`
  }
}

const stringOrNull = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : null)

function pemToDer(pem: string): Buffer | null {
  const match = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(pem)
  return match?.[2] ? Buffer.from(match[2].replace(/\s+/g, ''), 'base64') : null
}

/** Keys read, by their DER: the same certificate comes in the bundle and in its log entry, and again in the next. */
const keysRead = new Map<string, Buffer | null>()
const KEYS_KEPT = 2000

/** Forgets the keys read: for the bench, to time a certificate seen for the first time. */
export function forgetLoggedKeys(): void {
  keysRead.clear()
}

/** The signing key's SubjectPublicKeyInfo, whether the log holds a certificate or a bare key. */
function spkiOf(der: Buffer): Buffer | null {
  const id = createHash('sha256').update(der).digest('hex')
  if (keysRead.has(id)) return keysRead.get(id) ?? null
  const spki = readSpki(der)
  keysRead.set(id, spki)
  if (keysRead.size > KEYS_KEPT) keysRead.delete(keysRead.keys().next().value ?? '')
  return spki
}

function readSpki(der: Buffer): Buffer | null {
  try {
    return new NodeCertificate(der).publicKey.export({ type: 'spki', format: 'der' })
  } catch {
    try {
      return createPublicKey({ key: der, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'der' })
    } catch {
      return null
    }
  }
}

export type TlogEvidence = {
  raw: RawBundle
  trust: SigstoreTrust
  entity: SignedEntity
  envelope: DsseEnvelope | null
  /** How many RFC 3161 timestamps the bundle carries: they stand in for a log entry where there is none. */
  timestampCount: number
  /** The signing certificate's key (SPKI DER) when the caller has read the certificate already; read from the bundle otherwise. */
  certificateKey?: () => Buffer | null
}

export function checkTransparencyLog({ raw, trust, entity, envelope, timestampCount, certificateKey }: TlogEvidence): TlogResult {
  const version = BUNDLE_MEDIA_TYPES[raw.mediaType]
  const entries = [...entity.tlogEntries]
  let loggedOverPae = false
  const expected = `an entry for this signature, with ${version === '0.1' ? 'a signed entry timestamp' : 'an inclusion proof against a signed checkpoint'} from a trusted Rekor log`
  if (entries.length === 0) {
    if (timestampCount > 0) {
      // Sigstore instances without a public log (GitHub's, for private repositories) time-stamp instead.
      return { step: step('ok', 'transparency-log', expected, 'no transparency log entry', 'The bundle is not in a transparency log; its signing time comes from the RFC 3161 timestamp.'), trusted: [], present: 0, entries }
    }
    return { step: step('failed', 'transparency-log', expected, 'no transparency log entry and no RFC 3161 timestamp', 'Without a log entry or a timestamp nothing proves when it was signed.'), trusted: [], present: 0, entries }
  }

  const ourSignature = entity.signature.signature
  const payloadDigest = envelope ? createHash('sha256').update(envelope.payload).digest('hex') : (raw.message?.digest.toString('hex') ?? '')
  // Rekor v2 may log a DSSE envelope as hashedrekord 0.0.2 over the digest of its PAE, the bytes actually signed
  // (rekor-v2 spec §6.1.4); @sigstore/verify 3.x compares the payload's digest instead and calls it a mismatch.
  // Computed only for such an entry: encoding the PAE copies the whole payload.
  let paeDigestRead: string | undefined
  const paeDigestOf = (dsse: DsseEnvelope) => (paeDigestRead ??= createHash('sha256').update(pae(dsse.payloadType, dsse.payload)).digest('hex'))
  const ourDer = raw.keyMaterial.kind === 'certificate' ? raw.keyMaterial.der : null
  const ourKey = ourDer ? () => (certificateKey ? certificateKey() : spkiOf(ourDer)) : null
  const trusted: TransparencyLogEntry[] = []
  const findings: Step[] = []
  const proven = new Set<TransparencyLogEntry>()
  entity.tlogEntries.forEach((entry, index) => {
    const rawEntry = raw.tlog[index]
    const label = `entry ${entry.logIndex}`
    const logId = entry.logId.keyId
    const authority = trust.tlogs.find((log) => log.logIds.some((id) => id.equals(logId)))
    // 1. Does the entry record THIS signature? (no trust material needed, so it is checked first)
    const logged = rawEntry ? readLoggedBody(rawEntry.body) : 'entry missing'
    if (typeof logged === 'string') {
      // An entry kind we cannot read is unproven, not disproven.
      findings.push(step(logged.includes('not supported') ? 'missing' : 'failed', 'transparency-log', expected, `${label}: ${logged}`))
      return
    }
    const mismatches: string[] = []
    if (!logged.signature || !logged.signature.equals(ourSignature)) {
      mismatches.push(`its signature ${logged.signature ? shortHex(hex(createHash('sha256').update(logged.signature).digest())) : '(none)'} (sha256) is not the bundle's ${shortHex(hex(createHash('sha256').update(ourSignature).digest()))}`)
    }
    const paeDigest = envelope && logged.kind === 'hashedrekord/0.0.2' ? paeDigestOf(envelope) : null
    const overPae = paeDigest !== null
    const ourDigest = paeDigest ?? payloadDigest
    if (overPae) loggedOverPae = true
    if (logged.digest !== ourDigest) mismatches.push(`it logs digest ${shortHex(logged.digest ?? '(none)')}, the bundle's ${overPae ? 'DSSE pre-authentication encoding' : 'content'} is ${shortHex(ourDigest)}`)
    // The log usually holds the very certificate the bundle carries: the same bytes name the same key.
    const key = ourKey && logged.verifier && !ourDer?.equals(logged.verifier) ? ourKey() : null
    if (key && logged.verifier) {
      const loggedKey = spkiOf(logged.verifier)
      if (!loggedKey || !loggedKey.equals(key)) mismatches.push("it names a different signing key than the bundle's certificate")
    }
    if (mismatches.length > 0) {
      findings.push(
        step(
          'failed',
          'transparency-log',
          `${label} (${logged.kind}) records this bundle's signature and ${envelope ? 'payload' : 'digest'}`,
          `${label} belongs to a different signature: ${mismatches.join('; ')}`,
          'The log entry was made for another signature; it proves nothing about this one.',
        ),
      )
      return
    }
    // 2. Is the entry really in a log we trust?
    if (!authority) {
      findings.push(
        step(
          'missing',
          'transparency-log',
          expected,
          `no trusted root contains a Rekor log with id ${logId.toString('base64')} (${hex(logId)})`,
          'Add the trusted_root.json of the Sigstore instance that logged this bundle.',
        ),
      )
      return
    }
    if (version !== '0.1' && !entry.inclusionProof) {
      findings.push(step('failed', 'transparency-log', expected, `${label} has no inclusion proof, which bundle v${version} requires`))
      return
    }
    const proof = entry.inclusionProof
    // What the library is asked to verify: the entry, less an inclusion proof nothing signed vouches for.
    let checked: TransparencyLogEntry = entry
    let unsignedProof = false
    if (proof && !proof.checkpoint) {
      // sigstore-python wrote v0.1 bundles whose proof has no checkpoint: the proof's root is then signed by
      // nobody, and the signed entry timestamp (which does not cover the proof) is the log's promise. The proof
      // must still lead to its own root: one that does not is demonstrably wrong.
      const leads = rawEntry !== undefined && verifyInclusion(Number(proof.logIndex), Number(proof.treeSize), leafHash(rawEntry.body), proof.hashes, proof.rootHash)
      if (!leads) {
        findings.push(step('failed', 'transparency-log', expected, `${label}: its inclusion proof (index ${proof.logIndex}, tree size ${proof.treeSize}) does not lead from the entry to the root hash it names`, 'The proof was made for another entry or another tree.'))
        return
      }
      if (version !== '0.1') {
        findings.push(step('failed', 'transparency-log', expected, `${label}: its inclusion proof has no signed checkpoint, which bundle v${version} requires`))
        return
      }
      if (!entry.inclusionPromise) {
        findings.push(step('failed', 'transparency-log', expected, `${label}: its inclusion proof has no signed checkpoint and there is no signed entry timestamp: nothing the log signed vouches for it`))
        return
      }
      checked = { ...entry, inclusionProof: undefined }
      entries[index] = checked
      unsignedProof = true
    } else if (proof?.checkpoint) {
      // @sigstore/verify proves inclusion against the checkpoint's root; the proof's own root and size must agree.
      const lines = proof.checkpoint.envelope.split('\n')
      const size = lines[1]
      const root = lines[2]
      if (size !== proof.treeSize || !root || !Buffer.from(root, 'base64').equals(proof.rootHash)) {
        findings.push(step('failed', 'transparency-log', expected, `${label}: the inclusion proof (tree size ${proof.treeSize}) does not match its checkpoint (size ${size ?? '?'})`))
        return
      }
    }
    let result: ReturnType<typeof runVerifier>
    try {
      result = runVerifier(anyKeyMaterial(trust, isolationKey()), { signature: overPae ? { ...signatureCheckedElsewhere(entity), compareDigest: (digest) => digest.toString('hex') === paeDigest } : signatureCheckedElsewhere(entity), key: { $case: 'public-key', hint: '' }, timestamps: [], tlogEntries: [checked] }, {
        tlogThreshold: 1,
        timestampThreshold: 0,
        ctlogThreshold: 0,
      })
    } catch (error) {
      // One entry the library chokes on is a defect of ours to report, not a verdict; the other entries still count.
      findings.push(internalErrorStep('transparency-log', expected, error instanceof InternalCheckError ? error.original : error))
      return
    }
    if (!result.ok) {
      const what =
        result.code === 'TLOG_INCLUSION_PROMISE_ERROR'
          ? 'its signed entry timestamp does not verify with the log key'
          : result.code === 'TLOG_INCLUSION_PROOF_ERROR'
            ? 'its inclusion proof does not lead to the signed checkpoint'
            : result.code === 'TLOG_MISSING_INCLUSION_ERROR'
              ? 'it has neither an inclusion proof nor a signed entry timestamp'
              : `the log could not be shown to hold it (${result.code})`
      findings.push(step('failed', 'transparency-log', expected, `${label} in ${authority.baseUrl || 'the log'}: ${what} (${result.message})`))
      return
    }
    proven.add(checked)
    if (entry.inclusionPromise && entry.integratedTime !== '0') trusted.push(entry)
    findings.push(
      step(
        'ok',
        'transparency-log',
        expected,
        `${label} (${logged.kind}) in ${authority.baseUrl || 'a trusted log'}: ${[
          unsignedProof ? 'inclusion proof leads to its root hash, which no checkpoint signs' : entry.inclusionProof ? 'inclusion proof verified against the signed checkpoint' : null,
          entry.inclusionPromise ? `signed entry timestamp verified${unsignedProof ? ' (the log\'s promise of inclusion)' : ''}` : null,
        ]
          .filter(Boolean)
          .join(', ')}; records this signature`,
      ),
    )
  })
  // One entry is enough (the library's default threshold), but any entry that contradicts the bundle is a failure.
  const failed = findings.find((finding) => finding.outcome === 'failed')
  const passed = findings.find((finding) => finding.outcome === 'ok')
  const missing = findings.find((finding) => finding.outcome === 'missing')
  const crashed = findings.find((finding) => finding.outcome === 'error')
  return { step: failed ?? passed ?? crashed ?? missing ?? findings[0] ?? step('failed', 'transparency-log', expected, 'none'), trusted, present: entries.length, entries, proven, ...(loggedOverPae && paeDigestRead ? { paeDigest: paeDigestRead } : {}) }
}
