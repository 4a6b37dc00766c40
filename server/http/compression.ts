import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import type { MiddlewareHandler } from 'hono'

export type ContentCoding = 'br' | 'gzip'
export type Chosen = ContentCoding | 'identity'

/**
 * The content coding to send for a request's `Accept-Encoding`, among the ones `available` for this response:
 * the highest q-value wins, Brotli before gzip on a tie (it is smaller), and identity when nothing else is
 * acceptable (RFC 9110 §12.5.3: a server may always send the unencoded form rather than a 406).
 */
export function chooseEncoding(acceptEncoding: string | undefined, available: readonly ContentCoding[]): Chosen {
  if (!acceptEncoding || available.length === 0) return 'identity'
  const weights = new Map<string, number>()
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';')
    if (name === '') continue
    const q = params.map((param) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined)
    const weight = q === undefined ? 1 : Number(q)
    weights.set(name === 'x-gzip' ? 'gzip' : name, Number.isFinite(weight) ? Math.min(1, Math.max(0, weight)) : 0)
  }
  const weightOf = (coding: ContentCoding) => weights.get(coding) ?? weights.get('*') ?? 0
  let best: Chosen = 'identity'
  let bestWeight = 0
  for (const coding of (['br', 'gzip'] as const).filter((coding) => available.includes(coding))) {
    const weight = weightOf(coding)
    if (weight > bestWeight) {
      best = coding
      bestWeight = weight
    }
  }
  return best
}

/** Adds `Accept-Encoding` to a response's `Vary` without repeating it or dropping what is there. */
export function varyOnAcceptEncoding(headers: Headers): void {
  const vary = headers.get('vary')
  if (vary === null) headers.set('vary', 'Accept-Encoding')
  else if (!vary.split(',').some((field) => ['accept-encoding', '*'].includes(field.trim().toLowerCase()))) headers.set('vary', `${vary}, Accept-Encoding`)
}

const brotli = promisify(brotliCompress)
const gzipAsync = promisify(gzip)

/** JSON and text are worth compressing; documents go out as the stored bytes (octet-stream), never re-encoded. */
const COMPRESSIBLE = /^(application\/(json|problem\+json|[\w.+-]+\+json)|text\/(?!event-stream))/i

/**
 * Compresses API responses larger than `threshold` bytes for clients that accept Brotli or gzip. Below the
 * threshold the saving is a packet or two and costs a compression per request: an ingest answer (1–2 kB, one per
 * CI upload) spent about 7% of its request's CPU being compressed, for no time saved on the wire. Responses that already
 * have a content coding, say `no-transform`, or are not JSON or text (a stored document's bytes, whose
 * `Repr-Digest` must stay the digest of what is sent) pass untouched. A strong ETag becomes weak once
 * compressed: the bytes differ from the identity form it names (RFC 9110 §8.8.3).
 */
export function compressResponses({ threshold = 4096 }: { threshold?: number } = {}): MiddlewareHandler {
  return async (c, next) => {
    await next()
    const response = c.res
    const type = response.headers.get('content-type') ?? ''
    if (!COMPRESSIBLE.test(type) || c.req.method === 'HEAD') return
    const declared = Number(response.headers.get('content-length') ?? Number.NaN)
    // A declared length under the threshold is answered as it is, without asking for its body: under Node, reading
    // `body` turns the server's lightweight response into a web Response, which cost an ingest request about 5% of
    // its CPU. A declared non-zero length means there is a body, so the answer still varies on Accept-Encoding.
    if (Number.isFinite(declared) && declared > 0 && declared < threshold) {
      varyOnAcceptEncoding(response.headers)
      return
    }
    if (response.body === null) return
    // The answer depends on Accept-Encoding whenever it could have been compressed, so caches must key on it.
    varyOnAcceptEncoding(response.headers)
    if (response.headers.has('content-encoding') || /(^|,)\s*no-transform\s*(,|$)/i.test(response.headers.get('cache-control') ?? '')) return
    const coding = chooseEncoding(c.req.header('accept-encoding'), ['br', 'gzip'])
    if (coding === 'identity') return
    if (Number.isFinite(declared) && declared < threshold) return

    const body = Buffer.from(await response.arrayBuffer())
    const headers = new Headers(response.headers)
    const replace = (bytes: Buffer) => {
      headers.set('content-length', String(bytes.byteLength))
      // Clear first: assigning over a response merges the old one's headers (its ETag, its length) back in.
      c.res = undefined
      c.res = new Response(new Uint8Array(bytes), { status: response.status, statusText: response.statusText, headers })
    }
    if (body.byteLength < threshold) return replace(body)
    const encoded =
      coding === 'br'
        ? // Quality 4: per request, close to gzip's speed and smaller; the static assets are pre-built at 11.
          await brotli(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength } })
        : await gzipAsync(body, { level: 6 })
    headers.set('content-encoding', coding)
    const etag = headers.get('etag')
    if (etag !== null && !etag.startsWith('W/')) headers.set('etag', `W/${etag}`)
    replace(encoded)
  }
}
