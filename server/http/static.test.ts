import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compressDir } from '../../scripts/vite-compress'
import { createApp } from '../app'
import { buildConfig } from '../config'
import type { Store } from '../store/types'
import { tempStore } from '../testing/documents'

// A built SPA in miniature, compressed by the same code the build runs (scripts/vite-compress.ts).
const dist = mkdtempSync(join(tmpdir(), 'provenance-static-'))
const script = Array.from({ length: 600 }, (_, index) => `export const row${index} = { id: ${index}, label: "build ${index * 7919}" };`).join('\n')
const html = `<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body>${'<!-- padding -->'.repeat(80)}<div id="root"></div></body></html>`
const tiny = 'export const x = 1\n'

let store: Store
let dispose: () => Promise<void>
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  mkdirSync(join(dist, 'assets'))
  mkdirSync(join(dist, '.vite'))
  writeFileSync(join(dist, 'index.html'), html)
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), script)
  writeFileSync(join(dist, 'assets', 'tiny-def456.js'), tiny)
  writeFileSync(join(dist, 'assets', 'logo-789.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]))
  writeFileSync(join(dist, '.vite', 'manifest.json'), '{}')
  await compressDir(dist)
  ;({ store, dispose } = await tempStore())
  app = createApp({ store, config: buildConfig({}, 'test config'), version: '0.0.0-test', demo: false, staticDir: dist })
  // compressDir's first call instantiates Zopfli's WebAssembly (about 1.5 s of CPU; 13 s measured on a loaded 2-core machine).
}, 60_000)
afterAll(async () => {
  await dispose()
  rmSync(dist, { recursive: true, force: true })
})

const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers })
const bytesOf = async (response: Response) => Buffer.from(await response.arrayBuffer())

describe('the build writes compressed copies', () => {
  it('writes .br and .gz beside text files that shrink, none beside a tiny file, images or build metadata', () => {
    expect(readdirSync(join(dist, 'assets')).sort()).toEqual([
      'index-abc123.js',
      'index-abc123.js.br',
      'index-abc123.js.gz',
      'logo-789.png',
      'tiny-def456.js',
    ])
    expect(readdirSync(dist).filter((name) => name.startsWith('index.html'))).toEqual(['index.html', 'index.html.br', 'index.html.gz'])
    expect(readdirSync(join(dist, '.vite'))).toEqual(['manifest.json'])
  })
})

describe('static assets', () => {
  it('sends Brotli when asked for it, decompressing to the file, cached for good', async () => {
    const response = await get('/assets/index-abc123.js', { 'accept-encoding': 'gzip, deflate, br, zstd' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-encoding')).toBe('br')
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(response.headers.get('vary')).toBe('Accept-Encoding')
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    const body = await bytesOf(response)
    expect(Number(response.headers.get('content-length'))).toBe(body.byteLength)
    expect(body.byteLength).toBeLessThan(Buffer.byteLength(script) / 4)
    expect(brotliDecompressSync(body).toString()).toBe(script)
  })

  it('sends gzip to a client that takes gzip only, or prefers it by q-value', async () => {
    for (const accept of ['gzip', 'br;q=0.5, gzip', 'gzip, br;q=0']) {
      const response = await get('/assets/index-abc123.js', { 'accept-encoding': accept })
      expect(response.headers.get('content-encoding'), accept).toBe('gzip')
      expect(gunzipSync(await bytesOf(response)).toString()).toBe(script)
    }
  })

  it('sends the file as it is to a client that accepts no coding, still varying on Accept-Encoding', async () => {
    for (const headers of [{} as Record<string, string>, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'br;q=0, gzip;q=0' }]) {
      const response = await get('/assets/index-abc123.js', headers)
      expect(response.headers.get('content-encoding')).toBeNull()
      expect(response.headers.get('vary')).toBe('Accept-Encoding')
      expect((await bytesOf(response)).toString()).toBe(script)
    }
  })

  it('sends a file without compressed copies as it is, with its type', async () => {
    const tinyResponse = await get('/assets/tiny-def456.js', { 'accept-encoding': 'br, gzip' })
    expect(tinyResponse.headers.get('content-encoding')).toBeNull()
    expect(tinyResponse.headers.get('vary')).toBeNull()
    expect(await tinyResponse.text()).toBe(tiny)
    const image = await get('/assets/logo-789.png', { 'accept-encoding': 'br, gzip' })
    expect(image.headers.get('content-type')).toBe('image/png')
    expect(image.headers.get('content-encoding')).toBeNull()
  })

  it('gives each coding its own ETag and answers a matching If-None-Match with 304', async () => {
    const br = await get('/assets/index-abc123.js', { 'accept-encoding': 'br' })
    const gz = await get('/assets/index-abc123.js', { 'accept-encoding': 'gzip' })
    const etag = br.headers.get('etag')
    expect(etag).toMatch(/^"[\w-]+"$/)
    expect(gz.headers.get('etag')).not.toBe(etag)
    const again = await get('/assets/index-abc123.js', { 'accept-encoding': 'br', 'if-none-match': etag ?? '' })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
  })

  it('answers a missing asset with 404, not the page, and never serves build metadata', async () => {
    const missing = await get('/assets/index-old999.js', { 'accept-encoding': 'br' })
    expect(missing.status).toBe(404)
    expect(missing.headers.get('content-type')).toMatch(/json/)
    // Not indexed, so the path is a route of the SPA like any other.
    const manifest = await get('/.vite/manifest.json')
    expect(manifest.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await manifest.text()).toBe(html)
  })

  it('answers HEAD with the headers and no body', async () => {
    const response = await app.request('/assets/index-abc123.js', { method: 'HEAD', headers: { 'accept-encoding': 'br' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-encoding')).toBe('br')
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(0)
    expect(await response.text()).toBe('')
  })
})

describe('index.html and the history fallback', () => {
  it('answers every route of the SPA with index.html, compressed, revalidated by ETag, under the CSP', async () => {
    for (const path of ['/', '/index.html', '/builds', '/builds/abc?status=failed', '/artifacts/sha256:ab.cd']) {
      const response = await get(path, { 'accept-encoding': 'br, gzip' })
      expect(response.status, path).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(response.headers.get('cache-control')).toBe('no-cache')
      expect(response.headers.get('content-encoding')).toBe('br')
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'")
      expect(response.headers.get('etag')).toMatch(/^"[\w-]+"$/)
      expect(brotliDecompressSync(await bytesOf(response)).toString()).toBe(html)
    }
  })

  it('revalidates: the same ETag gets 304, an older one the page', async () => {
    const etag = (await get('/builds', { 'accept-encoding': 'gzip' })).headers.get('etag') ?? ''
    expect((await get('/signatures', { 'accept-encoding': 'gzip', 'if-none-match': etag })).status).toBe(304)
    const stale = await get('/signatures', { 'accept-encoding': 'gzip', 'if-none-match': '"an-older-build"' })
    expect(stale.status).toBe(200)
    expect(gunzipSync(await bytesOf(stale)).toString()).toBe(html)
  })

  it('leaves the API its own 404', async () => {
    const response = await get('/api/v1/nothing-here')
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ error: { code: 'not-found' } })
  })

  it('hashes each coding of index.html to its own ETag', async () => {
    const identity = await get('/')
    expect(identity.headers.get('etag')).toBe(`"${createHash('sha256').update(html).digest('base64url').slice(0, 27)}"`)
  })
})

describe('a rebuild under a running server', () => {
  it('serves the new files, with their own length and ETag, instead of the ones indexed at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenance-static-rebuild-'))
    try {
      writeFileSync(join(dir, 'index.html'), html)
      await compressDir(dir)
      const running = createApp({ store, config: buildConfig({}, 'test config'), version: '0.0.0-test', demo: false, staticDir: dir })
      const before = await running.request('/builds', { headers: { 'accept-encoding': 'br' } })
      expect(brotliDecompressSync(await bytesOf(before)).toString()).toBe(html)

      const rebuilt = html.replace('index-abc123.js', 'index-new456.js').repeat(2)
      rmSync(join(dir, 'index.html.br'))
      await new Promise((resolve) => setTimeout(resolve, 20)) // a later mtime, even on coarse clocks
      writeFileSync(join(dir, 'index.html'), rebuilt)
      await compressDir(dir)
      const after = await running.request('/builds', { headers: { 'accept-encoding': 'br' } })
      const body = await bytesOf(after)
      expect(Number(after.headers.get('content-length'))).toBe(body.byteLength)
      expect(brotliDecompressSync(body).toString()).toBe(rebuilt)
      expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('first-route preloads', () => {
  const manifest = {
    'index.html': { file: 'assets/index-abc123.js', isEntry: true },
    'src/features/overview/overview-loader.ts': { file: 'assets/overview-loader-lo1.js', imports: ['_overview-queries-q1.js'] },
    '_overview-queries-q1.js': { file: 'assets/overview-queries-q1.js' },
    'src/features/overview/components/overview-page.tsx': { file: 'assets/overview-page-ov1.js', imports: ['index.html', '_overview-queries-q1.js'] },
    'src/features/builds/components/build-page.tsx': { file: 'assets/build-page-bp1.js', imports: ['index.html'] },
    'src/features/builds/build-loader.ts': { file: 'assets/build-loader-bl1.js' },
    'src/features/compare/components/compare-page.tsx': { file: 'assets/compare-page-cp1.js', imports: ['index.html'] },
    'src/features/search/search-loader.ts': { file: 'assets/search-loader-sl1.js' },
    'src/features/search/components/search-page.tsx': { file: 'assets/search-page-sp1.js', imports: ['index.html'] },
  }
  const DAY_MS = 86_400_000
  const noon = Date.UTC(2026, 10, 27, 12)

  async function withBuild(check: (dir: string) => Promise<void>) {
    const dir = mkdtempSync(join(tmpdir(), 'provenance-static-preload-'))
    try {
      mkdirSync(join(dir, '.vite'))
      writeFileSync(join(dir, 'index.html'), html)
      writeFileSync(join(dir, '.vite', 'manifest.json'), JSON.stringify(manifest))
      await compressDir(dir)
      await check(dir)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  it("names the overview's chunks and today's figures in the / page only, each page compressed with its own ETag", async () => {
    await withBuild(async (dir) => {
      let now = noon
      const running = createApp({ store, config: buildConfig({}, 'test config'), version: '0.0.0-test', demo: false, staticDir: dir, now: () => now })
      const home = await running.request('/', { headers: { 'accept-encoding': 'br' } })
      const homeHtml = brotliDecompressSync(await bytesOf(home)).toString()
      expect(homeHtml).toContain('<link rel="modulepreload" crossorigin href="/assets/overview-page-ov1.js">')
      expect(homeHtml).toContain('<link rel="modulepreload" crossorigin href="/assets/overview-queries-q1.js">')
      expect(homeHtml).toContain('<link rel="preload" as="fetch" crossorigin href="/api/v1/overview?day=2026-11-27">')
      // The hint's address answers as the SPA's request would.
      expect((await running.request('/api/v1/overview?day=2026-11-27')).status).toBe(200)

      const builds = await running.request('/builds', { headers: { 'accept-encoding': 'gzip' } })
      expect(builds.headers.get('content-encoding')).toBe('gzip')
      expect(gunzipSync(await bytesOf(builds)).toString()).toBe(html)

      const plain = await running.request('/')
      expect(Number(plain.headers.get('content-length'))).toBe(Buffer.byteLength(homeHtml))
      expect(plain.headers.get('etag')).toBe(`"${createHash('sha256').update(homeHtml).digest('base64url').slice(0, 27)}"`)
      expect(plain.headers.get('etag')).not.toBe((await running.request('/builds')).headers.get('etag'))

      // The next day by the server's clock: the next day's figures, under another ETag.
      now += DAY_MS
      const tomorrow = await running.request('/')
      expect((await tomorrow.text())).toContain('href="/api/v1/overview?day=2026-11-28"')
      expect(tomorrow.headers.get('etag')).not.toBe(plain.headers.get('etag'))
    })
  })

  it("answers a screen's address with a parameter with that screen's chunks, as the SPA's router would pick it", async () => {
    await withBuild(async (dir) => {
      const running = createApp({ store, config: buildConfig({}, 'test config'), version: '0.0.0-test', demo: false, staticDir: dir, now: () => noon })
      const build = await (await running.request(`/builds/${'ab'.repeat(32)}`)).text()
      expect(build).toContain('<link rel="modulepreload" crossorigin href="/assets/build-page-bp1.js">')
      expect(build).toContain('<link rel="modulepreload" crossorigin href="/assets/build-loader-bl1.js">')
      expect(build).not.toContain('compare-page')
      const compare = await (await running.request('/builds/compare?a=1&b=2')).text()
      expect(compare).toContain('href="/assets/compare-page-cp1.js"')
      expect(compare).not.toContain('build-page')
      // No screen draws these as its own: index.html as built.
      expect(await (await running.request('/builds/x/y')).text()).toBe(html)
      expect(await (await running.request('/nowhere')).text()).toBe(html)
    })
  })

  it("names a search's results and the page a commit's search opens, per query, each page with its own ETag", async () => {
    await withBuild(async (dir) => {
      const running = createApp({ store, config: buildConfig({}, 'test config'), version: '0.0.0-test', demo: false, staticDir: dir, now: () => noon })
      const commit = await running.request('/search?q=f1e6653', { headers: { 'accept-encoding': 'br' } })
      expect(commit.headers.get('content-encoding')).toBe('br')
      const commitHtml = brotliDecompressSync(await bytesOf(commit)).toString()
      expect(commitHtml).toContain('<link rel="preload" as="fetch" crossorigin href="/api/v1/search?q=f1e6653">')
      expect(commitHtml).toContain('<link rel="modulepreload" crossorigin href="/assets/search-page-sp1.js">')
      expect(commitHtml).toContain('<link rel="modulepreload" crossorigin href="/assets/build-page-bp1.js">')
      // The hint's address answers as the SPA's request would.
      expect((await running.request('/api/v1/search?q=f1e6653')).status).toBe(200)

      const text = await running.request('/search?q=acme')
      const textHtml = await text.text()
      expect(textHtml).toContain('href="/api/v1/search?q=acme"')
      expect(textHtml).not.toContain('build-page')
      expect(text.headers.get('etag')).not.toBe((await running.request('/search?q=f1e6653')).headers.get('etag'))
      // Asked again, the same page under the same ETag: revalidation works per query.
      const again = await running.request('/search?q=acme', { headers: { 'if-none-match': text.headers.get('etag') ?? '' } })
      expect(again.status).toBe(304)
    })
  })

  it('names no data when reads need a token: the preload would go without one', async () => {
    await withBuild(async (dir) => {
      const config = buildConfig({ auth: { readRequiresToken: true } }, 'test config')
      const running = createApp({ store, config, version: '0.0.0-test', demo: false, staticDir: dir, now: () => noon })
      const homeHtml = await (await running.request('/')).text()
      expect(homeHtml).toContain('href="/assets/overview-loader-lo1.js"')
      expect(homeHtml).not.toContain('as="fetch"')
      expect(homeHtml).not.toContain('/api/v1/overview')
      const search = await (await running.request('/search?q=f1e6653')).text()
      expect(search).not.toContain('as="fetch"')
      expect(search).toContain('href="/assets/build-page-bp1.js"')
    })
  })
})
