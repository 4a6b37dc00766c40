import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { extname, join, relative, sep } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import type { MiddlewareHandler } from 'hono'
import { chooseEncoding, type ContentCoding } from './compression'
import { firstRouteOf, firstRoutePages } from './first-route-preload'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.wasm': 'application/wasm',
}

/** Hashed build output: its name changes whenever its bytes do, so a browser may keep it for a year unasked. */
const IMMUTABLE = 'public, max-age=31536000, immutable'
/** Everything else (index.html above all) is revalidated on every use: a deploy is seen at the next load. */
const REVALIDATE = 'no-cache'

/** A file's bytes on disk, or (`bytes`) made from `file` at start: index.html with its preload hints. */
type Variant = { file: string; size: number; mtimeMs: number; etag: string; bytes?: Uint8Array<ArrayBuffer> }
type StaticFile = { type: string; cacheControl: string; identity: Variant; encoded: Partial<Record<ContentCoding, Variant>> }

const strongEtag = (bytes: Uint8Array) => `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`

/**
 * Every file of the built SPA, indexed once at start: URL path → the file, its type, and its pre-compressed
 * copies (`.br`, `.gz`, written by the build; see scripts/vite-compress.ts). Only indexed paths are ever read,
 * so no request path reaches the file system. Folders and files starting with a dot (`.vite/manifest.json`) are
 * build metadata and not served.
 */
export function indexStaticFiles(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>()
  const all = readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !relative(dir, file).split(sep).some((segment) => segment.startsWith('.')))
  const present = new Set(all)
  const variant = (file: string): Variant => {
    const bytes = readFileSync(file)
    const { mtimeMs } = statSync(file)
    // A strong validator of the bytes sent: each coding of a file is its own representation (RFC 9110 §8.8.3).
    return { file, size: bytes.byteLength, mtimeMs, etag: strongEtag(bytes) }
  }
  for (const file of all) {
    if (/\.(br|gz)$/.test(file) && present.has(file.slice(0, -3))) continue
    const path = `/${relative(dir, file).split(sep).join('/')}`
    const encoded: StaticFile['encoded'] = {}
    if (present.has(`${file}.br`)) encoded.br = variant(`${file}.br`)
    if (present.has(`${file}.gz`)) encoded.gzip = variant(`${file}.gz`)
    files.set(path, {
      type: CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      cacheControl: path.startsWith('/assets/') ? IMMUTABLE : REVALIDATE,
      identity: variant(file),
      encoded,
    })
  }
  return files
}

/** How many pages that differ by request (day, search) each address keeps compressed, the least recently used going first. */
const KEPT_VARIANTS = 32

/** Where a page is asked for: the UTC day by the server's clock, and the address's query. */
type PageRequest = { day: string; query: URLSearchParams }

/**
 * index.html as each screen's addresses are answered with it, by route pattern (FIRST_ROUTES): with hints for the
 * code and data that screen draws first (server/http/first-route-preload.ts). Every other address gets index.html
 * as built.
 * Compressed here, since the hints differ by path (the build's own `.br` and `.gz` of index.html do not fit): a page
 * that names nothing about the request once at start; one that does (the overview's names the day's figures, a
 * search's its results) when first asked for, keeping the last few.
 */
function indexPages(dir: string, index: StaticFile, data: boolean): Map<string, (at: PageRequest) => StaticFile> {
  const pages = new Map<string, (at: PageRequest) => StaticFile>()
  const { file, mtimeMs } = index.identity
  const encode = (html: string): StaticFile => {
    const make = (bytes: Uint8Array): Variant => ({ file, mtimeMs, size: bytes.byteLength, etag: strongEtag(bytes), bytes: new Uint8Array(bytes) })
    const identity = Buffer.from(html)
    return {
      ...index,
      identity: make(identity),
      encoded: {
        br: make(brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } })),
        gzip: make(gzipSync(identity, { level: 9 })),
      },
    }
  }
  for (const [path, page] of firstRoutePages(dir, readFileSync(file, 'utf8'), { data })) {
    const variant = page.variant
    if (variant === null) {
      const fixed = encode(page.html)
      pages.set(path, () => fixed)
      continue
    }
    const kept = new Map<string, StaticFile>()
    pages.set(path, (at) => {
      const { key, html } = variant(at)
      const found = kept.get(key) ?? encode(html)
      // Most recently used last, so the first key is the one to let go.
      kept.delete(key)
      kept.set(key, found)
      if (kept.size > KEPT_VARIANTS) kept.delete(kept.keys().next().value ?? key)
      return found
    })
  }
  return pages
}

/** The coding to send of a file, and its bytes on disk. */
function choose(file: StaticFile | undefined, acceptEncoding: string | undefined) {
  if (file === undefined) return undefined
  const available = (['br', 'gzip'] as const).filter((coding) => file.encoded[coding] !== undefined)
  const coding = chooseEncoding(acceptEncoding, available)
  const chosen = coding === 'identity' ? file.identity : (file.encoded[coding] ?? file.identity)
  return { file, coding, chosen, available }
}

/** Whether an `If-None-Match` list names this ETag (weak comparison, as for GET; RFC 9110 §13.1.2). */
function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false
  if (ifNoneMatch.trim() === '*') return true
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '')
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === opaque(etag))
}

export type SpaOptions = {
  /** The server's clock: which day's data the first screen's page names (server/http/first-route-preload.ts). */
  now?: () => number
  /** Whether pages may name the data their screen reads as a preload; not when reads need a token. */
  dataPreloads?: boolean
}

/**
 * Serves the built SPA from `dir`: each file in the smallest coding the client accepts (Brotli, then gzip, else
 * as it is) with `Vary: Accept-Encoding`, hashed assets cached for good, and every other GET answered with
 * index.html (history fallback: the SPA's routes are its URLs), revalidated by ETag so a new build is never
 * hidden behind a cached page. A missing `/assets/` file is a 404, not the page: a script request after a deploy
 * must fail as a script, not parse HTML. Returns null when `dir` holds no index.html (API only).
 */
export function serveSpa(dir: string, { now = Date.now, dataPreloads = false }: SpaOptions = {}): MiddlewareHandler | null {
  if (!existsSync(join(dir, 'index.html')) || !statSync(dir).isDirectory()) return null
  let files = indexStaticFiles(dir)
  const index = files.get('/index.html')
  if (index === undefined) return null
  let pages = indexPages(dir, index, dataPreloads)
  const pageOf = (path: string, query: URLSearchParams) => {
    const route = firstRouteOf(pages.keys(), path)
    return route === null ? undefined : pages.get(route)?.({ day: new Date(now()).toISOString().slice(0, 10), query })
  }
  const lookup = (path: string, query: URLSearchParams) =>
    files.get(path) ?? (path.startsWith('/assets/') || path.startsWith('/api/') ? undefined : (pageOf(path, query) ?? files.get('/index.html')))

  return async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next()
    const accept = c.req.header('accept-encoding')
    const query = new URL(c.req.url).searchParams
    let found = choose(lookup(c.req.path, query), accept)
    if (found !== undefined && statSync(found.chosen.file, { throwIfNoEntry: false })?.mtimeMs !== found.chosen.mtimeMs) {
      // The folder was rebuilt under a running server (a local `vite build`): index it again rather than send
      // bytes that no longer match the length and ETag recorded for them.
      files = indexStaticFiles(dir)
      const rebuilt = files.get('/index.html')
      pages = rebuilt === undefined ? new Map<string, (at: PageRequest) => StaticFile>() : indexPages(dir, rebuilt, dataPreloads)
      found = choose(lookup(c.req.path, query), accept)
    }
    if (found === undefined) return next()
    const { file, coding, chosen, available } = found
    const headers = new Headers({ 'content-type': file.type, 'cache-control': file.cacheControl, etag: chosen.etag })
    if (available.length > 0) headers.set('vary', 'Accept-Encoding')
    if (matchesEtag(c.req.header('if-none-match'), chosen.etag)) return new Response(null, { status: 304, headers })
    if (coding !== 'identity') headers.set('content-encoding', coding)
    headers.set('content-length', String(chosen.size))
    if (c.req.method === 'HEAD') return new Response(null, { status: 200, headers })
    return new Response(chosen.bytes ?? new Uint8Array(await readFile(chosen.file)), { status: 200, headers })
  }
}
