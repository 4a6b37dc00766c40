/**
 * Code points that can hide a scheme from a human or from a naive check ("java\tscript:", a zero-width space,
 * a bidi override that reverses what the reader sees). A URL from an untrusted document containing any of them
 * is never made clickable: real repository and builder URLs have no reason to contain them.
 */
function hasInvisibleOrControl(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index)
    if (code <= 0x20) return true // C0 controls and space
    if (code >= 0x7f && code <= 0xa0) return true // DEL, C1 controls, no-break space
    if (code === 0xad || code === 0xfeff) return true // soft hyphen, byte-order mark
    if (code >= 0x2000 && code <= 0x200f) return true // Unicode spaces, zero-width characters, LRM/RLM
    if (code >= 0x2028 && code <= 0x202f) return true // line/paragraph separators, bidi embeddings and overrides
    if (code >= 0x2060 && code <= 0x206f) return true // word joiner, bidi isolates, invisible operators
    if (code === 0x3000) return true // ideographic space
  }
  return false
}

const MAX_LENGTH = 2048

/**
 * The value as an `href` when, and only when, it is an absolute http(s) URL; null otherwise.
 *
 * Strings from provenance documents are attacker-controlled: a `javascript:` or `data:` href would run or show
 * whatever the document's author chose. Relative URLs are refused too, because they would point into this app.
 * URLs with a user name or password are refused because `https://github.com@evil.example` reads as GitHub.
 */
export function safeHref(value: string | null | undefined): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return null
  if (hasInvisibleOrControl(value)) return null
  // The scheme must be spelled out literally: `new URL` alone would also accept odd spellings we do not want.
  if (!/^https?:\/\/[^/]/i.test(value)) return null
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return null
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
  if (url.username !== '' || url.password !== '') return null
  if (url.hostname === '') return null
  return url.href
}
