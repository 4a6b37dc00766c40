import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { FIRST_ROUTES, firstRouteOf, firstRoutePages, preloadsFor, readBuildManifest, withPreloads, type BuildManifest } from './first-route-preload'

// The shape Vite writes (dist/.vite/manifest.json), cut down to what matters: an entry importing the runtime and a
// shared chunk; the overview's loader importing a chunk of its own (its queries) that imports another (the figures);
// the overview page importing the shared chunk, the entry and the queries, with its CSS; another screen's page.
const manifest: BuildManifest = {
  'index.html': { file: 'assets/index-a1.js', isEntry: true, imports: ['_runtime-b2.js', '_shared-c3.js'], css: ['assets/index-d4.css'] },
  '_runtime-b2.js': { file: 'assets/runtime-b2.js' },
  '_shared-c3.js': { file: 'assets/shared-c3.js', imports: ['_runtime-b2.js'] },
  '_overview-queries-e5.js': { file: 'assets/overview-queries-e5.js', imports: ['_shared-c3.js', '_overview-figures-f6.js'] },
  '_overview-figures-f6.js': { file: 'assets/overview-figures-f6.js', imports: ['_runtime-b2.js'] },
  'src/features/overview/components/overview-page.tsx': {
    file: 'assets/overview-page-h8.js',
    imports: ['_shared-c3.js', 'index.html', '_overview-queries-e5.js'],
    css: ['assets/overview-page-i9.css'],
  },
  'src/features/overview/overview-loader.ts': { file: 'assets/overview-loader-k1.js', imports: ['_overview-queries-e5.js'] },
  'src/features/builds/components/builds-page.tsx': { file: 'assets/builds-page-j0.js', imports: ['_shared-c3.js', '_overview-figures-f6.js'] },
}
const overviewModules = ['src/features/overview/overview-loader.ts', 'src/features/overview/components/overview-page.tsx']
const html = '<!doctype html>\n<html>\n  <head>\n    <script type="module" crossorigin src="/assets/index-a1.js"></script>\n  </head>\n  <body></body>\n</html>\n'

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})
function buildDir(manifestText: string | null): string {
  const dir = mkdtempSync(join(tmpdir(), 'provenance-preload-'))
  dirs.push(dir)
  if (manifestText !== null) {
    mkdirSync(join(dir, '.vite'))
    writeFileSync(join(dir, '.vite', 'manifest.json'), manifestText)
  }
  return dir
}

describe('preloadsFor', () => {
  it('names the loader, the page and every chunk they import statically, however deep, beyond the entry, with the page CSS', () => {
    const preloads = preloadsFor(manifest, overviewModules)
    expect(preloads.modules.sort()).toEqual(['/assets/overview-figures-f6.js', '/assets/overview-loader-k1.js', '/assets/overview-page-h8.js', '/assets/overview-queries-e5.js'])
    expect(preloads.styles).toEqual(['/assets/overview-page-i9.css'])
    expect(preloads.fetches).toEqual([])
  })

  it('leaves out modules the build does not have as chunks of their own', () => {
    expect(preloadsFor(manifest, ['src/features/overview/components/gone.tsx', 'src/app/layout/app-layout.tsx'])).toEqual({ modules: [], styles: [], fetches: [] })
  })
})

describe('withPreloads', () => {
  it('writes one link per line before the head closes, modules and data in CORS mode as the entry and fetch() ask', () => {
    const out = withPreloads(html, { modules: ['/assets/a.js'], styles: ['/assets/b.css'], fetches: ['/api/v1/overview?day=2026-11-27'] })
    expect(out).toContain(
      [
        '<script type="module" crossorigin src="/assets/index-a1.js"></script>',
        '    <link rel="modulepreload" crossorigin href="/assets/a.js">',
        '    <link rel="preload" as="style" crossorigin href="/assets/b.css">',
        '    <link rel="preload" as="fetch" crossorigin href="/api/v1/overview?day=2026-11-27">',
        '  </head>',
      ].join('\n'),
    )
  })

  it('escapes what an attribute cannot hold as it is', () => {
    expect(withPreloads(html, { modules: [], styles: [], fetches: ['/api/v1/x?a=1&b="2"'] })).toContain('href="/api/v1/x?a=1&amp;b=&quot;2&quot;"')
  })

  it('writes the links just before the head closes when the head is on one line', () => {
    expect(withPreloads('<!doctype html><html><head><title>t</title></head><body></body></html>', { modules: ['/assets/a.js'], styles: [], fetches: [] })).toBe(
      '<!doctype html><html><head><title>t</title><link rel="modulepreload" crossorigin href="/assets/a.js"></head><body></body></html>',
    )
  })

  it('returns the page unchanged with nothing to name or no head', () => {
    expect(withPreloads(html, { modules: [], styles: [], fetches: [] })).toBe(html)
    expect(withPreloads('<p>no head</p>', { modules: ['/assets/a.js'], styles: [], fetches: [] })).toBe('<p>no head</p>')
  })
})

describe('firstRoutePages', () => {
  it('answers / with the overview, its loader and their imports preloaded, and the day’s figures at the address the SPA requests', () => {
    const pages = firstRoutePages(buildDir(JSON.stringify(manifest)), html, { data: true })
    expect([...pages.keys()]).toEqual(['/', '/builds'])
    const home = pages.get('/')
    expect(home?.html).toContain('href="/assets/overview-page-h8.js"')
    expect(home?.html).toContain('href="/assets/overview-queries-e5.js"')
    expect(home?.html).not.toContain('as="fetch"')
    const today = home?.variant?.({ day: '2026-11-27', query: new URLSearchParams() }).html ?? ''
    expect(today).toContain('<link rel="modulepreload" crossorigin href="/assets/overview-loader-k1.js">')
    expect(today).toContain('<link rel="preload" as="fetch" crossorigin href="/api/v1/overview?day=2026-11-27">')
    expect(today).not.toContain('builds-page')
    // `/?day=` names that day's figures; a day that is no day, or after today, names today's, as the page reads it.
    const on = (query: string) => home?.variant?.({ day: '2026-12-04', query: new URLSearchParams(query) }).html ?? ''
    expect(on('day=2026-11-20')).toContain('href="/api/v1/overview?day=2026-11-20"')
    for (const query of ['day=2026-00-10', 'day=2026-13-01', 'day=2026-12-05', 'day=yesterday']) expect(on(query)).toContain('href="/api/v1/overview?day=2026-12-04"')
  })

  it("answers another screen's address with its own chunks and none of the overview's, and no data", () => {
    const builds = firstRoutePages(buildDir(JSON.stringify(manifest)), html, { data: true }).get('/builds')
    expect(builds?.variant).toBeNull()
    expect(builds?.html).toContain('<link rel="modulepreload" crossorigin href="/assets/builds-page-j0.js">')
    expect(builds?.html).toContain('<link rel="modulepreload" crossorigin href="/assets/overview-figures-f6.js">')
    expect(builds?.html).not.toContain('overview-page')
    expect(builds?.html).not.toContain('as="fetch"')
  })

  it('names no data when reads need a token', () => {
    const home = firstRoutePages(buildDir(JSON.stringify(manifest)), html, { data: false }).get('/')
    expect(home?.variant).toBeNull()
    expect(home?.html).toContain('href="/assets/overview-loader-k1.js"')
    expect(home?.html).not.toContain('as="fetch"')
  })

  it('has nothing to add without a manifest, with one it cannot read, or for a build without the overview', () => {
    expect(firstRoutePages(buildDir(null), html, { data: true }).size).toBe(0)
    expect(firstRoutePages(buildDir('{}'), html, { data: true }).size).toBe(0)
    expect(readBuildManifest(buildDir('{"index.html": {"isEntry": true}}'))).toBeNull()
    expect(readBuildManifest(buildDir('not json'))).toBeNull()
  })
})

describe('a search page', () => {
  const searchManifest: BuildManifest = {
    'index.html': { file: 'assets/index-a1.js', isEntry: true },
    'src/features/search/search-loader.ts': { file: 'assets/search-loader-s1.js' },
    'src/features/search/components/search-page.tsx': { file: 'assets/search-page-s2.js', imports: ['index.html'] },
    'src/features/builds/build-loader.ts': { file: 'assets/build-loader-b1.js', imports: ['_builds-queries-b3.js'] },
    'src/features/builds/components/build-page.tsx': { file: 'assets/build-page-b2.js', imports: ['index.html', '_builds-queries-b3.js'] },
    '_builds-queries-b3.js': { file: 'assets/builds-queries-b3.js' },
    'src/features/artifacts/artifact-loader.ts': { file: 'assets/artifact-loader-a2.js' },
    'src/features/artifacts/components/artifact-page.tsx': { file: 'assets/artifact-page-a3.js', imports: ['index.html'] },
  }
  const pageFor = (query: string, data = true) =>
    firstRoutePages(buildDir(JSON.stringify(searchManifest)), html, { data })
      .get('/search')
      ?.variant?.({ day: '2026-11-27', query: new URLSearchParams(query) })

  it("names the search the loader runs, at the SPA's address for it, and a commit's build page, whose code a single match opens", () => {
    const page = pageFor('q=%20f1e6653%20')
    expect(page?.html).toContain('<link rel="preload" as="fetch" crossorigin href="/api/v1/search?q=f1e6653">')
    expect(page?.html).toContain('<link rel="modulepreload" crossorigin href="/assets/search-loader-s1.js">')
    for (const chunk of ['build-loader-b1', 'build-page-b2', 'builds-queries-b3']) expect(page?.html).toContain(`href="/assets/${chunk}.js"`)
    expect(page?.html).not.toContain('artifact-')
    // The same for a build id's first characters and a whole build id.
    expect(pageFor(`q=${'c7fb00d7a789'}`)?.html).toContain('build-page-b2')
    expect(pageFor(`q=${'ab'.repeat(32)}`)?.html).toContain('build-page-b2')
  })

  it("names an artifact page's code for a digest with its algorithm, and no other screen's for text", () => {
    const digest = pageFor(`q=sha256:${'ab'.repeat(32)}`)
    expect(digest?.html).toContain('href="/assets/artifact-page-a3.js"')
    expect(digest?.html).toContain(`href="/api/v1/search?q=sha256%3A${'ab'.repeat(32)}"`)
    expect(digest?.html).not.toContain('build-page')
    const text = pageFor('q=acme+api')
    expect(text?.html).toContain('href="/api/v1/search?q=acme+api"')
    expect(text?.html).not.toContain('build-page')
    expect(text?.html).not.toContain('artifact-page')
    // A key per page that differs: the data's address and the screen named.
    expect(new Set([digest?.key, text?.key, pageFor('q=f1e6653')?.key]).size).toBe(3)
  })

  it('names no search without text, and no data but still the code when reads need a token', () => {
    expect(pageFor('')?.html).not.toContain('as="fetch"')
    expect(pageFor('q=++')?.html).not.toContain('as="fetch"')
    const withToken = pageFor('q=f1e6653', false)
    expect(withToken?.html).not.toContain('as="fetch"')
    expect(withToken?.html).toContain('build-page-b2')
  })
})

describe('firstRouteOf', () => {
  const patterns = ['/', '/builds', '/builds/:id', '/builds/compare', '/alerts/:id']
  it('picks the pattern that is the address itself before one with a parameter', () => {
    expect(firstRouteOf(patterns, '/builds/compare')).toBe('/builds/compare')
    expect(firstRouteOf(patterns, '/builds')).toBe('/builds')
    expect(firstRouteOf(patterns, '/')).toBe('/')
  })
  it('matches a parameter to exactly one non-empty segment', () => {
    expect(firstRouteOf(patterns, `/builds/${'a'.repeat(64)}`)).toBe('/builds/:id')
    expect(firstRouteOf(patterns, '/alerts/17')).toBe('/alerts/:id')
    expect(firstRouteOf(patterns, '/builds/')).toBeNull()
    expect(firstRouteOf(patterns, '/builds/abc/def')).toBeNull()
    expect(firstRouteOf(patterns, '/nowhere')).toBeNull()
  })
})

describe('FIRST_ROUTES', () => {
  // The SPA's routes as src/app/routes.tsx declares them: each `path:` with the modules its page and loader import.
  const source = readFileSync(new URL('../../src/app/routes.tsx', import.meta.url), 'utf8')
  const routes = source
    .split(/\n\s*\{\n/)
    .map((block) => ({ path: /path: '([^']+)'/.exec(block)?.[1], imports: [...block.matchAll(/import\('\.\.\/([^']+)'\)/g)].map((match) => match[1] ?? '') }))
    .filter((route): route is { path: string; imports: string[] } => route.path !== undefined && route.path !== '*')
  const file = (module: string) => ['.tsx', '.ts'].map((extension) => `src/${module}${extension}`).find((path) => existsSync(new URL(`../../${path}`, import.meta.url)))

  it('names every screen of src/app/routes.tsx with the modules that route imports, and nothing else', () => {
    expect(routes.length).toBeGreaterThanOrEqual(15)
    expect(Object.keys(FIRST_ROUTES).sort()).toEqual(routes.map((route) => route.path).sort())
    for (const route of routes) {
      expect({ path: route.path, modules: [...(FIRST_ROUTES[route.path]?.modules ?? [])].sort() }).toEqual({ path: route.path, modules: route.imports.map(file).sort() })
    }
  })
})
