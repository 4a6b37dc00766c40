import { createPublicKey } from 'node:crypto'
import { decodeBase64 } from './dsse'
import { IngestError, isRecord, kindOf } from './errors'
import { loadPublicKey } from './keys'
import type { SigstoreKey } from './sigstore/trust-material'

/*
 * npm's attestations: GET https://registry.npmjs.org/-/npm/v1/attestations/<name>@<version> answers
 * `{ attestations: [{ predicateType, bundle }] }`, one Sigstore bundle per attestation: the publish attestation
 * (https://github.com/npm/attestation/tree/main/specs/publish/v0.1) signed with the registry's key, and the SLSA
 * provenance signed by the publishing workflow through Fulcio.
 */

export type NpmAttestation = { predicateType: string; bundle: unknown; path: string }

export function looksLikeNpmAttestations(value: unknown): boolean {
  return isRecord(value) && Array.isArray(value.attestations) && value.attestations.every((item) => isRecord(item) && 'bundle' in item)
}

/** Lists the bundles of an npm attestations response; paths point into the response (`$.attestations[1].bundle`). */
export function readNpmAttestations(value: unknown): NpmAttestation[] {
  if (!isRecord(value)) throw new IngestError('invalid-npm-attestations', `an npm attestations response is an object, found ${kindOf(value)}`, '$')
  const list = value.attestations
  if (!Array.isArray(list)) throw new IngestError('invalid-npm-attestations', `attestations must be an array, found ${kindOf(list)}`, '$.attestations')
  return list.map((item: unknown, index) => {
    const path = `$.attestations[${index}]`
    if (!isRecord(item)) throw new IngestError('invalid-npm-attestations', `an attestation is an object, found ${kindOf(item)}`, path)
    if (typeof item.predicateType !== 'string') {
      throw new IngestError('invalid-npm-attestations', `predicateType must be a string, found ${kindOf(item.predicateType)}`, `${path}.predicateType`)
    }
    if (!isRecord(item.bundle)) throw new IngestError('invalid-npm-attestations', `bundle must be an object, found ${kindOf(item.bundle)}`, `${path}.bundle`)
    return { predicateType: item.predicateType, bundle: item.bundle, path: `${path}.bundle` }
  })
}

/**
 * Reads npm's Sigstore-TUF `registry.npmjs.org/keys.json` target into keys a bundle's `publicKey.hint` names
 * (`SHA256:…`). Only keys for `usage` are kept: npm lists the same key twice, for package signatures
 * (`npm:signatures`) and for attestations (`npm:attestations`), with different validity windows. Throws an Error
 * naming the bad field.
 */
export function loadNpmRegistryKeys(value: unknown, usage = 'npm:attestations'): SigstoreKey[] {
  if (!isRecord(value) || !Array.isArray(value.keys)) throw new Error(`keys.json: expected { "keys": [...] }, found ${kindOf(value)}`)
  const keys: SigstoreKey[] = []
  value.keys.forEach((entry: unknown, index) => {
    const at = `keys[${index}]`
    if (!isRecord(entry)) throw new Error(`${at}: expected an object, found ${kindOf(entry)}`)
    if (typeof entry.keyId !== 'string' || entry.keyId === '') throw new Error(`${at}.keyId: expected a string`)
    if (entry.keyUsage !== undefined && entry.keyUsage !== usage) return
    if (!isRecord(entry.publicKey)) throw new Error(`${at}.publicKey: expected an object, found ${kindOf(entry.publicKey)}`)
    let der: Buffer
    try {
      der = decodeBase64(entry.publicKey.rawBytes, `${at}.publicKey.rawBytes`)
    } catch (error) {
      throw new Error(`${at}.publicKey.rawBytes: ${error instanceof Error ? error.message : String(error)}`)
    }
    let pem: string
    try {
      pem = createPublicKey({ key: der, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString()
    } catch (error) {
      throw new Error(`${at}.publicKey.rawBytes: not a DER public key: ${error instanceof Error ? error.message : String(error)}`)
    }
    const validFor = isRecord(entry.publicKey.validFor) ? entry.publicKey.validFor : {}
    const date = (field: 'start' | 'end'): Date | null => {
      const raw = validFor[field]
      if (raw === undefined || raw === null) return null
      const parsed = typeof raw === 'string' ? new Date(raw) : null
      if (!parsed || Number.isNaN(parsed.getTime())) throw new Error(`${at}.publicKey.validFor.${field}: expected an RFC 3339 time, found ${JSON.stringify(raw)}`)
      return parsed
    }
    keys.push({ ...loadPublicKey(entry.keyId, pem), validFor: { start: date('start'), end: date('end') } })
  })
  return keys
}
