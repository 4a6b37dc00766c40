import { z } from 'zod'
import { createHash } from 'node:crypto'
import type { Verification } from '../../src/contract/common'
import type { LinkRecord, RebuildRecord } from '../documents/records'
import { canonicalJson, CanonicalJsonError } from './canonical-json'
import { isRecord } from './errors'
import type { FormatHandler } from './format'
import type { TrustedKey } from './keys'
import { digestSet, jsonObject, list, optional, readAs, readError, recordOf, type DocumentFormat } from './read'
import { judgeSignatures } from './verify'

/*
 * in-toto v0.9 link metadata (https://github.com/in-toto/docs/blob/master/in-toto-spec.md, section 4.3): one
 * supply-chain step as its functionary recorded it. Bare, it is `{ signed, signatures }` with signatures over
 * the canonical JSON of `signed`; in a DSSE envelope the payload is the `signed` object and the envelope signs.
 */

const LINK: DocumentFormat = { code: 'invalid-link', label: 'an in-toto link' }

export function isLinkType(value: unknown): boolean {
  return value === 'link' || value === 'Link'
}

export function looksLikeLink(value: Record<string, unknown>): boolean {
  return isRecord(value.signed) && isLinkType(value.signed._type) && 'signatures' in value
}

const Artifacts = optional(recordOf(digestSet)).transform((artifacts) => artifacts ?? {})

const LinkSigned = z.object({
  _type: z.enum(['link', 'Link'], { error: (issue) => `_type is ${JSON.stringify(issue.input)?.slice(0, 80) ?? 'missing'}, expected "link"` }),
  // Kept as written: what a step produced besides its products (stdout, return value) and where it ran.
  byproducts: optional(jsonObject),
  environment: optional(jsonObject),
  name: z.string(),
  command: list(z.string()),
  materials: Artifacts,
  products: Artifacts,
})

/** Reads a link's `signed` part found at `path`; `keyids` are the signatures' keyids when bare. */
export function readLink(value: unknown, path: string, keyids: string[]): LinkRecord {
  const { name, command, materials, products, byproducts, environment } = readAs(LINK, LinkSigned, value, path)
  return { name, command, materials, products, byproducts, environment, keyids }
}

const REBUILD_STEP = /^rebuild\s+(\S.*)$/

/**
 * rebuilderd signs a link named "rebuild <package>" whose products are the artifacts it rebuilt, and only for
 * artifacts whose rebuild came out bit for bit identical to the published one ("the attestation on a
 * reproducible artifact", rebuilderd API v1). So each product is a match verdict: the digest asked for is the
 * digest got. Other links are supply-chain steps, not rebuilds.
 */
export function rebuildsFromLink(record: LinkRecord, rebuilderId: string | null): RebuildRecord[] {
  if (!REBUILD_STEP.test(record.name)) return []
  return Object.entries(record.products).map(([name, digest]) => ({
    rebuilderId,
    artifact: { name, digest },
    rebuiltDigest: digest,
    verdict: 'match',
    source: 'in-toto-link',
    startedAt: null,
    finishedAt: null,
    diffoscope: null,
  }))
}

/**
 * The keyids securesystemslib / in-toto would give this key: SHA-256 of the canonical JSON of its key dict.
 * They let a link's keyid name a trusted key, so a bad signature by a trusted key reads as failed, not untrusted.
 */
export function inTotoKeyIds(trusted: TrustedKey): string[] {
  const pem = trusted.key.export({ type: 'spki', format: 'pem' }).toString().trim()
  const dicts: Record<string, unknown>[] = []
  if (trusted.algorithm === 'rsa') {
    for (const scheme of ['rsassa-pss-sha256', 'rsa-pkcs1v15-sha256']) dicts.push({ keytype: 'rsa', scheme, keyval: { public: pem } })
  } else if (trusted.algorithm === 'ed25519') {
    const raw = trusted.key.export({ format: 'jwk' }).x
    if (raw !== undefined) dicts.push({ keytype: 'ed25519', scheme: 'ed25519', keyval: { public: Buffer.from(raw, 'base64url').toString('hex') } })
  } else {
    const scheme = `ecdsa-sha2-nistp${trusted.algorithm.slice('ecdsa-p'.length)}`
    for (const keytype of ['ecdsa', scheme]) dicts.push({ keytype, scheme, keyval: { public: pem } })
  }
  return dicts.flatMap((dict) =>
    [{ ...dict, keyid_hash_algorithms: ['sha256', 'sha512'] }, dict].map((withIds) => createHash('sha256').update(canonicalJson(withIds)).digest('hex')),
  )
}

/**
 * Verifies a bare link's signatures over the canonical JSON of `signed`, with the same outcomes as a DSSE
 * envelope. Links name keys by their securesystemslib key id, which is computed for each trusted key.
 */
export function verifyLink(signed: Buffer, signatures: { keyid: string; sig: Buffer }[], keys: readonly TrustedKey[]): Verification {
  const ids = new Map(keys.map((key) => [key, new Set(inTotoKeyIds(key))]))
  return judgeSignatures(
    {
      check: 'link-signature',
      noun: 'link',
      covers: 'a signature over the canonical JSON of signed',
      signedPart: 'the signed part',
      data: signed,
      signatures,
      names: (key, keyid) => ids.get(key)?.has(keyid.toLowerCase()) === true,
    },
    keys,
  )
}

const Signatures = z.array(
  z.object({
    keyid: optional(z.string()),
    // v0.9 metadata writes signatures in hex; anything else is a malformed link, not a bad signature.
    sig: z.string().regex(/^(?:[0-9a-fA-F]{2})*$/, 'sig must be hex (in-toto v0.9 links encode signatures in hexadecimal)'),
  }),
)

function readSignatures(value: unknown): { keyid: string; sig: Buffer }[] {
  return readAs(LINK, Signatures, value, '$.signatures').map(({ keyid, sig }) => ({ keyid: keyid ?? '', sig: Buffer.from(sig, 'hex') }))
}

/** The signer a rebuild verdict is attributed to: the trusted key that verified it, else the claimed keyid. */
export function signerOf(verification: Verification): string | null {
  const signer = verification.signers.find((entry) => entry.trustedKeyId !== null) ?? verification.signers[0]
  return signer?.trustedKeyId ?? signer?.keyId ?? null
}

export const linkFormat: FormatHandler = {
  name: 'in-toto-link',
  label: 'an in-toto v0.9 link',
  detect: looksLikeLink,
  read(value, context) {
    const signatures = readSignatures(value.signatures)
    const record = readLink(value.signed, '$.signed', signatures.map((signature) => signature.keyid))
    let canonical: Buffer
    try {
      canonical = Buffer.from(canonicalJson(value.signed), 'utf8')
    } catch (error) {
      if (!(error instanceof CanonicalJsonError)) throw error
      throw readError(LINK, `$.signed${error.path.slice(1)}`, `signed cannot be written as canonical JSON, so no signature over it can be checked: ${error.message}`)
    }
    const verification = verifyLink(canonical, signatures, context.keys)
    const rebuilds = rebuildsFromLink(record, signerOf(verification))
    return {
      format: 'in-toto-link',
      payloadType: null,
      statement: null,
      verification,
      extras: { link: record, ...(rebuilds.length > 0 ? { rebuilds } : {}) },
    }
  },
}
