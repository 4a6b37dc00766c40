/*
 * The attachment tags a repository's tag list holds, by the image they are about. Without the referrers API,
 * what is attached to an image is found by tags named after its digest: the referrers tag schema's index
 * (`sha256-<hex>`), cosign's attestations (`sha256-<hex>.att`) and signatures (`sha256-<hex>.sig`). Their names
 * say which image each is about, so one listing of the tags finds every attached image without resolving a
 * single image tag.
 */

export type AttachmentKind = 'schema' | 'att' | 'sig'

export const ATTACHMENT_KINDS: readonly AttachmentKind[] = ['schema', 'att', 'sig']

const ATTACHMENT_TAG = /^sha256-([0-9a-f]{64})(?:\.(att|sig))?$/

/** Every tag that names an image's digest, whether this server reads its kind or not (`.sbom`, `.pub`…). */
export const isAttachmentTag = (tag: string): boolean => /^sha256-[0-9a-f]{64}(\.[a-z]+)?$/.test(tag)

export const attachmentTag = (digest: string, kind: AttachmentKind): string => `${digest.replace(':', '-')}${kind === 'schema' ? '' : `.${kind}`}`

/** The attached images (`sha256:<hex>`) and which of the three tags each has, in the tag list's order. */
export function attachmentsByImage(tags: readonly string[]): Map<string, Set<AttachmentKind>> {
  const out = new Map<string, Set<AttachmentKind>>()
  for (const tag of tags) {
    const match = ATTACHMENT_TAG.exec(tag)
    if (!match?.[1]) continue
    const image = `sha256:${match[1]}`
    const kinds = out.get(image) ?? new Set<AttachmentKind>()
    kinds.add(match[2] === 'att' ? 'att' : match[2] === 'sig' ? 'sig' : 'schema')
    out.set(image, kinds)
  }
  return out
}

/**
 * What an image's attachment tags held when everything under them was last stored: `schema=<digest>;att=…;sig=…`
 * (empty: no such tag). The same string is what a sync compares, so it is written and read here only.
 */
export type AttachedDigests = Record<AttachmentKind, string | null>

export const fingerprintOf = (digests: AttachedDigests): string => ATTACHMENT_KINDS.map((kind) => `${kind}=${digests[kind] ?? ''}`).join(';')

/** The digests a stored fingerprint names; null for one this server did not write in this form (the referrers API's). */
export function parseFingerprint(value: string | undefined): AttachedDigests | null {
  if (value === undefined) return null
  const parts = value.split(';')
  if (parts.length !== ATTACHMENT_KINDS.length) return null
  const out: AttachedDigests = { schema: null, att: null, sig: null }
  for (const [index, kind] of ATTACHMENT_KINDS.entries()) {
    const prefix = `${kind}=`
    const part = parts[index]
    if (part === undefined || !part.startsWith(prefix)) return null
    const digest = part.slice(prefix.length)
    out[kind] = digest === '' ? null : digest
  }
  return out
}
