import { assertBundle, ValidationError, type Bundle } from '@sigstore/bundle'
import { Bundle as ProtoBundle } from '@sigstore/protobuf-specs'
import { toSignedEntity, type SignedEntity, type TrustMaterial } from '@sigstore/verify'
import type { Signer, Verification } from '../../../src/contract/common'
import { parseEnvelope, type DsseEnvelope } from '../dsse'
import { IngestError } from '../errors'
import { parseStatement } from '../statement'
import { BUNDLE_MEDIA_TYPES, MESSAGE_HASHES, readBundleJson, type BundleTlogEntry, type RawBundle } from './bundle-json'
import { checkCertificateChain, checkIdentity, readCertificate, type BundleCertificate, type IdentityPolicy, type SigningCertificate } from './certificate'
import { InternalCheckError, internalErrorStep, runVerifier, signatureCheckedElsewhere, step, type Step } from './checks'
import { checkSignature, checkSignerTrusted, type SignerResult } from './signer'
import { checkTimestamps, readTimestamps, type SignedTimestamp } from './timestamps'
import { checkTransparencyLog, type TlogResult } from './transparency-log'
import { keyValidAt, type CertAuthority, type SigstoreKey, type SigstoreTrust } from './trust-material'
import { messageOf, shortHex } from './wording'

/*
 * Sigstore bundles (https://github.com/sigstore/protobuf-specs, sigstore_bundle.proto), verified offline.
 *
 * @sigstore/verify does the cryptography: its Verifier runs timestamps -> signing key -> tlog -> signature and
 * throws at the first problem. We want every check recorded with what was expected and what was found, so each
 * step runs on its own through the same public Verifier, with the other steps set aside, and one full Verifier
 * pass at the end cross-checks a "verified" verdict. Where the library cannot answer (message signatures without
 * the artifact bytes, which key a tlog entry names, whose Fulcio is missing), the files beside this one fill the gap.
 */

export type PreparedBundle = {
  mediaType: string
  bundleVersion: '0.1' | '0.2' | '0.3'
  kind: 'dsse' | 'message-signature'
  envelope: DsseEnvelope | null
  /** A message signature's signed digest (node's algorithm name, hex): what the bundle is about. */
  messageDigest: { algorithm: string; hex: string } | null
  /** The signature's bytes (the envelope's one signature, or the message signature); null when there is none. */
  signature: Buffer | null
  verification: Verification
  certificate: BundleCertificate | null
  tlog: BundleTlogEntry[]
  /** Every time the bundle claims; the checks say which of them verified. */
  timestamps: { source: 'rfc3161' | 'tlog'; time: string }[]
}

export type PrepareBundleOptions = {
  identity?: IdentityPolicy
  /** The artifact the bundle is expected to be about: its digest must match the signed subject or message digest. */
  artifactDigest?: { algorithm: string; hex: string }
  /** Only for the plain-key bundles that carry no verified time: the key must be valid now. */
  now?: Date
}

// Causal order: a signing time comes from the log or a timestamp, and the certificate is judged at that time.
// When the log entry belongs to another signature, that is the finding, not the certificate's expiry it implies.
const CHECK_ORDER = ['bundle-signature', 'transparency-log', 'timestamp', 'certificate-chain', 'signer-trusted', 'certificate-identity', 'subject-digest']

const VERIFIER_CODES: Record<string, string> = {
  SIGNATURE_ERROR: 'bundle-signature',
  TLOG_ERROR: 'transparency-log',
  TLOG_BODY_ERROR: 'transparency-log',
  TLOG_INCLUSION_PROOF_ERROR: 'transparency-log',
  TLOG_INCLUSION_PROMISE_ERROR: 'transparency-log',
  TLOG_MISSING_INCLUSION_ERROR: 'transparency-log',
  TIMESTAMP_ERROR: 'timestamp',
  CERTIFICATE_ERROR: 'certificate-chain',
  PUBLIC_KEY_ERROR: 'signer-trusted',
  UNTRUSTED_SIGNER_ERROR: 'certificate-identity',
}

/**
 * Reads and verifies one Sigstore bundle. Throws IngestError only when the JSON is not a readable bundle; a bundle
 * whose signature, log entry or certificate is wrong is returned with status `failed` naming the first failing
 * check, so the dashboard can store it and show why.
 */
export function prepareBundle(value: unknown, trust: SigstoreTrust, options: PrepareBundleOptions = {}): PreparedBundle {
  const raw = readBundleJson(value)
  let envelope: DsseEnvelope | null = null
  if (raw.dsse) {
    try {
      envelope = parseEnvelope(raw.dsse.value)
    } catch (error) {
      if (error instanceof IngestError) throw new IngestError(error.code, error.message, error.path?.replace(/^\$/, '$.dsseEnvelope'))
      throw error
    }
  }
  const certificate = raw.keyMaterial.kind === 'certificate' ? readCertificate(raw.keyMaterial.der, raw.keyMaterial.path) : null
  const rfc3161 = readTimestamps(raw.rfc3161)
  const tlogSummary = raw.tlog.map((entry) => entry.summary)
  const base = {
    mediaType: raw.mediaType,
    bundleVersion: BUNDLE_MEDIA_TYPES[raw.mediaType],
    kind: raw.dsse ? ('dsse' as const) : ('message-signature' as const),
    envelope,
    messageDigest: raw.message ? { algorithm: MESSAGE_HASHES[raw.message.algorithm]?.node ?? raw.message.algorithm.toLowerCase(), hex: raw.message.digest.toString('hex') } : null,
    certificate: certificate?.info ?? null,
    signature: (envelope ? envelope.signatures[0]?.sig : raw.message?.signature) ?? null,
    tlog: tlogSummary,
    timestamps: [
      ...tlogSummary.flatMap((entry) => (entry.integratedTime ? [{ source: 'tlog' as const, time: entry.integratedTime }] : [])),
      ...rfc3161.map((stamp) => ({ source: 'rfc3161' as const, time: stamp.time.toISOString() })),
    ],
  }

  const signatureBytes = base.signature
  if (!signatureBytes || signatureBytes.length === 0) {
    const checks = [step('failed', 'bundle-signature', 'one signature', 'none', 'The bundle carries no signature.').check]
    return { ...base, verification: { status: 'unsigned', failedCheck: null, checks, signers: [] } }
  }

  // The library's own reading of the bundle; anything it refuses that our reading accepted is still malformed.
  // Not bundleFromJSON: it also refuses a v0.2+ entry without an inclusion proof (or a v0.1 one without a signed
  // entry timestamp), and such a bundle is well-formed but unproven: the transparency-log check says so instead.
  let entity: SignedEntity
  try {
    const bundle = ProtoBundle.fromJSON(value)
    assertBundle(bundle)
    entity = signedEntityOf(bundle, certificate, raw.keyMaterial.kind === 'certificate' ? raw.keyMaterial.der : null)
  } catch (error) {
    const field = error instanceof ValidationError ? error.fields[0] : undefined
    throw new IngestError('invalid-bundle', `not a valid Sigstore bundle: ${messageOf(error)}${field ? ` (${field})` : ''}`, field ? `$.${field}` : '$')
  }

  const context: Context = { raw, trust, envelope, certificate, entity, rfc3161, now: options.now ?? new Date() }
  const steps: Step[] = []
  const signer = guarded('bundle-signature', () => checkSignature(context), (failure): SignerResult => ({ step: failure, key: null, trustedKeyId: null, source: 'none' }))
  steps.push(signer.step)
  const tlog = guarded('transparency-log', () => checkTransparencyLog({ raw, trust, entity, envelope, timestampCount: rfc3161.length, ...(certificate ? { certificateKey: certificate.spki } : {}) }), (failure): TlogResult => ({ step: failure, trusted: [], present: entity.tlogEntries.length, entries: entity.tlogEntries }))
  steps.push(tlog.step)
  const timestamps = guarded('timestamp', () => checkTimestamps(rfc3161, trust, entity), (failure) => ({ step: failure, trusted: [] }))
  if (timestamps.step) steps.push(timestamps.step)
  // A log or timestamp check that could not be made leaves the signing time unknown, not disproven.
  const unknown = (outcome: string | undefined) => outcome === 'missing' || outcome === 'error'
  const times = { tlog: tlog.trusted, rfc3161: timestamps.trusted, missing: unknown(tlog.step.outcome) || unknown(timestamps.step?.outcome) }
  let authority: CertAuthority | null = null
  if (certificate) {
    const chain = guarded('certificate-chain', () => checkCertificateChain(trust, entity, certificate, times, raw.keyMaterial.kind === 'certificate' ? raw.keyMaterial.chain : []), (failure) => ({ step: failure, authority: null }))
    steps.push(chain.step)
    authority = chain.authority
  } else {
    steps.push(guarded('signer-trusted', () => checkSignerTrusted(raw, trust, signer, times, context.now), (failure) => failure))
  }
  steps.push(checkIdentity(options.identity, certificate?.info ?? null))
  // A signature that does not verify establishes no signer: whether the key is trusted and whose identity signed
  // cannot be judged, and passing or failing them would claim one (a trusted key "valid at signing time" beside a
  // signature it did not make). The chain, log and timestamps are about other bytes and are still judged.
  if (signer.step.outcome === 'failed') notJudgedAfterSignature(steps, signer.step.check.name)
  const artifactDigest = options.artifactDigest
  if (artifactDigest) steps.push(guarded('subject-digest', () => checkSubjectDigest(context, artifactDigest), (failure) => failure))

  let status = resolve(steps)
  if (status === 'verified') {
    // Every step passed on its own: let @sigstore/verify run the whole bundle once, as its authors intended.
    // Entries the transparency-log step proved with the same library, trust and content are not proved again;
    // the library still sees every other one, and at least one proven entry stands for its threshold of one.
    const proven = tlog.proven ?? new Set()
    const unproven = tlog.entries.filter((entry) => !proven.has(entry))
    const disagreement = guarded('bundle-signature', () => crossCheck({ ...context, entity: { ...entity, tlogEntries: unproven } }, signer.key, tlog.present, tlog.paeDigest, proven.size > 0), (failure) => failure)
    if (disagreement) {
      steps.push(disagreement)
      status = resolve([disagreement])
    }
  }
  const ordered = [...steps].sort((a, b) => CHECK_ORDER.indexOf(a.check.name) - CHECK_ORDER.indexOf(b.check.name))
  // What is demonstrably wrong first, then what could not be established; each in causal order.
  const failing = [...ordered.filter((item) => item.outcome === 'failed' && item.check.notJudged === undefined), ...ordered.filter((item) => item.outcome === 'failed' && item.check.notJudged !== undefined), ...ordered.filter((item) => item.outcome === 'missing' || item.outcome === 'untrusted' || item.outcome === 'error')]
  const firstFailed = failing[0]?.outcome === 'failed' ? failing[0] : undefined
  const signers: Signer[] = [
    {
      keyId: raw.keyMaterial.kind === 'public-key' ? raw.keyMaterial.hint || null : envelope?.signatures[0]?.keyid || null,
      // A certificate is trusted through the CA it chains to; a plain key through the configured key itself.
      // Only a signature that verifies is vouched for; a failed one names no trusted signer.
      trustedKeyId: signer.step.outcome !== 'ok' ? null : (signer.trustedKeyId ?? (authority ? authority.uri || authority.subject || 'trusted root' : null)),
      algorithm: signer.key?.algorithm ?? null,
    },
  ]
  return {
    ...base,
    verification: {
      status,
      failedCheck: status === 'failed' ? (firstFailed?.check.name ?? null) : null,
      checks: [...failing, ...ordered.filter((item) => item.check.ok)].map((item) => item.check),
      signers,
    },
  }
}

/**
 * The library's toSignedEntity, given the signing certificate already read from `der`: it would parse the
 * certificate again (with @sigstore/core's ASN.1 reader, a tenth of a bundle with a new certificate). When the
 * bundle's certificate is those bytes, the library builds everything else and the key is the certificate read;
 * otherwise the library builds the whole entity as it always does.
 */
function signedEntityOf(bundle: Bundle, certificate: SigningCertificate | null, der: Buffer | null): SignedEntity {
  const content = bundle.verificationMaterial.content
  const carried = content.$case === 'certificate' ? content.certificate.rawBytes : content.$case === 'x509CertificateChain' ? content.x509CertificateChain.certificates[0]?.rawBytes : undefined
  if (!certificate || !der || !carried || !der.equals(carried)) return toSignedEntity(bundle)
  const entity = toSignedEntity({ ...bundle, verificationMaterial: { ...bundle.verificationMaterial, content: { $case: 'publicKey', publicKey: { hint: '' } } } })
  return { ...entity, key: { $case: 'certificate', certificate: certificate.cert } }
}

/** What the checks of one bundle read: its JSON, its parsed parts and the trust it is judged by. */
type Context = {
  raw: RawBundle
  trust: SigstoreTrust
  envelope: DsseEnvelope | null
  certificate: SigningCertificate | null
  entity: SignedEntity
  rfc3161: SignedTimestamp[]
  now: Date
}

/**
 * Runs one check so that an exception inside it (a library throwing on input it should have refused, or a bug of
 * ours) is recorded as an internal error, never as a finding about the document: the caller promised to throw only
 * IngestError, and a crash is not a verdict.
 */
function guarded<T>(name: string, run: () => T, fallback: (failure: Step) => T): T {
  try {
    return run()
  } catch (error) {
    if (error instanceof IngestError) throw error
    return fallback(internalErrorStep(name, 'a check that runs to its end', error instanceof InternalCheckError ? error.original : error))
  }
}

/** The checks that need a verified signature to mean anything. */
const NEEDS_VERIFIED_SIGNATURE = new Set(['signer-trusted', 'certificate-identity'])

function notJudgedAfterSignature(steps: Step[], signatureCheck: string): void {
  const notJudged = `the ${signatureCheck} check failed, so who signed is not established`
  for (const [index, item] of steps.entries()) {
    if (!NEEDS_VERIFIED_SIGNATURE.has(item.check.name)) continue
    const { name, expected } = item.check
    steps[index] = { outcome: 'failed', check: { name, ok: false, ...(expected !== undefined ? { expected } : {}), actual: `not judged: ${notJudged}`, notJudged } }
  }
}

function resolve(steps: Step[]): Verification['status'] {
  if (steps.some((item) => item.outcome === 'failed')) return 'failed'
  // A check that crashed proves nothing either way: the document cannot be called verified, nor failed.
  if (steps.some((item) => item.outcome === 'missing' || item.outcome === 'error')) return 'unverifiable'
  if (steps.some((item) => item.outcome === 'untrusted')) return 'untrusted'
  return 'verified'
}

/** The subject-digest check: the signed content is about the artifact the caller named. */
function checkSubjectDigest(context: Context, digest: { algorithm: string; hex: string }): Step {
  const algorithm = digest.algorithm.toLowerCase().replace(/^sha-?(\d+)$/, 'sha$1')
  const want = digest.hex.toLowerCase()
  const expected = `the signed content names ${algorithm}:${want}`
  const { envelope, raw } = context
  if (raw.message) {
    const hash = MESSAGE_HASHES[raw.message.algorithm]
    const found = `${hash?.node ?? raw.message.algorithm}:${raw.message.digest.toString('hex')}`
    return found === `${algorithm}:${want}` ? step('ok', 'subject-digest', expected, `message digest ${found}`) : step('failed', 'subject-digest', expected, `message digest ${found}`, 'The signature is over a different artifact.')
  }
  if (!envelope) return step('failed', 'subject-digest', expected, 'no signed content')
  try {
    const statement = parseStatement(envelope.payload)
    const match = statement.subjects.find((subject) => subject.digest[algorithm] === want)
    const listed = statement.subjects.map((subject) => `${subject.name || '(unnamed)'} ${Object.entries(subject.digest).map(([name, value]) => `${name}:${shortHex(value)}`).join(' ')}`)
    return match
      ? step('ok', 'subject-digest', expected, `subject ${match.name || '(unnamed)'} has ${algorithm}:${want}`)
      : step('failed', 'subject-digest', expected, listed.length > 0 ? `subjects: ${listed.join('; ')}` : 'the statement has no subject', 'The attestation is about a different artifact.')
  } catch (error) {
    return step('failed', 'subject-digest', expected, `the payload is not an in-toto Statement: ${messageOf(error)}`)
  }
}

/** Every step passed on its own: @sigstore/verify runs the whole bundle once, as its authors intended. */
function crossCheck(context: Context, key: SigstoreKey | null, tlogEntries: number, paeDigest?: string, logProven = false): Step | null {
  const { trust, entity, rfc3161 } = context
  // Our signature check stands in for the library's: it cannot check a message signature without the artifact,
  // and picks SHA-256 for every ECDSA curve.
  // and a Rekor v2 hashedrekord entry over a DSSE envelope logs the PAE's digest, which the library does not expect.
  const compared = signatureCheckedElsewhere(entity)
  const signature: SignedEntity['signature'] = {
    ...compared,
    verifySignature: () => true,
    ...(paeDigest ? { compareDigest: (digest: Buffer) => digest.toString('hex') === paeDigest || compared.compareDigest(digest) } : {}),
  }
  // The certificate's chain, validity at the verified times and SCT were verified by the library in the
  // certificate-chain step (cached per certificate); building the chain again here was three quarters of a
  // bundle's verification time, so the cross-check takes the certificate's key as given and checks the rest.
  const certified = context.certificate?.key ?? null
  const material: TrustMaterial =
    key && context.raw.keyMaterial.kind === 'public-key'
      ? { ...trust.material, publicKey: () => ({ publicKey: key.key, validFor: (date) => keyValidAt(key, date) }) }
      : certified
        ? { ...trust.material, publicKey: () => ({ publicKey: certified.key, validFor: () => true }) }
        : trust.material
  const result = runVerifier(material, { ...entity, signature, ...(certified ? { key: { $case: 'public-key' as const, hint: '' } } : {}) }, {
    tlogThreshold: !logProven && (tlogEntries > 0 || rfc3161.length === 0) ? 1 : 0,
    timestampThreshold: 1,
    ctlogThreshold: !certified && context.certificate && trust.ctlogs.length > 0 ? 1 : 0,
  })
  if (result.ok) return null
  const name = VERIFIER_CODES[result.code] ?? 'bundle-signature'
  return step('failed', name, 'the bundle verifies with @sigstore/verify', `${result.code}: ${result.message}`, 'Each check passed on its own, but @sigstore/verify rejects the bundle as a whole.')
}
