import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { searchReadings } from '../../domain/search-query'
import { overviewDay, overviewHref } from '../../src/contract/overview'
import { normaliseQuery, searchHref } from '../../src/contract/search'

/**
 * The SPA's first paint of an address waits for what the entry only asks for once it has run: the screen's page and
 * loader are lazy chunks (src/app/routes.tsx), and the loader's request for the screen's data leaves only after the
 * entry has been downloaded, evaluated (React, the contract's schemas) and has imported the loader. Named in
 * index.html, the browser fetches all of it beside the entry instead:
 * - `<link rel="modulepreload">` for the page and loader chunks and every chunk they import statically (the
 *   manifest's `imports`, transitively), minus what the entry loads anyway; the page's CSS as a style preload;
 * - `<link rel="preload" as="fetch">` for the screen's data, at the address the SPA will request, so the answer is
 *   on hand when the loader asks for it (the browser hands a preloaded response to a `fetch` of the same URL, mode
 *   and credentials).
 * - for an address whose loader goes on to another screen (a search that finds one build opens that build), that
 *   screen's chunks too, where the address's query says which screen it will be.
 * The CSP forbids inline script, so hints are the way to say it; they are links, not code.
 *
 * Chunks are found by source module in the build's manifest (dist/.vite/manifest.json), so renamed hashes follow
 * each build. A module the manifest does not list as a chunk of its own (it moved into the entry, say) is skipped:
 * a hint for code that no longer loads separately would cost a request for nothing.
 */

/** Where an address is asked for: the server's UTC day, and the address's query. */
export type FirstRouteRequest = { day: string; query: URLSearchParams }

/** What an address draws first: its page and loader modules, and (optionally) the data its loader requests. */
export type FirstRoute = {
  modules: readonly string[]
  /** The address of the data the loader requests, exactly as the SPA builds it; null when it requests none. */
  data?: (at: FirstRouteRequest) => string | null
  /** The modules of the screen the loader is likely to go on to for this query (none when the query does not say). */
  next?: (query: URLSearchParams) => readonly string[]
}

/** A screen's page and (when it has one) loader module, as src/app/routes.tsx imports them. */
const screen = (feature: string, name: string, { loader = true } = {}) => [
  ...(loader ? [`src/features/${feature}/${name}-loader.ts`] : []),
  `src/features/${feature}/components/${name}-page.tsx`,
]

const BUILD_SCREEN = screen('builds', 'build')
const ARTIFACT_SCREEN = [...screen('artifacts', 'artifact'), 'src/features/gates/components/gate-decisions-section.tsx']

/**
 * The screen a search is likely to open (src/features/search/search-loader.ts goes to the only match's page): a
 * build's when the text reads as a commit or a build id (whole, or their first characters), an artifact's when it
 * reads as a digest only (`sha256:…`). Text may find artifacts, builds, packages or signers: none is named.
 */
function searchLeadsTo(query: URLSearchParams): readonly string[] {
  const q = normaliseQuery(query.get('q'))
  if (q === null) return []
  const readings = searchReadings(q)
  if (readings.some((reading) => reading === 'build-id' || reading === 'commit' || reading === 'commit-prefix' || reading === 'build-id-prefix')) return BUILD_SCREEN
  return readings.includes('digest') ? ARTIFACT_SCREEN : []
}

/**
 * Every screen's address, as a route pattern of src/app/routes.tsx (`:name` stands for one path segment), with the
 * modules that route imports; server/http/first-route-preload.test.ts holds the two lists together. Data is named
 * for the overview (its address is the same for everyone each day) and for a search (the address's query is the
 * search); the other screens' loaders read more than the address says (a stored token, the browser's clock, the
 * screen's own state), so a hint would often not be the request they make.
 */
export const FIRST_ROUTES: Readonly<Record<string, FirstRoute>> = {
  '/': {
    modules: screen('overview', 'overview'),
    // src/features/overview/overview-loader.ts asks for today's figures, today by the browser's clock; the server's
    // clock names the same day but at the edges of a day (or with a clock set wrong), when the hint's answer goes
    // unused and the SPA's own request is answered as without the hint.
    data: ({ day, query }) => overviewHref(overviewDay(query, day)),
  },
  '/builds': { modules: screen('builds', 'builds') },
  '/builds/compare': { modules: screen('compare', 'compare') },
  '/builds/:id': { modules: BUILD_SCREEN },
  '/artifacts': { modules: screen('artifacts', 'artifacts', { loader: false }) },
  '/artifacts/:digest': { modules: ARTIFACT_SCREEN },
  '/signatures': { modules: screen('signatures', 'signatures') },
  '/reproducibility': { modules: screen('reproducibility', 'reproducibility') },
  '/search': {
    modules: screen('search', 'search'),
    // The search the loader runs first; with one match it opens its page, whose code the query's form foretells.
    data: ({ query }) => {
      const q = normaliseQuery(query.get('q'))
      return q === null ? null : searchHref(q)
    },
    next: searchLeadsTo,
  },
  '/sources': { modules: screen('sources', 'sources', { loader: false }) },
  '/lineage': { modules: screen('lineage', 'lineage', { loader: false }) },
  '/log': { modules: screen('log', 'log', { loader: false }) },
  '/alerts': { modules: screen('alerts', 'alerts') },
  '/alerts/:id': { modules: screen('alerts', 'alert') },
  '/reports': { modules: screen('reports', 'reports', { loader: false }) },
}

/**
 * The FIRST_ROUTES pattern an address is drawn by, as the SPA's router picks it: a pattern without parameters that
 * is the address itself (so `/builds/compare` is not a build), else one whose segments match the address's, a
 * parameter matching any one non-empty segment. Null for an address no screen draws as its own.
 */
export function firstRouteOf(patterns: Iterable<string>, path: string): string | null {
  const segments = path.split('/')
  let match: string | null = null
  for (const pattern of patterns) {
    if (pattern === path) return pattern
    const parts = pattern.split('/')
    if (match === null && parts.length === segments.length && parts.every((part, index) => (part.startsWith(':') ? segments[index] !== '' : part === segments[index]))) match = pattern
  }
  return match
}

const ManifestChunk = z.object({
  file: z.string(),
  isEntry: z.boolean().optional(),
  imports: z.array(z.string()).optional(),
  css: z.array(z.string()).optional(),
})
export const BuildManifest = z.record(z.string(), ManifestChunk)
export type BuildManifest = z.infer<typeof BuildManifest>

/** The manifest of the build in `dir`, or null when it has none (or not one this code understands). */
export function readBuildManifest(dir: string): BuildManifest | null {
  const file = join(dir, '.vite', 'manifest.json')
  if (!existsSync(file)) return null
  try {
    const parsed = BuildManifest.safeParse(JSON.parse(readFileSync(file, 'utf8')))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

/** The chunks `keys` name and every chunk they import statically, transitively (keys of the manifest). */
function closure(manifest: BuildManifest, keys: readonly string[]): Set<string> {
  const seen = new Set<string>()
  const visit = (key: string) => {
    if (seen.has(key) || manifest[key] === undefined) return
    seen.add(key)
    for (const imported of manifest[key]?.imports ?? []) visit(imported)
  }
  for (const key of keys) visit(key)
  return seen
}

export type Preloads = { modules: string[]; styles: string[]; fetches: string[] }

/**
 * What to name in index.html for `sources` beyond what index.html already loads: the modules (each chunk and the
 * chunks it imports, minus the entry's own) and their style sheets, as URL paths.
 */
export function preloadsFor(manifest: BuildManifest, sources: readonly string[]): Preloads {
  const entries = Object.keys(manifest).filter((key) => manifest[key]?.isEntry === true)
  const loaded = closure(manifest, entries)
  const loadedStyles = new Set([...loaded].flatMap((key) => manifest[key]?.css ?? []))
  const modules: string[] = []
  const styles: string[] = []
  for (const key of closure(manifest, sources)) {
    const chunk = manifest[key]
    if (loaded.has(key) || chunk === undefined) continue
    modules.push(`/${chunk.file}`)
    for (const css of chunk.css ?? []) if (!loadedStyles.has(css) && !styles.includes(`/${css}`)) styles.push(`/${css}`)
  }
  return { modules, styles, fetches: [] }
}

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')

/** index.html with the preloads written just before `</head>` (unchanged when there are none or no head). */
export function withPreloads(html: string, { modules, styles, fetches }: Preloads): string {
  if (modules.length === 0 && styles.length === 0 && fetches.length === 0) return html
  const at = html.indexOf('</head>')
  if (at < 0) return html
  // `crossorigin` as Vite writes it: module scripts are fetched in CORS mode, and a preload only serves a request of
  // the same mode. For data the same: `fetch()` asks in CORS mode with same-origin credentials, which is what
  // `crossorigin` (anonymous) gives a preload. The data comes last: the code is what the page waits for first, and
  // the API's answer (a query on one thread) should not hold the static files' answers back.
  const links = [
    ...modules.map((href) => `    <link rel="modulepreload" crossorigin href="${escapeAttribute(href)}">`),
    ...styles.map((href) => `    <link rel="preload" as="style" crossorigin href="${escapeAttribute(href)}">`),
    ...fetches.map((href) => `    <link rel="preload" as="fetch" crossorigin href="${escapeAttribute(href)}">`),
  ]
  // On their own lines before the one that closes the head, as Vite writes its own; in a head on one line, just
  // before it closes.
  const lineStart = html.lastIndexOf('\n', at) + 1
  if (html.slice(lineStart, at).trim() !== '') return `${html.slice(0, at)}${links.map((link) => link.trim()).join('')}${html.slice(at)}`
  return `${html.slice(0, lineStart)}${links.join('\n')}\n${html.slice(lineStart)}`
}

/**
 * An address's index.html: `html` when nothing about the request changes it; otherwise `variant` gives the page for
 * a request, under a key that names what it depends on (the day, or the query too), so a caller may keep it.
 */
export type FirstRoutePage = { html: string; variant: ((at: FirstRouteRequest) => { key: string; html: string }) | null }

/**
 * The index.html to answer each address in FIRST_ROUTES with; every other address gets index.html as built. Empty
 * when the build has no manifest. `data: false` leaves the data preloads out: when reads need a token, a request
 * the browser makes without one is refused, and the SPA's own request (with the token) would not use it anyway.
 */
export function firstRoutePages(dir: string, html: string, { data }: { data: boolean }): Map<string, FirstRoutePage> {
  const pages = new Map<string, FirstRoutePage>()
  const manifest = readBuildManifest(dir)
  if (manifest === null) return pages
  for (const [path, route] of Object.entries(FIRST_ROUTES)) {
    // A build without the route's modules is not this SPA's (a test's, say): nothing to name.
    if (!route.modules.some((module) => manifest[module] !== undefined)) continue
    const preloads = preloadsFor(manifest, route.modules)
    const hrefFor = data ? route.data : undefined
    const next = route.next
    if (hrefFor === undefined && next === undefined) {
      pages.set(path, { html: withPreloads(html, preloads), variant: null })
      continue
    }
    pages.set(path, {
      html: withPreloads(html, preloads),
      variant: (at) => {
        const href = hrefFor?.(at) ?? null
        const nextModules = next?.(at.query) ?? []
        const page = nextModules.length === 0 ? preloads : preloadsFor(manifest, [...route.modules, ...nextModules])
        // What the page differs by: the data's address names the day or query it depends on.
        const key = `${href ?? ''} ${nextModules.join(' ')}`
        return { key, html: withPreloads(html, { ...page, fetches: href === null ? [] : [href] }) }
      },
    })
  }
  return pages
}
