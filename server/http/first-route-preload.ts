import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'

/**
 * The SPA's first paint of an address waits for code the entry only asks for once it has run: the layout, the
 * route's error boundary and the page itself are lazy chunks (src/app/routes.tsx). Asked for then, they are a second
 * round trip after the entry's download and execution. Named in index.html as `<link rel="modulepreload">` (and the
 * page's CSS as `<link rel="preload" as="style">`), the browser fetches and compiles them beside the entry instead.
 * The CSP forbids inline script, so hints are the way to say it; they are links, not code.
 *
 * The chunks are found by source module in the build's manifest (dist/.vite/manifest.json), so renamed hashes follow
 * each build. A module the manifest does not list as a chunk of its own (it moved into the entry, say) is skipped:
 * a hint for code that no longer loads separately would cost a request for nothing.
 */

/** Loaded by every address: the app's layout and the pages' error boundary. */
export const SHELL_MODULES: readonly string[] = ['src/app/layout/app-layout.tsx', 'src/app/route-error.tsx']

/**
 * The page each address draws first, by path, and its loader where that is a chunk of its own (the loader starts the
 * page's request, so its chunk on hand lets the data leave as soon as the entry has run). Only the overview at `/`:
 * the first screen people load.
 */
export const FIRST_ROUTE_MODULES: Readonly<Record<string, readonly string[]>> = {
  '/': ['src/features/overview/overview-loader.ts', 'src/features/overview/components/overview-page.tsx'],
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

/** A chunk's file and every chunk it imports statically, transitively (keys of the manifest). */
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

export type Preloads = { modules: string[]; styles: string[] }

/**
 * What to name in index.html for `sources` beyond what index.html already loads: the modules (each chunk and the
 * chunks it imports, minus the entry's own) and their style sheets, as URL paths.
 */
export function preloadsFor(manifest: BuildManifest, sources: readonly string[]): Preloads {
  const entries = Object.keys(manifest).filter((key) => manifest[key]?.isEntry === true)
  const loaded = closure(manifest, entries)
  const loadedStyles = new Set([...loaded].flatMap((key) => manifest[key]?.css ?? []))
  const wanted = closure(manifest, sources.filter((source) => manifest[source] !== undefined))
  const modules: string[] = []
  const styles: string[] = []
  for (const key of wanted) {
    if (loaded.has(key)) continue
    const chunk = manifest[key]
    if (!chunk) continue
    modules.push(`/${chunk.file}`)
    for (const css of chunk.css ?? []) if (!loadedStyles.has(css) && !styles.includes(`/${css}`)) styles.push(`/${css}`)
  }
  return { modules, styles }
}

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')

/** index.html with the preloads written just before `</head>` (unchanged when there are none or no head). */
export function withPreloads(html: string, { modules, styles }: Preloads): string {
  if (modules.length === 0 && styles.length === 0) return html
  const at = html.indexOf('</head>')
  if (at < 0) return html
  // `crossorigin` as Vite writes it: module scripts are fetched in CORS mode, and a preload only serves a request of
  // the same mode.
  const links = [
    ...modules.map((href) => `    <link rel="modulepreload" crossorigin href="${escapeAttribute(href)}">`),
    ...styles.map((href) => `    <link rel="preload" as="style" crossorigin href="${escapeAttribute(href)}">`),
  ]
  // On their own lines before the one that closes the head, as Vite writes its own.
  const line = html.lastIndexOf('\n', at) + 1
  return `${html.slice(0, line)}${links.join('\n')}\n${html.slice(line)}`
}

/**
 * The index.html to answer each SPA address with: per path in FIRST_ROUTE_MODULES, and `*` for every other address
 * (the shell only). Empty when the build has no manifest.
 */
export function firstRoutePages(dir: string, html: string): Map<string, string> {
  const pages = new Map<string, string>()
  const manifest = readBuildManifest(dir)
  if (manifest === null) return pages
  pages.set('*', withPreloads(html, preloadsFor(manifest, SHELL_MODULES)))
  for (const [path, sources] of Object.entries(FIRST_ROUTE_MODULES)) pages.set(path, withPreloads(html, preloadsFor(manifest, [...SHELL_MODULES, ...sources])))
  return pages
}
