import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { firstRoutePages, preloadsFor, readBuildManifest, withPreloads, type BuildManifest } from './first-route-preload'

// The shape Vite writes (dist/.vite/manifest.json), cut down to what matters: an entry importing the runtime and a
// shared chunk, lazy layout and overview chunks that import the shared chunk too, and a page chunk of its own.
const manifest: BuildManifest = {
  'index.html': { file: 'assets/index-a1.js', isEntry: true, imports: ['_runtime-b2.js', '_shared-c3.js'], css: ['assets/index-d4.css'] },
  '_runtime-b2.js': { file: 'assets/runtime-b2.js' },
  '_shared-c3.js': { file: 'assets/shared-c3.js', imports: ['_runtime-b2.js'] },
  '_log-queries-e5.js': { file: 'assets/log-queries-e5.js', imports: ['_shared-c3.js'] },
  'src/app/layout/app-layout.tsx': { file: 'assets/app-layout-f6.js', imports: ['_shared-c3.js', 'index.html', '_log-queries-e5.js'] },
  'src/app/route-error.tsx': { file: 'assets/route-error-g7.js', imports: ['_shared-c3.js'] },
  'src/features/overview/components/overview-page.tsx': {
    file: 'assets/overview-page-h8.js',
    imports: ['_shared-c3.js', 'index.html'],
    css: ['assets/overview-page-i9.css'],
  },
  'src/features/overview/overview-loader.ts': { file: 'assets/overview-loader-k1.js', imports: ['_shared-c3.js'] },
  'src/features/builds/components/builds-page.tsx': { file: 'assets/builds-page-j0.js', imports: ['_shared-c3.js'] },
}
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
  it('names the overview, the layout, the error boundary and what they import beyond the entry, with the page CSS', () => {
    const preloads = preloadsFor(manifest, ['src/app/layout/app-layout.tsx', 'src/app/route-error.tsx', 'src/features/overview/components/overview-page.tsx'])
    expect(preloads.modules.sort()).toEqual(['/assets/app-layout-f6.js', '/assets/log-queries-e5.js', '/assets/overview-page-h8.js', '/assets/route-error-g7.js'])
    expect(preloads.styles).toEqual(['/assets/overview-page-i9.css'])
  })

  it('leaves out modules the build does not have as chunks of their own', () => {
    expect(preloadsFor(manifest, ['src/features/overview/components/gone.tsx'])).toEqual({ modules: [], styles: [] })
  })
})

describe('withPreloads', () => {
  it('writes one link per line before the head closes, modules in CORS mode as the entry is fetched', () => {
    const out = withPreloads(html, { modules: ['/assets/a.js'], styles: ['/assets/b.css'] })
    expect(out).toContain(
      '<script type="module" crossorigin src="/assets/index-a1.js"></script>\n    <link rel="modulepreload" crossorigin href="/assets/a.js">\n    <link rel="preload" as="style" crossorigin href="/assets/b.css">\n  </head>',
    )
  })

  it('returns the page unchanged with nothing to name or no head', () => {
    expect(withPreloads(html, { modules: [], styles: [] })).toBe(html)
    expect(withPreloads('<p>no head</p>', { modules: ['/assets/a.js'], styles: [] })).toBe('<p>no head</p>')
  })
})

describe('firstRoutePages', () => {
  it('answers / with the overview and its loader preloaded and every other address with the shell only', () => {
    const pages = firstRoutePages(buildDir(JSON.stringify(manifest)), html)
    expect(pages.get('/')).toContain('href="/assets/overview-page-h8.js"')
    expect(pages.get('/')).toContain('href="/assets/overview-loader-k1.js"')
    expect(pages.get('/')).toContain('href="/assets/app-layout-f6.js"')
    expect(pages.get('*')).toContain('href="/assets/app-layout-f6.js"')
    expect(pages.get('*')).not.toContain('overview-')
    expect(pages.get('*')).not.toContain('builds-page')
  })

  it('has nothing to add without a manifest, or with one it cannot read', () => {
    expect(firstRoutePages(buildDir(null), html).size).toBe(0)
    expect(readBuildManifest(buildDir('{"index.html": {"isEntry": true}}'))).toBeNull()
    expect(readBuildManifest(buildDir('not json'))).toBeNull()
  })
})
