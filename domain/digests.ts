/** `algorithm:hex` or bare hex, trimmed and lower-cased: { algorithm: null } when no algorithm is named. */
export function splitDigest(text: string): { algorithm: string | null; value: string } {
  const trimmed = text.trim().toLowerCase()
  const colon = trimmed.indexOf(':')
  return colon > 0 ? { algorithm: trimmed.slice(0, colon), value: trimmed.slice(colon + 1) } : { algorithm: null, value: trimmed }
}

/** The digest an artifact is indexed and linked by: sha256 when it has one, else its first algorithm by name. */
export function preferredDigest(digest: Record<string, string>): { algorithm: string; value: string } | null {
  const algorithm = digest.sha256 !== undefined ? 'sha256' : Object.keys(digest).sort()[0]
  const value = algorithm === undefined ? undefined : digest[algorithm]
  return algorithm === undefined || value === undefined ? null : { algorithm, value }
}
