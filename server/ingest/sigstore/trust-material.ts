import { createPublicKey, X509Certificate as NodeCertificate } from 'node:crypto'
import { X509Certificate } from '@sigstore/core'
import { TrustedRoot } from '@sigstore/protobuf-specs'
import { toTrustMaterial, VerificationError, type TrustMaterial } from '@sigstore/verify'
import { z } from 'zod'
import { IngestError, isRecord } from '../errors'
import type { TrustedKey } from '../keys'
import { base64, expecting, instant, list, readAs, type DocumentFormat } from '../read'
import { messageOf } from './wording'

// What a Sigstore bundle is verified against: the trusted roots (Rekor logs, Fulcio CAs, CT logs, timestamp
// authorities) and the plain keys a bundle may name by hint.

/** A plain public key a bundle may name by `publicKey.hint` (npm's registry key, a cosign key), with its validity. */
export type SigstoreKey = TrustedKey & { validFor?: { start: Date | null; end: Date | null } }

export type LogAuthority = { logIds: Buffer[]; baseUrl: string; root: number }
export type CertAuthority = { uri: string; subject: string; chain: X509Certificate[]; start: Date | null; end: Date | null; root: number }

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
  /** The trusted_root.json values as read, so a worker thread can load the same trust (functions cannot be sent). */
  sources: readonly unknown[]
}

const TRUSTED_ROOT: DocumentFormat = { code: 'invalid-trusted-root', label: 'a Sigstore trusted root' }

const TRUSTED_ROOT_MEDIA_TYPE = /^application\/vnd\.dev\.sigstore\.trustedroot(\+json;version=0\.[12]|\.v0\.2\+json)$/

const mediaType = z.unknown().transform((value, ctx): string => {
  if (typeof value === 'string' && TRUSTED_ROOT_MEDIA_TYPE.test(value)) return value
  const problem = `expected application/vnd.dev.sigstore.trustedroot+json;version=0.1 (or v0.2), found ${JSON.stringify(value) ?? 'nothing'}`
  ctx.addIssue({ code: 'custom', message: problem, input: value })
  return z.NEVER
})

/** Fields read only when they are objects, as @sigstore/verify reads them: anything else counts as absent. */
const objectOrEmpty = z
  .unknown()
  .optional()
  .transform((value) => (isRecord(value) ? value : {}))

const validFor = objectOrEmpty.pipe(z.object({ start: instant, end: instant }))

const KeyId = z.object({ keyId: base64 })

const PublicKey = z.object({ rawBytes: base64, keyDetails: z.unknown().optional(), validFor }).transform((key, ctx) => {
  const details = typeof key.keyDetails === 'string' ? key.keyDetails : ''
  try {
    createPublicKey({ key: key.rawBytes, format: 'der', type: /PKCS1_RSA/.test(details) ? 'pkcs1' : 'spki' })
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a public key: ${messageOf(error)}`, input: key.rawBytes, path: ['rawBytes'] })
  }
  return key
})

/**
 * A log's key must say since when it signs: the validity window is what keeps a retired or revived log's key from
 * vouching for entries outside its service, and a missing start read as "since the beginning of time" (as
 * @sigstore/verify reads it) would widen it silently. Sigstore's TimeRange has a required start, and the client
 * conformance suite (trust-root-tlog-missing-validity-start_fail) expects such a trusted root refused as malformed.
 */
const LogKey = PublicKey.superRefine((key, ctx) => {
  if (key.validFor.start === null) {
    ctx.addIssue({ code: 'custom', message: "a log's public key needs validFor.start, the time from which it is trusted", input: key.validFor, path: ['validFor', 'start'] })
  }
})

const Log = z.object({
  baseUrl: z.unknown().optional(),
  logId: z.object({ keyId: base64 }, expecting('an object with keyId')),
  // Read only when it is an object: older trusted roots have no checkpoint key id.
  checkpointKeyId: z
    .unknown()
    .optional()
    .transform((value) => (isRecord(value) ? value : null))
    .pipe(KeyId.nullable()),
  publicKey: LogKey,
})

const Certificate = z.object({ rawBytes: base64 }).transform((cert, ctx): X509Certificate => {
  try {
    new NodeCertificate(cert.rawBytes)
    return X509Certificate.parse(Buffer.from(cert.rawBytes))
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a DER certificate: ${messageOf(error)}`, input: cert.rawBytes, path: ['rawBytes'] })
    return z.NEVER
  }
})

const Authority = z.object({
  uri: z.unknown().optional(),
  subject: z.unknown().optional(),
  certChain: z.object({ certificates: list(Certificate) }).transform((chain, ctx) => {
    if (chain.certificates.length === 0) ctx.addIssue({ code: 'custom', message: 'a certificate authority needs at least one certificate', input: chain.certificates, path: ['certificates'] })
    return chain.certificates
  }),
  validFor,
})

const TrustedRootJson = z.object({
  mediaType,
  tlogs: list(Log),
  ctlogs: list(Log),
  certificateAuthorities: list(Authority),
  timestampAuthorities: list(Authority),
})

/**
 * Builds the trust used to verify bundles from parsed trusted_root.json values (Sigstore's TUF target) and plain
 * keys. Throws an IngestError whose message starts with the bad field, e.g. `trustedRoots[0].tlogs[1].publicKey.rawBytes: …`,
 * because a broken trust configuration must stop the server at start, not quietly verify nothing.
 */
export function loadSigstoreTrust(trustedRoots: readonly unknown[], keys: readonly SigstoreKey[]): SigstoreTrust {
  const materials: TrustMaterial[] = []
  const trust: Omit<SigstoreTrust, 'material'> = { tlogs: [], ctlogs: [], certificateAuthorities: [], timestampAuthorities: [], keys, roots: trustedRoots.length, sources: trustedRoots }
  trustedRoots.forEach((value, index) => {
    const at = `trustedRoots[${index}]`
    const root = readTrustedRoot(value, at)
    const logs = (list: z.output<typeof Log>[]): LogAuthority[] =>
      list.map((log) => ({
        logIds: [log.logId.keyId, ...(log.checkpointKeyId ? [log.checkpointKeyId.keyId] : [])],
        baseUrl: typeof log.baseUrl === 'string' ? log.baseUrl : '',
        root: index,
      }))
    const authorities = (list: z.output<typeof Authority>[]): CertAuthority[] =>
      list.map((ca) => ({
        uri: typeof ca.uri === 'string' ? ca.uri : '',
        subject: isRecord(ca.subject) ? [ca.subject.organization, ca.subject.commonName].filter((part) => typeof part === 'string').join(' / ') : '',
        chain: ca.certChain,
        start: ca.validFor.start === null ? null : new Date(ca.validFor.start),
        end: ca.validFor.end === null ? null : new Date(ca.validFor.end),
        root: index,
      }))
    trust.tlogs.push(...logs(root.tlogs))
    trust.ctlogs.push(...logs(root.ctlogs))
    trust.certificateAuthorities.push(...authorities(root.certificateAuthorities))
    trust.timestampAuthorities.push(...authorities(root.timestampAuthorities))
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

function readTrustedRoot(value: unknown, at: string): z.output<typeof TrustedRootJson> {
  try {
    return readAs(TRUSTED_ROOT, TrustedRootJson, value, at)
  } catch (error) {
    // The config names the trusted root that failed only through this message, so it starts with the field.
    if (error instanceof IngestError) throw new IngestError(error.code, `${error.path ?? at}: ${error.message}`, error.path)
    throw error
  }
}

/** A bundle's hint names a key by its id, its hex SHA-256 fingerprint or npm's `SHA256:<base64>` form. */
export function findKey(keys: readonly SigstoreKey[], hint: string): SigstoreKey | undefined {
  if (hint === '') return undefined
  return keys.find((key) => key.id === hint || key.fingerprint === hint || `SHA256:${Buffer.from(key.fingerprint, 'hex').toString('base64').replace(/=+$/, '')}` === hint)
}

export function keyValidAt(key: SigstoreKey, date: Date): boolean {
  return (!key.validFor?.start || key.validFor.start <= date) && (!key.validFor?.end || date <= key.validFor.end)
}
