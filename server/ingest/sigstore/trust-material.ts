import { createPublicKey, X509Certificate as NodeCertificate } from 'node:crypto'
import { X509Certificate } from '@sigstore/core'
import { TrustedRoot } from '@sigstore/protobuf-specs'
import { toTrustMaterial, VerificationError, type TrustMaterial } from '@sigstore/verify'
import { decodeBase64 } from '../dsse'
import { isRecord, kindOf } from '../errors'
import type { TrustedKey } from '../keys'
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
export function findKey(keys: readonly SigstoreKey[], hint: string): SigstoreKey | undefined {
  if (hint === '') return undefined
  return keys.find((key) => key.id === hint || key.fingerprint === hint || `SHA256:${Buffer.from(key.fingerprint, 'hex').toString('base64').replace(/=+$/, '')}` === hint)
}

export function keyValidAt(key: SigstoreKey, date: Date): boolean {
  return (!key.validFor?.start || key.validFor.start <= date) && (!key.validFor?.end || date <= key.validFor.end)
}
