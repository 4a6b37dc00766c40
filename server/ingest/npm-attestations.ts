import { createPublicKey } from 'node:crypto'
import { z } from 'zod'
import { IngestError, isRecord } from './errors'
import { loadPublicKey } from './keys'
import { base64, jsonObject, optional, readAs, type DocumentFormat } from './read'
import type { SigstoreKey } from './sigstore/trust-material'

/*
 * npm's attestations: GET https://registry.npmjs.org/-/npm/v1/attestations/<name>@<version> answers
 * `{ attestations: [{ predicateType, bundle }] }`, one Sigstore bundle per attestation: the publish attestation
 * (https://github.com/npm/attestation/tree/main/specs/publish/v0.1) signed with the registry's key, and the SLSA
 * provenance signed by the publishing workflow through Fulcio.
 */

export type NpmAttestation = { predicateType: string; bundle: unknown; path: string }

const NPM_ATTESTATIONS: DocumentFormat = { code: 'invalid-npm-attestations', label: 'an npm attestations response' }

const Attestations = z.object({ attestations: z.array(z.object({ predicateType: z.string(), bundle: jsonObject })) })

export function looksLikeNpmAttestations(value: unknown): boolean {
  return isRecord(value) && Array.isArray(value.attestations) && value.attestations.every((item) => isRecord(item) && 'bundle' in item)
}

/** Lists the bundles of an npm attestations response; paths point into the response (`$.attestations[1].bundle`). */
export function readNpmAttestations(value: unknown): NpmAttestation[] {
  return readAs(NPM_ATTESTATIONS, Attestations, value).attestations.map(({ predicateType, bundle }, index) => ({ predicateType, bundle, path: `$.attestations[${index}].bundle` }))
}

const KEYS_JSON: DocumentFormat = { code: 'invalid-npm-keys', label: "npm's registry keys.json" }

const RegistryKeys = z.object({
  keys: z.array(z.object({ keyId: z.string().min(1, { error: 'expected a key id, found an empty string' }), keyUsage: z.unknown().optional(), publicKey: z.unknown().optional() })),
})

const validity = optional(z.string()).transform((text, ctx): Date | null => {
  if (text === null) return null
  const date = new Date(text)
  if (!Number.isNaN(date.getTime())) return date
  ctx.addIssue({ code: 'custom', message: `expected an RFC 3339 time, found ${JSON.stringify(text.slice(0, 40))}`, input: text })
  return z.NEVER
})

// A key with no validity window is valid whenever it is used, so a malformed window is refused rather than ignored.
const PublicKey = z.object({ rawBytes: base64, validFor: optional(z.object({ start: validity, end: validity })) })

/** Config errors name the field as the config's reader does: `keys[0].keyId: …`. */
function readKeysJson<S extends z.ZodType>(schema: S, value: unknown, path: string): z.output<S> {
  try {
    return readAs(KEYS_JSON, schema, value, path)
  } catch (error) {
    if (error instanceof IngestError) throw new Error(`${(error.path ?? path).replace(/^\$\.?/, '') || 'keys.json'}: ${error.message}`)
    throw error
  }
}

/**
 * Reads npm's Sigstore-TUF `registry.npmjs.org/keys.json` target into keys a bundle's `publicKey.hint` names
 * (`SHA256:…`). Only keys for `usage` are kept: npm lists the same key twice, for package signatures
 * (`npm:signatures`) and for attestations (`npm:attestations`), with different validity windows. Throws an Error
 * naming the bad field.
 */
export function loadNpmRegistryKeys(value: unknown, usage = 'npm:attestations'): SigstoreKey[] {
  const { keys } = readKeysJson(RegistryKeys, value, '$')
  return keys.flatMap((entry, index) => {
    if (entry.keyUsage !== undefined && entry.keyUsage !== usage) return []
    const at = `$.keys[${index}].publicKey`
    const publicKey = readKeysJson(PublicKey, entry.publicKey, at)
    let pem: string
    try {
      pem = createPublicKey({ key: publicKey.rawBytes, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }).toString()
    } catch (error) {
      throw new Error(`keys[${index}].publicKey.rawBytes: not a DER public key: ${error instanceof Error ? error.message : String(error)}`)
    }
    return [{ ...loadPublicKey(entry.keyId, pem), validFor: { start: publicKey.validFor?.start ?? null, end: publicKey.validFor?.end ?? null } }]
  })
}
