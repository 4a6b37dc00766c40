import { createECDH, createHash, createPublicKey, generateKeyPairSync, publicDecrypt, X509Certificate as NodeCertificate, type KeyObject } from 'node:crypto'
import { assertBundle, ValidationError, type TransparencyLogEntry } from '@sigstore/bundle'
import { RFC3161Timestamp, X509Certificate } from '@sigstore/core'
import { Bundle as ProtoBundle, TrustedRoot } from '@sigstore/protobuf-specs'
import {
  PolicyError,
  toSignedEntity,
  toTrustMaterial,
  VerificationError,
  Verifier,
  type SignedEntity,
  type TrustMaterial,
  type VerifierOptions,
} from '@sigstore/verify'
import type { Check, Signer, Verification } from '../../src/contract/common'
import { decodeBase64, pae, parseEnvelope, type DsseEnvelope } from './dsse'
import { IngestError, isRecord, kindOf } from './errors'
import { loadPublicKey, verifySignature, type TrustedKey } from './keys'
import { parseStatement } from './statement'

/*
 * Sigstore bundles (https://github.com/sigstore/protobuf-specs, sigstore_bundle.proto), verified offline.
 *
 * @sigstore/verify does the cryptography: its Verifier runs timestamps -> signing key -> tlog -> signature and
 * throws at the first problem. We want every check recorded with what was expected and what was found, so each
 * step runs on its own through the same public Verifier, with the other steps set aside, and one full Verifier
 * pass at the end cross-checks a "verified" verdict. Where the library cannot answer (message signatures without
 * the artifact bytes, which key a tlog entry names, whose Fulcio is missing), this file fills the gap itself.
 */

// ---------------------------------------------------------------------------------------------------------
// Trust

/** A plain public key a bundle may name by `publicKey.hint` (npm's registry key, a cosign key), with its validity. */
export type SigstoreKey = TrustedKey & { validFor?: { start: Date | null; end: Date | null } }

type LogAuthority = { logIds: Buffer[]; baseUrl: string; root: number }
type CertAuthority = { uri: string; subject: string; chain: X509Certificate[]; start: Date | null; end: Date | null; root: number }

export type SigstoreTrust = {
  /** Everything the trusted roots hold, merged, in @sigstore/verify's shape. */
  material: TrustMaterial
  tlogs: LogAuthority[]
  ctlogs: LogAuthority[]
  certificateAuthorities: CertAuthority[]
  timestampAuthorities: CertAuthority[]
  keys: readonly SigstoreKey[]
  /** How many trusted_root.json files were loaded: zero means certificates cannot be checked at all. */
  roots: number
}

const TRUSTED_ROOT_MEDIA_TYPE = /^application\/vnd\.dev\.sigstore\.trustedroot(\+json;version=0\.[12]|\.v0\.2\+json)$/

/**
 * Builds the trust used to verify bundles from parsed trusted_root.json values (Sigstore's TUF target) and plain
 * keys. Throws an Error naming the bad field, e.g. `trustedRoots[0].tlogs[1].publicKey.rawBytes: …`, because a
 * broken trust configuration must stop the server at start, not quietly verify nothing.
 */
export function loadSigstoreTrust(trustedRoots: unknown[], keys: readonly SigstoreKey[]): SigstoreTrust {
  const materials: TrustMaterial[] = []
  const trust: Omit<SigstoreTrust, 'material'> = { tlogs: [], ctlogs: [], certificateAuthorities: [], timestampAuthorities: [], keys, roots: trustedRoots.length }
  trustedRoots.forEach((value, index) => {
    const at = `trustedRoots[${index}]`
    if (!isRecord(value)) throw new Error(`${at}: a trusted root is a JSON object, found ${kindOf(value)}`)
    if (typeof value.mediaType !== 'string' || !TRUSTED_ROOT_MEDIA_TYPE.test(value.mediaType)) {
      throw new Error(`${at}.mediaType: expected application/vnd.dev.sigstore.trustedroot+json;version=0.1 (or v0.2), found ${JSON.stringify(value.mediaType)}`)
    }
    trust.tlogs.push(...readLogs(value.tlogs, `${at}.tlogs`, index))
    trust.ctlogs.push(...readLogs(value.ctlogs, `${at}.ctlogs`, index))
    trust.certificateAuthorities.push(...readAuthorities(value.certificateAuthorities, `${at}.certificateAuthorities`, index))
    trust.timestampAuthorities.push(...readAuthorities(value.timestampAuthorities, `${at}.timestampAuthorities`, index))
    try {
      materials.push(toTrustMaterial(TrustedRoot.fromJSON(value)))
    } catch (error) {
      throw new Error(`${at}: @sigstore/verify could not read it: ${messageOf(error)}`)
    }
  })
  const material: TrustMaterial = {
    certificateAuthorities: materials.flatMap((item) => item.certificateAuthorities),
    timestampAuthorities: materials.flatMap((item) => item.timestampAuthorities),
    tlogs: materials.flatMap((item) => item.tlogs),
    ctlogs: materials.flatMap((item) => item.ctlogs),
    publicKey: (hint) => {
      const key = findKey(keys, hint)
      if (!key) throw new VerificationError({ code: 'PUBLIC_KEY_ERROR', message: `key not found: ${hint}` })
      return { publicKey: key.key, validFor: (date) => keyValidAt(key, date) }
    },
  }
  return { material, ...trust }
}

function readArray(value: unknown, at: string): unknown[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new Error(`${at}: expected an array, found ${kindOf(value)}`)
  return value
}

function readBytes(value: unknown, at: string): Buffer {
  try {
    return decodeBase64(value, at)
  } catch (error) {
    throw new Error(`${at}: ${messageOf(error)}`)
  }
}

function readDate(value: unknown, at: string): Date | null {
  if (value === undefined || value === null) return null
  const date = typeof value === 'string' ? new Date(value) : null
  if (!date || Number.isNaN(date.getTime())) throw new Error(`${at}: expected an RFC 3339 time, found ${JSON.stringify(value)}`)
  return date
}

function readLogs(value: unknown, at: string, root: number): LogAuthority[] {
  return readArray(value, at).map((log, index) => {
    const here = `${at}[${index}]`
    if (!isRecord(log)) throw new Error(`${here}: expected an object, found ${kindOf(log)}`)
    const baseUrl = typeof log.baseUrl === 'string' ? log.baseUrl : ''
    if (!isRecord(log.logId)) throw new Error(`${here}.logId: expected an object with keyId, found ${kindOf(log.logId)}`)
    const logIds = [readBytes(log.logId.keyId, `${here}.logId.keyId`)]
    if (isRecord(log.checkpointKeyId)) logIds.push(readBytes(log.checkpointKeyId.keyId, `${here}.checkpointKeyId.keyId`))
    if (!isRecord(log.publicKey)) throw new Error(`${here}.publicKey: expected an object, found ${kindOf(log.publicKey)}`)
    const raw = readBytes(log.publicKey.rawBytes, `${here}.publicKey.rawBytes`)
    const details = typeof log.publicKey.keyDetails === 'string' ? log.publicKey.keyDetails : ''
    try {
      createPublicKey({ key: raw, format: 'der', type: /PKCS1_RSA/.test(details) ? 'pkcs1' : 'spki' })
    } catch (error) {
      throw new Error(`${here}.publicKey.rawBytes: not a public key: ${messageOf(error)}`)
    }
    if (isRecord(log.publicKey.validFor)) {
      readDate(log.publicKey.validFor.start, `${here}.publicKey.validFor.start`)
      readDate(log.publicKey.validFor.end, `${here}.publicKey.validFor.end`)
    }
    return { logIds, baseUrl, root }
  })
}

function readAuthorities(value: unknown, at: string, root: number): CertAuthority[] {
  return readArray(value, at).map((ca, index) => {
    const here = `${at}[${index}]`
    if (!isRecord(ca)) throw new Error(`${here}: expected an object, found ${kindOf(ca)}`)
    if (!isRecord(ca.certChain)) throw new Error(`${here}.certChain: expected an object, found ${kindOf(ca.certChain)}`)
    const chain = readArray(ca.certChain.certificates, `${here}.certChain.certificates`).map((cert, position) => {
      const where = `${here}.certChain.certificates[${position}].rawBytes`
      if (!isRecord(cert)) throw new Error(`${where}: missing`)
      const der = readBytes(cert.rawBytes, where)
      try {
        new NodeCertificate(der)
        return X509Certificate.parse(Buffer.from(der))
      } catch (error) {
        throw new Error(`${where}: not a DER certificate: ${messageOf(error)}`)
      }
    })
    if (chain.length === 0) throw new Error(`${here}.certChain.certificates: a certificate authority needs at least one certificate`)
    const validFor = isRecord(ca.validFor) ? ca.validFor : {}
    const subject = isRecord(ca.subject) ? [ca.subject.organization, ca.subject.commonName].filter((part) => typeof part === 'string').join(' / ') : ''
    return {
      uri: typeof ca.uri === 'string' ? ca.uri : '',
      subject,
      chain,
      start: readDate(validFor.start, `${here}.validFor.start`),
      end: readDate(validFor.end, `${here}.validFor.end`),
      root,
    }
  })
}

/** A bundle's hint names a key by its id, its hex SHA-256 fingerprint or npm's `SHA256:<base64>` form. */
function findKey(keys: readonly SigstoreKey[], hint: string): SigstoreKey | undefined {
  if (hint === '') return undefined
  return keys.find((key) => key.id === hint || key.fingerprint === hint || `SHA256:${Buffer.from(key.fingerprint, 'hex').toString('base64').replace(/=+$/, '')}` === hint)
}

function keyValidAt(key: SigstoreKey, date: Date): boolean {
  return (!key.validFor?.start || key.validFor.start <= date) && (!key.validFor?.end || date <= key.validFor.end)
}

// ---------------------------------------------------------------------------------------------------------
// Bundle shape

export const BUNDLE_MEDIA_TYPES = {
  'application/vnd.dev.sigstore.bundle+json;version=0.1': '0.1',
  'application/vnd.dev.sigstore.bundle+json;version=0.2': '0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.3': '0.3',
  'application/vnd.dev.sigstore.bundle.v0.3+json': '0.3',
} as const satisfies Record<string, '0.1' | '0.2' | '0.3'>

type BundleMediaType = keyof typeof BUNDLE_MEDIA_TYPES

const isBundleMediaType = (value: unknown): value is BundleMediaType => typeof value === 'string' && Object.hasOwn(BUNDLE_MEDIA_TYPES, value)

export function looksLikeBundle(value: unknown): boolean {
  return isRecord(value) && isBundleMediaType(value.mediaType)
}

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

export type BundleTlogEntry = {
  logIndex: string
  /** Base64, as the bundle and trusted_root.json write it. */
  logId: string
  integratedTime: string | null
  kind: string
  version: string
  inclusionProof: boolean
  inclusionPromise: boolean
  checkpoint: string | null
}

export type PreparedBundle = {
  mediaType: string
  bundleVersion: '0.1' | '0.2' | '0.3'
  kind: 'dsse' | 'message-signature'
  envelope: DsseEnvelope | null
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

// The reading of the raw JSON, kept beside the @sigstore/bundle object: it has the exact strings and the paths.
type Raw = {
  mediaType: BundleMediaType
  keyMaterial: { kind: 'certificate'; der: Buffer; path: string } | { kind: 'public-key'; hint: string }
  tlog: { summary: BundleTlogEntry; body: Buffer; path: string }[]
  rfc3161: { der: Buffer; path: string }[]
  dsse: { value: Record<string, unknown>; signatureCount: number } | null
  message: { algorithm: string; digest: Buffer; signature: Buffer } | null
}

const record = (value: unknown, path: string, what: string): Record<string, unknown> => {
  if (!isRecord(value)) throw new IngestError('invalid-bundle', `${what} must be an object, found ${kindOf(value)}`, path)
  return value
}
const text = (value: unknown, path: string, what: string): string => {
  if (typeof value !== 'string') throw new IngestError('invalid-bundle', `${what} must be a string, found ${kindOf(value)}`, path)
  return value
}
const optionalList = (value: unknown, path: string, what: string): unknown[] => {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new IngestError('invalid-bundle', `${what} must be an array, found ${kindOf(value)}`, path)
  return value
}
/** Rekor's int64 fields arrive as decimal strings (proto3 JSON) or, from some writers, as numbers. */
const int64 = (value: unknown, path: string, what: string): string => {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value)
  if (typeof value === 'string' && /^\d{1,19}$/.test(value)) return value
  throw new IngestError('invalid-bundle', `${what} must be a non-negative integer (a decimal string), found ${JSON.stringify(value) ?? kindOf(value)}`, path)
}

function readRaw(value: unknown): Raw {
  const bundle = record(value, '$', 'a Sigstore bundle')
  if (!isBundleMediaType(bundle.mediaType)) {
    throw new IngestError(
      'unsupported-format',
      `not a Sigstore bundle: mediaType is ${JSON.stringify(bundle.mediaType) ?? 'missing'}; expected one of ${Object.keys(BUNDLE_MEDIA_TYPES).join(', ')}`,
      '$.mediaType',
    )
  }
  const material = record(bundle.verificationMaterial, '$.verificationMaterial', 'verificationMaterial')
  let keyMaterial: Raw['keyMaterial']
  if (material.certificate !== undefined) {
    const path = '$.verificationMaterial.certificate.rawBytes'
    keyMaterial = { kind: 'certificate', der: decodeBase64(record(material.certificate, '$.verificationMaterial.certificate', 'certificate').rawBytes, path), path }
  } else if (material.x509CertificateChain !== undefined) {
    const chain = record(material.x509CertificateChain, '$.verificationMaterial.x509CertificateChain', 'x509CertificateChain')
    const certificates = optionalList(chain.certificates, '$.verificationMaterial.x509CertificateChain.certificates', 'certificates')
    const path = '$.verificationMaterial.x509CertificateChain.certificates[0].rawBytes'
    if (certificates.length === 0) throw new IngestError('invalid-bundle', 'the certificate chain is empty; the first certificate is the signing certificate', path)
    certificates.forEach((cert, index) =>
      decodeBase64(record(cert, `$.verificationMaterial.x509CertificateChain.certificates[${index}]`, 'a certificate').rawBytes, `$.verificationMaterial.x509CertificateChain.certificates[${index}].rawBytes`),
    )
    keyMaterial = { kind: 'certificate', der: decodeBase64(record(certificates[0], path, 'a certificate').rawBytes, path), path }
  } else if (material.publicKey !== undefined) {
    const key = record(material.publicKey, '$.verificationMaterial.publicKey', 'publicKey')
    keyMaterial = { kind: 'public-key', hint: key.hint === undefined ? '' : text(key.hint, '$.verificationMaterial.publicKey.hint', 'publicKey.hint') }
  } else {
    throw new IngestError('invalid-bundle', 'verificationMaterial names no signing key: expected certificate, x509CertificateChain or publicKey', '$.verificationMaterial')
  }

  const tlog = optionalList(material.tlogEntries, '$.verificationMaterial.tlogEntries', 'tlogEntries').map((entry, index) => {
    const path = `$.verificationMaterial.tlogEntries[${index}]`
    const item = record(entry, path, 'a tlog entry')
    const logIndex = int64(item.logIndex, `${path}.logIndex`, 'logIndex')
    const logId = record(item.logId, `${path}.logId`, 'logId').keyId
    decodeBase64(logId, `${path}.logId.keyId`)
    const kindVersion = record(item.kindVersion, `${path}.kindVersion`, 'kindVersion')
    const kind = text(kindVersion.kind, `${path}.kindVersion.kind`, 'kind')
    const version = text(kindVersion.version, `${path}.kindVersion.version`, 'version')
    const integrated = item.integratedTime === undefined ? '0' : int64(item.integratedTime, `${path}.integratedTime`, 'integratedTime')
    let checkpoint: string | null = null
    if (item.inclusionPromise !== undefined && item.inclusionPromise !== null) {
      decodeBase64(record(item.inclusionPromise, `${path}.inclusionPromise`, 'inclusionPromise').signedEntryTimestamp, `${path}.inclusionPromise.signedEntryTimestamp`)
    }
    if (item.inclusionProof !== undefined && item.inclusionProof !== null) {
      const proof = record(item.inclusionProof, `${path}.inclusionProof`, 'inclusionProof')
      int64(proof.logIndex, `${path}.inclusionProof.logIndex`, 'inclusionProof.logIndex')
      int64(proof.treeSize, `${path}.inclusionProof.treeSize`, 'inclusionProof.treeSize')
      decodeBase64(proof.rootHash, `${path}.inclusionProof.rootHash`)
      optionalList(proof.hashes, `${path}.inclusionProof.hashes`, 'hashes').forEach((hash, position) => decodeBase64(hash, `${path}.inclusionProof.hashes[${position}]`))
      if (proof.checkpoint !== undefined && proof.checkpoint !== null) {
        checkpoint = text(record(proof.checkpoint, `${path}.inclusionProof.checkpoint`, 'checkpoint').envelope, `${path}.inclusionProof.checkpoint.envelope`, 'checkpoint.envelope')
      }
    }
    const summary: BundleTlogEntry = {
      logIndex,
      logId: typeof logId === 'string' ? logId : '',
      // Rekor v2 entries carry no integrated time (0): their time comes from an RFC 3161 timestamp.
      integratedTime: integrated === '0' ? null : new Date(Number(integrated) * 1000).toISOString(),
      kind,
      version,
      inclusionProof: isRecord(item.inclusionProof),
      inclusionPromise: isRecord(item.inclusionPromise),
      checkpoint,
    }
    return { summary, body: decodeBase64(item.canonicalizedBody, `${path}.canonicalizedBody`), path }
  })

  let rfc3161: Raw['rfc3161'] = []
  if (material.timestampVerificationData !== undefined && material.timestampVerificationData !== null) {
    const data = record(material.timestampVerificationData, '$.verificationMaterial.timestampVerificationData', 'timestampVerificationData')
    rfc3161 = optionalList(data.rfc3161Timestamps, '$.verificationMaterial.timestampVerificationData.rfc3161Timestamps', 'rfc3161Timestamps').map((stamp, index) => {
      const path = `$.verificationMaterial.timestampVerificationData.rfc3161Timestamps[${index}].signedTimestamp`
      return { der: decodeBase64(record(stamp, path, 'an RFC 3161 timestamp').signedTimestamp, path), path }
    })
  }

  let dsse: Raw['dsse'] = null
  let message: Raw['message'] = null
  if (bundle.dsseEnvelope !== undefined && bundle.messageSignature !== undefined) {
    throw new IngestError('invalid-bundle', 'a bundle carries either dsseEnvelope or messageSignature, not both', '$')
  }
  if (bundle.dsseEnvelope !== undefined) {
    const envelope = record(bundle.dsseEnvelope, '$.dsseEnvelope', 'dsseEnvelope')
    const signatures = envelope.signatures
    dsse = { value: envelope, signatureCount: Array.isArray(signatures) ? signatures.length : 0 }
    if (dsse.signatureCount > 1) {
      throw new IngestError('invalid-bundle', `a bundle's envelope carries exactly one signature, found ${dsse.signatureCount}`, '$.dsseEnvelope.signatures')
    }
  } else if (bundle.messageSignature !== undefined) {
    const signature = record(bundle.messageSignature, '$.messageSignature', 'messageSignature')
    const digest = record(signature.messageDigest, '$.messageSignature.messageDigest', 'messageDigest')
    message = {
      algorithm: text(digest.algorithm, '$.messageSignature.messageDigest.algorithm', 'messageDigest.algorithm'),
      digest: decodeBase64(digest.digest, '$.messageSignature.messageDigest.digest'),
      signature: signature.signature === undefined ? Buffer.alloc(0) : decodeBase64(signature.signature, '$.messageSignature.signature'),
    }
  } else {
    throw new IngestError('invalid-bundle', 'the bundle has no content: expected dsseEnvelope or messageSignature', '$')
  }
  return { mediaType: bundle.mediaType, keyMaterial, tlog, rfc3161, dsse, message }
}

// ---------------------------------------------------------------------------------------------------------
// Certificates

const FULCIO = '1.3.6.1.4.1.57264.1.'

/** Fulcio's first extensions (.1 to .6) hold the raw string; the later ones a DER UTF8String (tag 0x0c). */
function fulcioExtension(cert: X509Certificate, number: number): string | null {
  const extension = cert.extension(`${FULCIO}${number}`)
  if (!extension) return null
  const value = extension.value
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

function readCertificate(der: Buffer, path: string): { cert: X509Certificate; info: BundleCertificate; key: TrustedKey | null; keyError: string | null } {
  let cert: X509Certificate
  let node: NodeCertificate
  try {
    node = new NodeCertificate(der)
    cert = X509Certificate.parse(Buffer.from(der))
  } catch (error) {
    throw new IngestError('invalid-certificate', `the signing certificate is not a DER X.509 certificate: ${messageOf(error)}`, path)
  }
  let san: string | null
  try {
    san = cert.subjectAltName ?? null
  } catch {
    san = null
  }
  const repositoryLegacy = safe(() => fulcioExtension(cert, 5))
  const issuerLines = node.issuer.split('\n')
  const info: BundleCertificate = {
    subjectAlternativeName: san,
    issuer: safe(() => fulcioExtension(cert, 8)) ?? safe(() => fulcioExtension(cert, 1)),
    repository: safe(() => fulcioExtension(cert, 12)) ?? (repositoryLegacy ? `https://github.com/${repositoryLegacy}` : null),
    workflowRef: safe(() => fulcioExtension(cert, 9)) ?? (san?.includes('/.github/workflows/') ? san : null),
    buildConfig: safe(() => fulcioExtension(cert, 18)),
    ref: safe(() => fulcioExtension(cert, 14)) ?? safe(() => fulcioExtension(cert, 6)),
    sha: safe(() => fulcioExtension(cert, 13)) ?? safe(() => fulcioExtension(cert, 3)),
    buildTrigger: safe(() => fulcioExtension(cert, 20)) ?? safe(() => fulcioExtension(cert, 2)),
    runnerEnvironment: safe(() => fulcioExtension(cert, 11)),
    runInvocation: safe(() => fulcioExtension(cert, 21)),
    repositoryVisibility: safe(() => fulcioExtension(cert, 22)),
    notBefore: instant(node.validFrom, path),
    notAfter: instant(node.validTo, path),
    serial: node.serialNumber,
    issuerCN: issuerLines.find((line) => line.startsWith('CN='))?.slice(3) ?? null,
    issuerDN: issuerLines.join(', '),
  }
  let key: TrustedKey | null = null
  let keyError: string | null = null
  try {
    key = loadPublicKey('certificate', node.publicKey.export({ type: 'spki', format: 'pem' }).toString())
  } catch (error) {
    keyError = messageOf(error)
  }
  return { cert, info, key, keyError }
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

// ---------------------------------------------------------------------------------------------------------
// Message signatures over a digest

/*
 * A hashedrekord bundle signs the artifact, and @sigstore/verify needs the artifact's bytes to check it. A
 * dashboard usually holds only the digest, which is exactly what ECDSA and RSA PKCS#1 sign, but node:crypto has
 * no "verify this pre-hashed digest" for ECDSA. So ECDSA verification over a digest is done here, with BigInt
 * arithmetic on the NIST curves (public data only: no constant-time concerns).
 */
type Curve = { p: bigint; b: bigint; n: bigint; g: [bigint, bigint]; size: number }
const curve = (name: string, p: bigint, b: bigint, n: bigint, size: number): Curve => {
  // The generator is the public key of the private key 1: no constant to mistype.
  const one = Buffer.alloc(size)
  one[size - 1] = 1
  const ecdh = createECDH(name)
  ecdh.setPrivateKey(one)
  const point = ecdh.getPublicKey()
  return { p, b, n, size, g: [toBigInt(point.subarray(1, 1 + size)), toBigInt(point.subarray(1 + size))] }
}
const toBigInt = (bytes: Uint8Array): bigint => (bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`))
let curves: Record<string, Curve> | null = null
function curveFor(name: string): Curve | undefined {
  curves ??= {
    prime256v1: curve(
      'prime256v1',
      0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
      0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
      0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
      32,
    ),
    secp384r1: curve(
      'secp384r1',
      0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
      0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
      0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
      48,
    ),
    secp521r1: curve(
      'secp521r1',
      (1n << 521n) - 1n,
      0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
      0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
      66,
    ),
  }
  return curves[name]
}

const mod = (value: bigint, m: bigint) => ((value % m) + m) % m
function power(base: bigint, exponent: bigint, m: bigint): bigint {
  let result = 1n
  let b = mod(base, m)
  let e = exponent
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m
    b = (b * b) % m
    e >>= 1n
  }
  return result
}

type Jacobian = [bigint, bigint, bigint]
function double([x, y, z]: Jacobian, p: bigint): Jacobian {
  if (y === 0n || z === 0n) return [0n, 1n, 0n]
  // a = -3 on every NIST prime curve
  const delta = (z * z) % p
  const gamma = (y * y) % p
  const beta = (x * gamma) % p
  const alpha = mod(3n * (x - delta) * (x + delta), p)
  const x3 = mod(alpha * alpha - 8n * beta, p)
  const z3 = mod((y + z) * (y + z) - gamma - delta, p)
  const y3 = mod(alpha * (4n * beta - x3) - 8n * gamma * gamma, p)
  return [x3, y3, z3]
}
function add(a: Jacobian, b: Jacobian, p: bigint): Jacobian {
  if (a[2] === 0n) return b
  if (b[2] === 0n) return a
  const z1z1 = (a[2] * a[2]) % p
  const z2z2 = (b[2] * b[2]) % p
  const u1 = (a[0] * z2z2) % p
  const u2 = (b[0] * z1z1) % p
  const s1 = (a[1] * b[2] * z2z2) % p
  const s2 = (b[1] * a[2] * z1z1) % p
  if (u1 === u2) return s1 === s2 ? double(a, p) : [0n, 1n, 0n]
  const h = mod(u2 - u1, p)
  const r = mod(s2 - s1, p)
  const hh = (h * h) % p
  const hhh = (hh * h) % p
  const x3 = mod(r * r - hhh - 2n * u1 * hh, p)
  const y3 = mod(r * (u1 * hh - x3) - s1 * hhh, p)
  return [x3, y3, (h * a[2] * b[2]) % p]
}

/** Reads an ECDSA signature, DER (what Sigstore clients write) or raw r||s. */
function ecdsaSignature(signature: Buffer, size: number): [bigint, bigint] | null {
  if (signature.length === 2 * size && signature[0] !== 0x30) return [toBigInt(signature.subarray(0, size)), toBigInt(signature.subarray(size))]
  let offset = 0
  const readLength = (): number => {
    const first = signature[offset++] ?? 0
    if (first < 0x80) return first
    let length = 0
    for (let index = 0; index < (first & 0x7f); index++) length = length * 256 + (signature[offset++] ?? 0)
    return length
  }
  if (signature[offset++] !== 0x30) return null
  const total = readLength()
  if (offset + total !== signature.length) return null
  const integers: bigint[] = []
  for (let index = 0; index < 2; index++) {
    if (signature[offset++] !== 0x02) return null
    const length = readLength()
    if (length === 0 || offset + length > signature.length) return null
    integers.push(toBigInt(signature.subarray(offset, offset + length)))
    offset += length
  }
  const [r, s] = integers
  return offset === signature.length && r !== undefined && s !== undefined ? [r, s] : null
}

function verifyEcdsaDigest(key: KeyObject, digest: Buffer, signature: Buffer): boolean {
  const params = curveFor(key.asymmetricKeyDetails?.namedCurve ?? '')
  if (!params) return false
  const jwk = key.export({ format: 'jwk' })
  if (!jwk.x || !jwk.y) return false
  const q: Jacobian = [toBigInt(Buffer.from(jwk.x, 'base64url')), toBigInt(Buffer.from(jwk.y, 'base64url')), 1n]
  const parsed = ecdsaSignature(signature, params.size)
  if (!parsed) return false
  const [r, s] = parsed
  const { n, p } = params
  if (r <= 0n || r >= n || s <= 0n || s >= n) return false
  // The leftmost bits of the digest, as many as the order has (FIPS 186-5, 6.4.2).
  const bits = n.toString(2).length
  let e = toBigInt(digest)
  if (digest.length * 8 > bits) e >>= BigInt(digest.length * 8 - bits)
  const w = power(s, n - 2n, n)
  const u1 = mod(e * w, n)
  const u2 = mod(r * w, n)
  const g: Jacobian = [params.g[0], params.g[1], 1n]
  const gq = add(g, q, p)
  let point: Jacobian = [0n, 1n, 0n]
  for (let bit = BigInt(Math.max(u1.toString(2).length, u2.toString(2).length) - 1); bit >= 0n; bit--) {
    point = double(point, p)
    const a = (u1 >> bit) & 1n
    const b = (u2 >> bit) & 1n
    if (a && b) point = add(point, gq, p)
    else if (a) point = add(point, g, p)
    else if (b) point = add(point, q, p)
  }
  if (point[2] === 0n) return false
  const zInverse = power(point[2], p - 2n, p)
  const x = (point[0] * zInverse * zInverse) % p
  return mod(x, n) === r
}

const DIGEST_INFO_PREFIX: Record<string, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
}

/** Checks a signature over a pre-computed digest: ECDSA (any NIST curve) and RSA PKCS#1 v1.5. */
export function verifyDigestSignature(key: KeyObject, hash: string, digest: Buffer, signature: Buffer): boolean | 'unsupported' {
  try {
    if (key.asymmetricKeyType === 'ec') return verifyEcdsaDigest(key, digest, signature)
    if (key.asymmetricKeyType === 'rsa') {
      const prefix = DIGEST_INFO_PREFIX[hash]
      if (!prefix) return 'unsupported'
      const recovered = publicDecrypt({ key, padding: 1 /* RSA_PKCS1_PADDING */ }, signature)
      return recovered.equals(Buffer.concat([Buffer.from(prefix, 'hex'), digest]))
    }
    // Ed25519 signs the message itself, RSA-PSS a salted encoding: neither can be checked from a digest.
    return 'unsupported'
  } catch {
    return false
  }
}

const MESSAGE_HASHES: Record<string, { node: string; length: number }> = {
  SHA2_256: { node: 'sha256', length: 32 },
  SHA2_384: { node: 'sha384', length: 48 },
  SHA2_512: { node: 'sha512', length: 64 },
  SHA3_256: { node: 'sha3-256', length: 32 },
  SHA3_384: { node: 'sha3-384', length: 48 },
  HASH_ALGORITHM_UNSPECIFIED: { node: 'sha256', length: 32 },
}

// ---------------------------------------------------------------------------------------------------------
// Checks

/** ok; failed (something is demonstrably wrong); missing (trust material we lack); untrusted (chains to nothing we trust). */
type Outcome = 'ok' | 'failed' | 'missing' | 'untrusted'
type Step = { outcome: Outcome; check: Check }

// Causal order: a signing time comes from the log or a timestamp, and the certificate is judged at that time.
// When the log entry belongs to another signature, that is the finding, not the certificate's expiry it implies.
const CHECK_ORDER = ['bundle-signature', 'transparency-log', 'timestamp', 'certificate-chain', 'signer-trusted', 'certificate-identity', 'subject-digest']

const step = (outcome: Outcome, name: string, expected: string, actual: string, detail?: string): Step => ({
  outcome,
  check: { name, ok: outcome === 'ok', expected, actual, ...(detail ? { detail } : {}) },
})

type VerifierResult = { ok: true } | { ok: false; code: string; message: string }

/** Runs @sigstore/verify's Verifier and turns its throw into a value. */
function runVerifier(material: TrustMaterial, entity: SignedEntity, options: VerifierOptions): VerifierResult {
  try {
    new Verifier(material, options).verify(entity)
    return { ok: true }
  } catch (error) {
    if (error instanceof VerificationError || error instanceof PolicyError) {
      const cause: unknown = error.cause
      return { ok: false, code: error.code, message: cause instanceof Error ? `${error.message}: ${cause.message}` : error.message }
    }
    return { ok: false, code: 'ERROR', message: messageOf(error) }
  }
}

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

const iso = (date: Date) => date.toISOString().replace('.000Z', 'Z')
const hex = (bytes: Buffer) => bytes.toString('hex')
const shortHex = (value: string) => (value.length > 16 ? `${value.slice(0, 16)}…` : value)
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error))

/**
 * Reads and verifies one Sigstore bundle. Throws IngestError only when the JSON is not a readable bundle; a bundle
 * whose signature, log entry or certificate is wrong is returned with status `failed` naming the first failing
 * check, so the dashboard can store it and show why.
 */
export function prepareBundle(value: unknown, trust: SigstoreTrust, options: PrepareBundleOptions = {}): PreparedBundle {
  const raw = readRaw(value)
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
  const rfc3161 = raw.rfc3161.map((stamp) => {
    try {
      const parsed = RFC3161Timestamp.parse(Buffer.from(stamp.der))
      return { parsed, time: parsed.signingTime }
    } catch (error) {
      throw new IngestError('invalid-timestamp', `not an RFC 3161 timestamp response: ${messageOf(error)}`, stamp.path)
    }
  })
  const tlogSummary = raw.tlog.map((entry) => entry.summary)
  const base = {
    mediaType: raw.mediaType,
    bundleVersion: BUNDLE_MEDIA_TYPES[raw.mediaType],
    kind: raw.dsse ? ('dsse' as const) : ('message-signature' as const),
    envelope,
    certificate: certificate?.info ?? null,
    tlog: tlogSummary,
    timestamps: [
      ...tlogSummary.flatMap((entry) => (entry.integratedTime ? [{ source: 'tlog' as const, time: entry.integratedTime }] : [])),
      ...rfc3161.map((stamp) => ({ source: 'rfc3161' as const, time: stamp.time.toISOString() })),
    ],
  }

  const signatureBytes = envelope ? envelope.signatures[0]?.sig : raw.message?.signature
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
    entity = toSignedEntity(bundle)
  } catch (error) {
    const field = error instanceof ValidationError ? error.fields[0] : undefined
    throw new IngestError('invalid-bundle', `not a valid Sigstore bundle: ${messageOf(error)}${field ? ` (${field})` : ''}`, field ? `$.${field}` : '$')
  }

  const context: Context = { raw, trust, options, envelope, certificate, entity, rfc3161, now: options.now ?? new Date() }
  const steps: Step[] = []
  const signer = guarded('bundle-signature', () => checkSignature(context), (failure): SignerResult => ({ step: failure, key: null, trustedKeyId: null, source: 'none' }))
  steps.push(signer.step)
  const tlog = guarded('transparency-log', () => checkTransparencyLog(context), (failure): TlogResult => ({ step: failure, trusted: [], present: context.entity.tlogEntries.length }))
  steps.push(tlog.step)
  const timestamps = guarded('timestamp', () => checkTimestamps(context), (failure) => ({ step: failure, trusted: [] }))
  if (timestamps.step) steps.push(timestamps.step)
  const times = { tlog: tlog.trusted, rfc3161: timestamps.trusted, missing: tlog.step.outcome === 'missing' || timestamps.step?.outcome === 'missing' }
  let authority: CertAuthority | null = null
  if (certificate) {
    const chain = guarded('certificate-chain', () => checkCertificateChain(context, certificate, times), (failure) => ({ step: failure, authority: null }))
    steps.push(chain.step)
    authority = chain.authority
  } else {
    steps.push(guarded('signer-trusted', () => checkSignerTrusted(context, signer, times), (failure) => failure))
  }
  steps.push(checkIdentity(context))
  const artifactDigest = options.artifactDigest
  if (artifactDigest) steps.push(guarded('subject-digest', () => checkSubjectDigest(context, artifactDigest), (failure) => failure))

  let status = resolve(steps)
  if (status === 'verified') {
    // Every step passed on its own: let @sigstore/verify run the whole bundle once, as its authors intended.
    const disagreement = crossCheck(context, signer.key, tlog.present)
    if (disagreement) {
      steps.push(disagreement)
      status = 'failed'
    }
  }
  const ordered = [...steps].sort((a, b) => CHECK_ORDER.indexOf(a.check.name) - CHECK_ORDER.indexOf(b.check.name))
  // What is demonstrably wrong first, then what could not be established; each in causal order.
  const failing = [...ordered.filter((item) => item.outcome === 'failed'), ...ordered.filter((item) => item.outcome === 'missing' || item.outcome === 'untrusted')]
  const firstFailed = failing[0]?.outcome === 'failed' ? failing[0] : undefined
  const signers: Signer[] = [
    {
      keyId: raw.keyMaterial.kind === 'public-key' ? raw.keyMaterial.hint || null : envelope?.signatures[0]?.keyid || null,
      // A certificate is trusted through the CA it chains to; a plain key through the configured key itself.
      trustedKeyId: signer.trustedKeyId ?? (authority ? authority.uri || authority.subject || 'trusted root' : null),
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

type Context = {
  raw: Raw
  trust: SigstoreTrust
  options: PrepareBundleOptions
  envelope: DsseEnvelope | null
  certificate: ReturnType<typeof readCertificate> | null
  entity: SignedEntity
  rfc3161: { parsed: RFC3161Timestamp; time: Date }[]
  now: Date
}

/**
 * Runs one check so that a library throwing on input it should have refused (a lazily parsed ASN.1 field, say)
 * becomes a failed check, never a crash: the caller promised to throw only IngestError.
 */
function guarded<T>(name: string, run: () => T, fallback: (failure: Step) => T): T {
  try {
    return run()
  } catch (error) {
    if (error instanceof IngestError) throw error
    return fallback(step('failed', name, 'a check that can be carried out', `could not be checked: ${messageOf(error)}`))
  }
}

function resolve(steps: Step[]): Verification['status'] {
  if (steps.some((item) => item.outcome === 'failed')) return 'failed'
  if (steps.some((item) => item.outcome === 'missing')) return 'unverifiable'
  if (steps.some((item) => item.outcome === 'untrusted')) return 'untrusted'
  return 'verified'
}

/** The signature bytes the library compares against log entries, with its own verification left to the bundle-signature check. */
function signatureCheckedElsewhere(entity: SignedEntity): SignedEntity['signature'] {
  return {
    signature: entity.signature.signature,
    compareSignature: (signature) => entity.signature.compareSignature(signature),
    compareDigest: (digest) => entity.signature.compareDigest(digest),
    verifySignature: () => true,
  }
}

/** A key finder that accepts any hint: for the steps that are not about the signing key. */
function anyKeyMaterial(trust: SigstoreTrust, key: KeyObject): TrustMaterial {
  return { ...trust.material, publicKey: () => ({ publicKey: key, validFor: () => true }) }
}
let isolationKeyCache: KeyObject | null = null
/** Any key will do where the step under test is not the signature: the signature check itself is done by bundle-signature. */
const isolationKey = () => (isolationKeyCache ??= generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)

// --- bundle-signature ---------------------------------------------------------------------------------------

type SignerResult = { step: Step; key: SigstoreKey | null; trustedKeyId: string | null; source: 'certificate' | 'configured' | 'none' }

function checkSignature(context: Context): SignerResult {
  const { raw, envelope, certificate, trust } = context
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

// --- transparency-log ---------------------------------------------------------------------------------------

type TlogResult = { step: Step; trusted: TransparencyLogEntry[]; present: number }

/** What a Rekor entry body says was logged: the signature, the digest, and the key or certificate. */
type LoggedSignature = { kind: string; signature: Buffer | null; digest: string | null; verifier: Buffer | null }

function readLoggedBody(body: Buffer): LoggedSignature | string {
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

/** The signing key's SubjectPublicKeyInfo, whether the log holds a certificate or a bare key. */
function spkiOf(der: Buffer): Buffer | null {
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

function checkTransparencyLog(context: Context): TlogResult {
  const { raw, trust, entity, envelope, certificate, rfc3161 } = context
  const version = BUNDLE_MEDIA_TYPES[raw.mediaType]
  const entries = entity.tlogEntries
  const expected = `an entry for this signature, with ${version === '0.1' ? 'a signed entry timestamp' : 'an inclusion proof against a signed checkpoint'} from a trusted Rekor log`
  if (entries.length === 0) {
    if (rfc3161.length > 0) {
      // Sigstore instances without a public log (GitHub's, for private repositories) time-stamp instead.
      return { step: step('ok', 'transparency-log', expected, 'no transparency log entry', 'The bundle is not in a transparency log; its signing time comes from the RFC 3161 timestamp.'), trusted: [], present: 0 }
    }
    return { step: step('failed', 'transparency-log', expected, 'no transparency log entry and no RFC 3161 timestamp', 'Without a log entry or a timestamp nothing proves when it was signed.'), trusted: [], present: 0 }
  }

  const ourSignature = entity.signature.signature
  const ourDigest = envelope ? createHash('sha256').update(envelope.payload).digest('hex') : (raw.message?.digest.toString('hex') ?? '')
  const ourKey = certificate ? spkiOf(raw.keyMaterial.kind === 'certificate' ? raw.keyMaterial.der : Buffer.alloc(0)) : null
  const trusted: TransparencyLogEntry[] = []
  const findings: Step[] = []
  entries.forEach((entry, index) => {
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
    if (logged.digest !== ourDigest) mismatches.push(`it logs digest ${shortHex(logged.digest ?? '(none)')}, the bundle's content is ${shortHex(ourDigest)}`)
    if (ourKey && logged.verifier) {
      const loggedKey = spkiOf(logged.verifier)
      if (!loggedKey || !loggedKey.equals(ourKey)) mismatches.push("it names a different signing key than the bundle's certificate")
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
    if (proof?.checkpoint) {
      // @sigstore/verify proves inclusion against the checkpoint's root; the proof's own root and size must agree.
      const lines = proof.checkpoint.envelope.split('\n')
      const size = lines[1]
      const root = lines[2]
      if (size !== proof.treeSize || !root || !Buffer.from(root, 'base64').equals(proof.rootHash)) {
        findings.push(step('failed', 'transparency-log', expected, `${label}: the inclusion proof (tree size ${proof.treeSize}) does not match its checkpoint (size ${size ?? '?'})`))
        return
      }
    }
    const result = runVerifier(anyKeyMaterial(trust, isolationKey()), { signature: signatureCheckedElsewhere(entity), key: { $case: 'public-key', hint: '' }, timestamps: [], tlogEntries: [entry] }, {
      tlogThreshold: 1,
      timestampThreshold: 0,
      ctlogThreshold: 0,
    })
    if (!result.ok) {
      const what =
        result.code === 'TLOG_INCLUSION_PROMISE_ERROR'
          ? 'its signed entry timestamp does not verify with the log key'
          : result.code === 'TLOG_INCLUSION_PROOF_ERROR'
            ? 'its inclusion proof does not lead to the signed checkpoint'
            : result.code === 'TLOG_MISSING_INCLUSION_ERROR'
              ? 'it has neither an inclusion proof nor a signed entry timestamp'
              : 'it does not match this signature'
      findings.push(step('failed', 'transparency-log', expected, `${label} in ${authority.baseUrl || 'the log'}: ${what} (${result.message})`))
      return
    }
    if (entry.inclusionPromise && entry.integratedTime !== '0') trusted.push(entry)
    findings.push(
      step(
        'ok',
        'transparency-log',
        expected,
        `${label} (${logged.kind}) in ${authority.baseUrl || 'a trusted log'}: ${[entry.inclusionProof ? 'inclusion proof verified against the signed checkpoint' : null, entry.inclusionPromise ? 'signed entry timestamp verified' : null]
          .filter(Boolean)
          .join(', ')}; records this signature`,
      ),
    )
  })
  // One entry is enough (the library's default threshold), but any entry that contradicts the bundle is a failure.
  const failed = findings.find((finding) => finding.outcome === 'failed')
  const passed = findings.find((finding) => finding.outcome === 'ok')
  const missing = findings.find((finding) => finding.outcome === 'missing')
  return { step: failed ?? passed ?? missing ?? findings[0] ?? step('failed', 'transparency-log', expected, 'none'), trusted, present: entries.length }
}

// --- timestamp ----------------------------------------------------------------------------------------------

function checkTimestamps(context: Context): { step: Step | null; trusted: RFC3161Timestamp[] } {
  const { rfc3161, trust, entity } = context
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

// --- certificate-chain ---------------------------------------------------------------------------------------

type Times = { tlog: TransparencyLogEntry[]; rfc3161: RFC3161Timestamp[]; missing: boolean }

const timesOf = (times: Times): Date[] => [...times.tlog.map((entry) => new Date(Number(entry.integratedTime) * 1000)), ...times.rfc3161.map((stamp) => stamp.signingTime)]

const none = (failure: Step) => ({ step: failure, authority: null })

function checkCertificateChain(context: Context, certificate: NonNullable<Context['certificate']>, times: Times): { step: Step; authority: CertAuthority | null } {
  const { trust, entity } = context
  const { cert, info } = certificate
  const dates = timesOf(times)
  const expected = dates.length > 0 ? `a chain to a Fulcio CA in a trusted root, valid at signing time ${dates.map(iso).join(', ')}` : 'a chain to a Fulcio CA in a trusted root, valid at a verified signing time'
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
    return none(
      step(
        times.missing ? 'missing' : 'failed',
        'certificate-chain',
        expected,
        `${issuedBy}; no verified signing time to check it at`,
        'The signing time comes from a verified transparency log entry (signed entry timestamp) or RFC 3161 timestamp; see those checks.',
      ),
    )
  }
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

// --- signer-trusted (plain keys) ------------------------------------------------------------------------------

function checkSignerTrusted(context: Context, signer: SignerResult, times: Times): Step {
  const { raw, trust, now } = context
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

// --- certificate-identity ----------------------------------------------------------------------------------

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

function checkIdentity(context: Context): Step {
  const policy = context.options.identity
  const fields = IDENTITY_FIELDS.flatMap((name) => {
    const value = policy?.[name]
    return typeof value === 'string' ? [[name, value] as const] : []
  })
  if (fields.length === 0) {
    const who = context.certificate?.info.subjectAlternativeName
    return step('ok', 'certificate-identity', 'no identity policy', who ? `signed as ${who}` : 'signed with a plain key', 'No identity policy applies: any identity the trusted root vouches for is accepted.')
  }
  const expected = fields.map(([name, value]) => `${name} ${value.startsWith('/') ? '~' : '='} ${value}`).join('; ')
  const info = context.certificate?.info
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

// --- subject-digest ------------------------------------------------------------------------------------------

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

// --- the whole bundle, once, through @sigstore/verify ----------------------------------------------------------

function crossCheck(context: Context, key: SigstoreKey | null, tlogEntries: number): Step | null {
  const { trust, entity, rfc3161 } = context
  // Our signature check stands in for the library's: it cannot check a message signature without the artifact,
  // and picks SHA-256 for every ECDSA curve.
  const signature: SignedEntity['signature'] = { ...signatureCheckedElsewhere(entity), verifySignature: () => true }
  const material: TrustMaterial =
    key && context.raw.keyMaterial.kind === 'public-key'
      ? { ...trust.material, publicKey: () => ({ publicKey: key.key, validFor: (date) => keyValidAt(key, date) }) }
      : trust.material
  const result = runVerifier(material, { ...entity, signature }, {
    tlogThreshold: tlogEntries > 0 || rfc3161.length === 0 ? 1 : 0,
    timestampThreshold: 1,
    ctlogThreshold: context.certificate && trust.ctlogs.length > 0 ? 1 : 0,
  })
  if (result.ok) return null
  const name = VERIFIER_CODES[result.code] ?? 'bundle-signature'
  return step('failed', name, 'the bundle verifies with @sigstore/verify', `${result.code}: ${result.message}`, 'Each check passed on its own, but @sigstore/verify rejects the bundle as a whole.')
}
