import { createHash, X509Certificate as NodeCertificate, type KeyObject } from 'node:crypto'
import type { ASN1Obj, X509Certificate } from '@sigstore/core'
import { issuedWithin } from './chain'
import { derOf, parseX509 } from './der'
import type { SignedEntity } from '@sigstore/verify'
import { IngestError } from '../errors'
import { keyAlgorithm, type KeyAlgorithm, type TrustedKey } from '../keys'
import { runVerifier, signatureCheckedElsewhere, step, type Step } from './checks'
import { timesOf, type Times } from './timestamps'
import type { CertAuthority, SigstoreTrust } from './trust-material'
import { iso, messageOf } from './wording'

// The signing certificate: its X.509 fields and Fulcio extensions, its chain to a trusted Fulcio CA, and the
// identity policy it is held to.

export type IdentityPolicy = {
  /** Exact, or a regular expression written `/…/flags` (anchor it yourself). */
  subjectAlternativeName?: string
  /** The OIDC issuer, e.g. https://token.actions.githubusercontent.com; exact or /regex/. */
  issuer?: string
  /** `owner/repo` or `https://github.com/owner/repo`; exact or /regex/ (matched against the URL form). */
  repository?: string
  /** The workflow file (`.github/workflows/release.yml`), its full URI (with or without `@ref`), or /regex/ on the URI. */
  workflow?: string
  /** `refs/heads/main`, `refs/tags/v1.2.3`; exact or /regex/. */
  ref?: string
}

export type BundleCertificate = {
  subjectAlternativeName: string | null
  /** The OIDC issuer that vouched for the identity (Fulcio extension 1.3.6.1.4.1.57264.1.8, or the legacy .1.1). */
  issuer: string | null
  /** Source repository URI (.1.12), or `https://github.com/` + the legacy owner/repo (.1.5). */
  repository: string | null
  /** The workflow that signed: Build Signer URI (.1.9), e.g. https://github.com/o/r/.github/workflows/x.yml@refs/heads/main. */
  workflowRef: string | null
  /** The workflow the run was started from: Build Config URI (.1.18). */
  buildConfig: string | null
  /** Source repository ref (.1.14 or legacy .1.6). */
  ref: string | null
  /** Source repository digest (.1.13 or legacy .1.3). */
  sha: string | null
  /** Event that triggered the build (.1.20 or legacy .1.2). */
  buildTrigger: string | null
  runnerEnvironment: string | null
  runInvocation: string | null
  repositoryVisibility: string | null
  notBefore: string
  notAfter: string
  /** Hex, upper case as OpenSSL prints it. */
  serial: string
  /** The issuing CA's common name, e.g. sigstore-intermediate or Fulcio Intermediate l2. */
  issuerCN: string | null
  /** The issuing CA's full distinguished name, one `KEY=value` per attribute, joined with `, `. */
  issuerDN: string
}

const FULCIO = '1.3.6.1.4.1.57264.1.'

/**
 * cert.extension(oid)?.value for any number of OIDs, reading each extension's OID once (the library reads every
 * extension's OID again for each lookup, and a Fulcio certificate is looked up fifteen times). Throws where the
 * library would: on reaching an extension without a readable OID, or one without a value.
 */
export function extensionValues(cert: X509Certificate): (oid: string) => Buffer | undefined {
  const extensions = cert.extensions
  const oids: string[] = []
  let unreadable = false
  for (const extension of extensions) {
    const oid = extension.subs[0]
    const read = oid?.tag.isOID() ? safe(() => oid.toOID()) : null
    if (read === null) {
      unreadable = true
      break
    }
    oids.push(read)
  }
  return (oid) => {
    const index = oids.indexOf(oid)
    if (index < 0) {
      if (unreadable) throw new Error(`extension ${oids.length + 1} has no OID`)
      return undefined
    }
    const extension = extensions[index]
    const value = extension?.subs[extension.subs.length - 1]
    if (!value) throw new Error(`extension ${oid} has no value`)
    return value.value
  }
}

/** Fulcio's first extensions (.1 to .6) hold the raw string; the later ones a DER UTF8String (tag 0x0c). */
function fulcioExtension(extension: (oid: string) => Buffer | undefined, number: number): string | null {
  const value = extension(`${FULCIO}${number}`)
  if (!value) return null
  if (number >= 8) {
    // A one-byte or long-form length follows the tag; read it rather than trust the declared size.
    if (value[0] !== 0x0c || value.length < 2) return null
    let length = value[1] ?? 0
    let offset = 2
    if (length & 0x80) {
      const bytes = length & 0x7f
      length = 0
      for (let index = 0; index < bytes; index++) length = length * 256 + (value[2 + index] ?? 0)
      offset = 2 + bytes
    }
    return value.subarray(offset, offset + length).toString('utf8')
  }
  return value.toString('utf8')
}

/** The signing certificate, as @sigstore/verify and the dashboard read it, with the key it certifies. */
export type SigningCertificate = {
  cert: X509Certificate
  info: BundleCertificate
  key: TrustedKey | null
  keyError: string | null
  /** SHA-256 of the certificate's DER, hex: what its chain result is kept by (re-encoding it was 6% of a bundle). */
  derSha256: string
  /** node:crypto's reading of the same DER: OpenSSL checks the issuer's signature over the bytes as sent. */
  node: NodeCertificate
  /**
   * The certified key's SubjectPublicKeyInfo (DER), null if node cannot export it: what a log entry's key is
   * compared with. Exported when first asked for (exporting cost as much as reading the certificate).
   */
  spki: () => Buffer | null
}

/**
 * Certificates read, by the SHA-256 of their DER: a release's attestations, a re-sent body and re-verification bring
 * the same certificate again, and parsing it twice (node's and @sigstore/core's readings) and exporting its key is
 * a quarter of a bundle's verification. Only what the bytes alone decide is kept; bounded, oldest first out.
 */
const certificatesRead = new Map<string, SigningCertificate>()
const CERTIFICATES_KEPT = 2000

/** Forgets the certificates read: for the bench, to time a certificate seen for the first time. */
export function forgetCertificates(): void {
  certificatesRead.clear()
}

/** Reads the signing certificate; one that is not a DER X.509 certificate makes the bundle unreadable. */
export function readCertificate(der: Buffer, path: string): SigningCertificate {
  const id = createHash('sha256').update(der).digest('hex')
  const known = certificatesRead.get(id)
  if (known) return known
  const read = parseCertificate(der, id, path)
  certificatesRead.set(id, read)
  if (certificatesRead.size > CERTIFICATES_KEPT) certificatesRead.delete(certificatesRead.keys().next().value ?? '')
  return read
}

function parseCertificate(der: Buffer, derSha256: string, path: string): SigningCertificate {
  let cert: X509Certificate
  let node: NodeCertificate
  try {
    node = new NodeCertificate(der)
    cert = parseX509(der)
  } catch (error) {
    throw new IngestError('invalid-certificate', `the signing certificate is not a DER X.509 certificate: ${messageOf(error)}`, path)
  }
  let san: string | null
  try {
    san = cert.subjectAltName ?? null
  } catch {
    san = null
  }
  const extensions = safe(() => extensionValues(cert))
  const fulcio = (number: number) => (extensions ? safe(() => fulcioExtension(extensions, number)) : null)
  const repositoryLegacy = fulcio(5)
  const issuerLines = node.issuer.split('\n')
  const info: BundleCertificate = {
    subjectAlternativeName: san,
    issuer: fulcio(8) ?? fulcio(1),
    repository: fulcio(12) ?? (repositoryLegacy ? `https://github.com/${repositoryLegacy}` : null),
    workflowRef: fulcio(9) ?? (san?.includes('/.github/workflows/') ? san : null),
    buildConfig: fulcio(18),
    ref: fulcio(14) ?? fulcio(6),
    sha: fulcio(13) ?? fulcio(3),
    buildTrigger: fulcio(20) ?? fulcio(2),
    runnerEnvironment: fulcio(11),
    runInvocation: fulcio(21),
    repositoryVisibility: fulcio(22),
    notBefore: instant(node.validFrom, path),
    notAfter: instant(node.validTo, path),
    serial: node.serialNumber,
    issuerCN: issuerLines.find((line) => line.startsWith('CN='))?.slice(3) ?? null,
    issuerDN: issuerLines.join(', '),
  }
  let key: TrustedKey | null = null
  let keyError: string | null = null
  let exported: Buffer | null | undefined
  const spki = () => {
    if (exported === undefined) exported = safe(() => node.publicKey.export({ type: 'spki', format: 'der' }))
    return exported
  }
  try {
    // node's own key object for the certificate (no PEM round trip); its fingerprint only when something asks.
    const publicKey = node.publicKey
    const algorithm = certifiedAlgorithm(cert, publicKey)
    key = {
      id: 'certificate',
      key: publicKey,
      algorithm,
      get fingerprint() {
        return createHash('sha256').update(spki() ?? publicKey.export({ type: 'spki', format: 'der' })).digest('hex')
      },
    }
  } catch (error) {
    keyError = messageOf(error)
  }
  return { cert, info, key, keyError, derSha256, node, spki }
}

/** The named curves by the OID a SubjectPublicKeyInfo gives them (RFC 5480), as keyAlgorithm names them. */
const CURVES: Record<string, KeyAlgorithm> = { '1.2.840.10045.3.1.7': 'ecdsa-p256', '1.3.132.0.34': 'ecdsa-p384', '1.3.132.0.35': 'ecdsa-p521' }

/**
 * keyAlgorithm(key), with an EC key's curve read from the certificate's SubjectPublicKeyInfo (where OpenSSL read it
 * from): asking node for the key's details costs a tenth of reading the certificate. Any other key, or a curve
 * given otherwise than by a known name, is asked of node as before.
 */
function certifiedAlgorithm(cert: X509Certificate, key: KeyObject): KeyAlgorithm {
  if (key.asymmetricKeyType === 'ec') {
    // tbsCertificate [version, serial, signature, issuer, validity, subject, subjectPublicKeyInfo, ...]; the
    // algorithm must say ecPublicKey, so a certificate laid out otherwise (v1, no version) is asked of node.
    const [algorithm, parameters] = cert.tbsCertificate.subs[6]?.subs[0]?.subs ?? []
    const oid = (item: ASN1Obj | undefined) => (item?.tag.isOID() ? safe(() => item.toOID()) : null)
    const curve = oid(algorithm) === '1.2.840.10045.2.1' ? CURVES[oid(parameters) ?? ''] : undefined
    if (curve) return curve
  }
  return keyAlgorithm(key)
}

function instant(openssl: string, path: string): string {
  const date = new Date(openssl)
  if (Number.isNaN(date.getTime())) throw new IngestError('invalid-certificate', `the signing certificate has an unreadable validity date ${JSON.stringify(openssl)}`, path)
  return date.toISOString()
}

const safe = <T>(read: () => T): T | null => {
  try {
    return read()
  } catch {
    return null
  }
}

const none = (failure: Step) => ({ step: failure, authority: null })

/**
 * What is wrong with the certificates a bundle carries after the signing one (x509CertificateChain), or null. The
 * chain is checked against the trusted roots from the leaf alone, so extra certificates are never trusted; but the
 * specification has each certificate issued by the next, and a chain that is not one (a root put before the
 * intermediate that issued the leaf, say) was assembled by something other than a Sigstore client. Real 2023 npm
 * bundles carry leaf, intermediate and root in order, and pass.
 */
export function bundleChainProblem(leafDer: Buffer, chain: readonly Buffer[]): string | null {
  // Nothing after the signing certificate: nothing to be out of order (and no need to read the leaf again).
  if (chain.length === 0) return null
  const describe = (cert: NodeCertificate) => `${cert.subject.replace(/\n/g, ', ') || '(no subject)'}${cert.subject === cert.issuer ? ', a self-signed root' : ''}`
  let child = safe(() => new NodeCertificate(leafDer))
  if (!child) return null
  for (const [index, der] of chain.entries()) {
    const cert = safe(() => new NodeCertificate(der))
    if (!cert) return `certificate ${index + 2} of the bundle's chain is not a readable X.509 certificate`
    const issued = child.checkIssued(cert) && safe(() => child?.verify(cert.publicKey)) === true
    if (!issued) return `certificate ${index + 2} of the bundle's chain (${describe(cert)}) did not issue certificate ${index + 1}`
    child = cert
  }
  return null
}

type ChainResult = { step: Step; authority: CertAuthority | null }

/**
 * Chain results per configuration (the trust object), per certificate and signing times: building a chain is most
 * of a bundle's verification, and the same certificate arrives again (a release's several attestations, a
 * re-sent body, re-verification). Bounded: the oldest results go first.
 */
const chainResults = new WeakMap<SigstoreTrust, Map<string, ChainResult>>()
const CHAIN_RESULTS_KEPT = 2000

/** Forgets the chain results kept for a configuration: for the bench, to time a certificate seen for the first time. */
export function forgetChainResults(trust: SigstoreTrust): void {
  chainResults.delete(trust)
}

export function checkCertificateChain(
  trust: SigstoreTrust,
  entity: SignedEntity,
  certificate: SigningCertificate,
  times: Times,
  bundleChain: readonly Buffer[] = [],
): ChainResult {
  const dates = timesOf(times)
  const hash = createHash('sha256').update(certificate.derSha256)
  for (const der of bundleChain) hash.update(der)
  const key = `${hash.digest('hex')} ${dates.map((date) => date.getTime()).join(',')} ${times.missing ? 'missing' : ''}`
  let results = chainResults.get(trust)
  if (!results) chainResults.set(trust, (results = new Map<string, ChainResult>()))
  const known = results.get(key)
  if (known) return known
  const result = chainOf(trust, entity, certificate, times, bundleChain)
  // A crash is not cached: it is thrown, and reported by the caller as an internal error.
  results.set(key, result)
  if (results.size > CHAIN_RESULTS_KEPT) results.delete(results.keys().next().value ?? '')
  return result
}

function chainOf(trust: SigstoreTrust, entity: SignedEntity, certificate: SigningCertificate, times: Times, bundleChain: readonly Buffer[]): ChainResult {
  const { cert, info } = certificate
  const dates = timesOf(times)
  const expected = dates.length > 0 ? `a chain to a Fulcio CA in a trusted root, valid at signing time ${dates.map(iso).join(', ')}` : 'a chain to a Fulcio CA in a trusted root, valid at a verified signing time'
  const broken = bundleChain.length > 0 ? bundleChainProblem(derOf(cert.root), bundleChain) : null
  if (broken) return none(step('failed', 'certificate-chain', `${expected}; the bundle's own chain in order, each certificate issued by the next`, broken, 'The certificate chain in the bundle is not a chain: it was altered or assembled by hand.'))
  const validity = `leaf valid ${info.notBefore.replace('.000Z', 'Z')} to ${info.notAfter.replace('.000Z', 'Z')}`
  const issuedBy = `issued by ${info.issuerDN || '(no issuer)'}`
  if (trust.certificateAuthorities.length === 0) {
    return none(step('missing', 'certificate-chain', expected, `${issuedBy}; no trusted root is configured`, 'Add the Sigstore trusted_root.json (e.g. the public-good instance) to check certificates.'))
  }
  const known = trust.certificateAuthorities.find((ca) => ca.chain.some((candidate) => candidate.subject.equals(cert.issuer)))
  if (!known) {
    // A Fulcio certificate names a Sigstore instance (its CA and log) whose trust root could be added: that is
    // missing material. Any other certificate simply chains to nothing we trust.
    const fulcio = info.issuer !== null
    if (!fulcio) return none(step('untrusted', 'certificate-chain', expected, `${issuedBy}, which chains to no CA in the trusted roots`))
    return none(
      step(
        'missing',
        'certificate-chain',
        expected,
        `no trusted root contains the Fulcio CA "${info.issuerDN}" that issued this certificate`,
        `Add the trusted_root.json of the Sigstore instance whose Fulcio is "${info.issuerCN ?? info.issuerDN}" (GitHub's own instance signs attestations for private repositories).`,
      ),
    )
  }
  if (dates.length === 0) {
    const noTime = step(
      times.missing ? 'missing' : 'failed',
      'certificate-chain',
      expected,
      `${issuedBy}; no verified signing time to check it at`,
      'The signing time comes from a verified transparency log entry (signed entry timestamp) or RFC 3161 timestamp; see those checks.',
    )
    // Nothing was found wrong with the certificate: the check could not be made because the time sources gave no
    // verified time. Saying "failed" here would show a second failure where there is one cause (the log or timestamp).
    noTime.check.notJudged = 'no verified signing time: the transparency-log and timestamp checks established none, so whether the certificate was valid when it signed could not be checked'
    return none(noTime)
  }
  if (issuedWithin(trust, certificate, dates)) return { step: step('ok', 'certificate-chain', expected, `${issuedBy} (${known.uri || 'trusted root'}), ${validity}`), authority: known }
  const result = runVerifier(
    trust.material,
    {
      signature: signatureCheckedElsewhere(entity),
      key: { $case: 'certificate', certificate: cert },
      timestamps: [...times.tlog.map((tlogEntry) => ({ $case: 'transparency-log' as const, tlogEntry })), ...times.rfc3161.map((timestamp) => ({ $case: 'timestamp-authority' as const, timestamp }))],
      tlogEntries: [],
    },
    { tlogThreshold: 0, timestampThreshold: dates.length, ctlogThreshold: trust.ctlogs.length > 0 ? 1 : 0 },
  )
  if (!result.ok) {
    return none(step('failed', 'certificate-chain', expected, `${issuedBy}, ${validity}: ${result.message}`, /SCT/.test(result.message) ? 'The certificate transparency proof (SCT) embedded in the certificate does not verify against the trusted CT logs.' : undefined))
  }
  return { step: step('ok', 'certificate-chain', expected, `${issuedBy} (${known.uri || 'trusted root'}), ${validity}`), authority: known }
}

function matcher(policy: string, at: string): (value: string | null) => boolean {
  const regex = /^\/(.*)\/([a-z]*)$/s.exec(policy)
  if (!regex) return (value) => value === policy
  try {
    const compiled = new RegExp(regex[1] ?? '', regex[2])
    return (value) => value !== null && compiled.test(value)
  } catch (error) {
    throw new Error(`identity.${at}: not a valid regular expression: ${messageOf(error)}`)
  }
}

const IDENTITY_FIELDS = ['subjectAlternativeName', 'issuer', 'repository', 'workflow', 'ref'] as const

/** The certificate-identity check: the certificate names the identity the policy asks for (any, without a policy). */
export function checkIdentity(policy: IdentityPolicy | undefined, info: BundleCertificate | null): Step {
  const fields = IDENTITY_FIELDS.flatMap((name) => {
    const value = policy?.[name]
    return typeof value === 'string' ? [[name, value] as const] : []
  })
  if (fields.length === 0) {
    const who = info?.subjectAlternativeName
    return step('ok', 'certificate-identity', 'no identity policy', who ? `signed as ${who}` : 'signed with a plain key', 'No identity policy applies: any identity the trusted root vouches for is accepted.')
  }
  const expected = fields.map(([name, value]) => `${name} ${value.startsWith('/') ? '~' : '='} ${value}`).join('; ')
  if (!info) return step('failed', 'certificate-identity', expected, 'the bundle is signed with a plain key, which carries no identity')
  const github = (value: string | null) => (value && !/^[a-z]+:\/\//i.test(value) ? `https://github.com/${value}` : value)
  const workflowUri = info.workflowRef
  const workflowMatches = (policyValue: string): boolean => {
    if (policyValue.startsWith('/')) return matcher(policyValue, 'workflow')(workflowUri)
    if (!workflowUri) return false
    const withoutRef = workflowUri.split('@')[0] ?? ''
    return policyValue === workflowUri || policyValue === withoutRef || withoutRef.endsWith(`/${policyValue.replace(/^\/+/, '')}`)
  }
  const mismatches: string[] = []
  const actual: string[] = []
  for (const [name, value] of fields) {
    let found: string | null
    let ok: boolean
    switch (name) {
      case 'subjectAlternativeName':
        found = info.subjectAlternativeName
        ok = matcher(value, name)(found)
        break
      case 'issuer':
        found = info.issuer
        ok = matcher(value, name)(found)
        break
      case 'repository':
        found = info.repository
        ok = value.startsWith('/') ? matcher(value, name)(found) : github(value)?.replace(/\/+$/, '').toLowerCase() === found?.toLowerCase()
        break
      case 'workflow':
        found = workflowUri
        ok = workflowMatches(value)
        break
      case 'ref':
        found = info.ref
        ok = matcher(value, name)(found)
        break
    }
    actual.push(`${name} = ${found ?? '(none)'}`)
    if (!ok) mismatches.push(name)
  }
  return mismatches.length > 0
    ? step('failed', 'certificate-identity', expected, actual.join('; '), `The certificate does not match the identity policy: ${mismatches.join(', ')}.`)
    : step('ok', 'certificate-identity', expected, actual.join('; '))
}
