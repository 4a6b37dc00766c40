const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/

/**
 * Decodes standard or URL-safe base64 (whitespace ignored), or says why the text is neither: Buffer.from
 * would silently drop bad characters, so a corrupted signature would read as a different, shorter one.
 */
export function decodeBase64Text(text: string): { bytes: Buffer } | { problem: string } {
  // Nearly every value is canonical padded base64, which decodes to bytes that encode back to the same text: that
  // costs two native passes, where the checks below cost two regular-expression passes (a payload is kilobytes).
  const canonical = Buffer.from(text, 'base64')
  if (canonical.toString('base64') === text) return { bytes: canonical }
  const compact = text.replace(/\s+/g, '')
  if (BASE64.test(compact)) return { bytes: Buffer.from(compact, 'base64') }
  if (BASE64URL.test(compact)) return { bytes: Buffer.from(compact, 'base64url') }
  const bad = [...compact].findIndex((char) => !/[A-Za-z0-9+/=_-]/.test(char))
  return { problem: bad >= 0 ? `not valid base64: unexpected character ${JSON.stringify(compact[bad])} at offset ${bad}` : 'not valid base64: bad length or padding' }
}
