/**
 * `npx tsx scripts/bundle-budget.ts [dist]`: the JavaScript each screen needs on a cold first visit, read from the
 * build's manifest (dist/.vite/manifest.json), against PERFORMANCE.md's budgets: at most 110 kB gzip a screen; on a
 * screen that draws a chart or a graph, 110 kB without its drawing code and 240 kB with it (see DRAWING_MODULES);
 * 300 kB for the whole app. Exits 1 when a budget is broken. Sizes are what the server sends: the build's `.gz`
 * copies (made by Zopfli, scripts/vite-compress.ts), Brotli shown beside it.
 *
 * Before any screen's own code, every first visit carries React DOM, React and the scheduler (about 61 kB as served, React
 * DOM's client specialised to what the app renders: scripts/vite-react-dom-client-only.ts), React Router's
 * declarative mode (src/app/navigation.ts does the loading), TanStack Query and zod/mini (src/lib/zod-on-mini.ts):
 * about 97 kB. So a screen's own code and data parsing have about 13 kB.
 *
 * A screen's first load is the entry chunk (React, the router, the layout and the route error boundary), the
 * screen's page module and its loader module, each with everything it imports, statically or lazily: a lazy import
 * inside a page (a chart) starts as soon as it renders, so it counts. A screen is a lazy module of the entry named
 * `*-page.tsx`. The Web Workers a counted chunk starts count too (see `workersIn`), in the screen and in the whole app.
 *
 * A drawing screen's table has two rows: the screen without its drawing code (held to 110 kB) and
 * with it (held to 240 kB). The drawing code must be separable, or the run fails: what the screen loads only
 * through a DRAWING_MODULES entry holds no app module but those listed (libraries it alone loads may ride along),
 * and no listed module is in a chunk the screen loads without it.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { z } from 'zod'

export const BUDGET = { screen: 110_000, drawingScreen: 240_000, app: 300_000 } as const
/** A screen's loader, which src/app/routes.tsx imports beside its page: `<feature>/components/x-page.tsx` → `<feature>/x-loader.ts`. */
export const loaderOf = (page: string) => page.replace(/\/components\/([^/]+)-page\.tsx$/, '/$1-loader.ts')
/**
 * Drawing code: what a screen loads lazily to draw a chart or a graph, counted apart from the rest of the screen
 * (PERFORMANCE.md: 110 kB without it, 240 kB with it). Every app module of it is named here, with what it draws;
 * a manifest entry among them (loaded with `import()`) is where a screen's drawing starts, and everything reached
 * only through it is that drawing's.
 * - The Reproducibility history chart: recharts and the component that configures it (the chart library's code,
 *   about 104 kB gzip; recharts was chosen for it), the count axis's ticks it computes, and the hook through which
 *   the build has recharts read its store (scripts/vite-recharts-store-transitions.ts).
 * - The Lineage graph, drawn by our own code in place of a graph library (such as @xyflow, or dagre for the
 *   layout): the module the page loads it through, the canvas and its tiles, the scene (geometry, hit testing,
 *   painting), the layout's client and the layout itself with its Web Worker's messages.
 */
export const DRAWING_MODULES: Readonly<Record<string, 'chart' | 'graph'>> = {
  'src/features/reproducibility/components/history-chart.tsx': 'chart',
  'src/features/reproducibility/lib/count-ticks.ts': 'chart',
  'src/lib/store-in-transitions.ts': 'chart',
  'src/features/lineage/components/lineage-drawing.ts': 'graph',
  'src/features/lineage/components/lineage-canvas.tsx': 'graph',
  'src/features/lineage/lib/tiles.ts': 'graph',
  'src/features/lineage/lib/scene.ts': 'graph',
  'src/features/lineage/lib/layout-client.ts': 'graph',
  'src/features/lineage/lib/layout.ts': 'graph',
  'src/features/lineage/lib/layout-messages.ts': 'graph',
  'src/features/lineage/lib/layout-worker.ts': 'graph',
}
const isDrawingEntry = (key: string) => Object.hasOwn(DRAWING_MODULES, key)

const ManifestChunk = z.object({
  file: z.string(),
  name: z.string().optional(),
  isEntry: z.boolean().optional(),
  isDynamicEntry: z.boolean().optional(),
  imports: z.array(z.string()).optional(),
  dynamicImports: z.array(z.string()).optional(),
  css: z.array(z.string()).optional(),
})
export const Manifest = z.record(z.string(), ManifestChunk)
export type Manifest = z.infer<typeof Manifest>

/**
 * Lazy modules no first visit loads, so not counted in a screen (they are in the whole app): each is asked for only
 * when the screen needs it after its first draw, as said where it is imported. The virtualiser loads when a list
 * grows past a first page (50 rows by default; 150 are drawn plainly) or the reader scrolls near its end. The
 * lineage node panel loads when a node is opened (or the address names one), the SVG writer on Export SVG, and an
 * artifact's attestation checks when a card is opened (a failed or linked card opens with the page: then they are
 * part of that visit, which this count does not show).
 */
export const ON_DEMAND: ReadonlySet<string> = new Set([
  'src/components/ui/virtual-rows.tsx',
  'src/features/lineage/components/node-panel.tsx',
  'src/features/lineage/lib/export-svg.ts',
  'src/features/artifacts/components/attestation-checks.tsx',
])

/**
 * Manifest keys of `roots` and everything they import, statically and (when `lazy`) dynamically, but not ON_DEMAND,
 * nor what only `stop` leads to.
 */
export function closure(manifest: Manifest, roots: readonly string[], lazy = true, stop: (key: string) => boolean = () => false): Set<string> {
  const seen = new Set<string>()
  const visit = (key: string) => {
    if (seen.has(key) || stop(key)) return
    const chunk = manifest[key]
    if (chunk === undefined) throw new Error(`the manifest has no chunk ${key}`)
    seen.add(key)
    for (const next of chunk.imports ?? []) visit(next)
    // The entry's lazy imports are the routes themselves: reaching the entry from a page loads none of them.
    if (lazy && !chunk.isEntry) for (const next of chunk.dynamicImports ?? []) if (!ON_DEMAND.has(next)) visit(next)
  }
  roots.forEach(visit)
  return seen
}

/**
 * Modules src/app/routes.tsx imports lazily beside a page, in the same route (features may not import each other, so
 * the route composes them): every visit of that screen loads them, so they count towards its first load.
 */
export const BESIDE: Readonly<Record<string, readonly string[]>> = {
  'src/features/artifacts/components/artifact-page.tsx': ['src/features/gates/components/gate-decisions-section.tsx'],
}

/** A screen's first-visit chunks (manifest keys): `chunks` without its drawing code, `drawing` what that adds. */
export type Screen = { page: string; chunks: string[]; drawing: string[] }

/** Each screen of the app with the manifest keys of the chunks its first visit loads, its drawing code apart. */
export function screens(manifest: Manifest): Screen[] {
  const entries = Object.entries(manifest).filter(([, chunk]) => chunk.isEntry)
  if (entries.length !== 1) throw new Error(`expected one entry chunk in the manifest, found ${entries.length}`)
  const [entryKey, entry] = entries[0]!
  const pages = (entry.dynamicImports ?? []).filter((key) => /-page\.tsx$/.test(key))
  if (pages.length === 0) throw new Error('the entry chunk imports no *-page.tsx module lazily; nothing to measure')
  const base = closure(manifest, [entryKey], true, isDrawingEntry)
  const measured = pages.map((page) => {
    const roots = [page, loaderOf(page), ...(BESIDE[page] ?? [])].filter((key) => key === page || manifest[key] !== undefined)
    const chunks = new Set([...base, ...closure(manifest, roots, true, isDrawingEntry)])
    const drawing = [...closure(manifest, roots)].filter((key) => !chunks.has(key))
    return { page, chunks: [...chunks], drawing }
  })
  // A feature's module that the entry loads lazily and no screen's first visit reaches would be counted nowhere (a
  // route that loads it beside its page names it in BESIDE). The shell's own lazy parts, such as the token form, load
  // only when asked for.
  const reached = new Set(measured.flatMap((screen) => [...screen.chunks, ...screen.drawing]))
  const uncounted = (entry.dynamicImports ?? []).filter((key) => key.startsWith('src/features/') && !reached.has(key) && !ON_DEMAND.has(key))
  if (uncounted.length > 0) throw new Error(`the entry loads ${uncounted.join(', ')} lazily, but no screen counts it: add it to BESIDE (scripts/bundle-budget.ts) under the page it loads with, or to ON_DEMAND`)
  return measured
}

/**
 * The Web Workers a chunk starts (`new Worker(new URL('/assets/x.js', import.meta.url))` as Vite writes it): bundled
 * apart and absent from the manifest, yet loaded by the screen that starts them (the lineage screen reads its
 * answers in one), so they count towards that screen's first load and the whole app. A worker's bundle is one file.
 */
export function workersIn(code: string): string[] {
  const found = [...code.matchAll(/new (?:Shared)?Worker\(\s*new URL\(\s*[`'"]\/?([^`'"]+\.js)[`'"]/g)].map((match) => match[1]!)
  return [...new Set(found)].sort()
}

/**
 * Where the drawing code is not separable from the rest of a screen, given the app modules (`src/…`) in each of its
 * files: an app module that is not drawing code among the files only the drawing loads, or drawing code among the
 * files the screen loads without it. Empty when the two parts are apart.
 */
export function drawingMixedIn(screen: string, first: Record<string, readonly string[]>, drawing: Record<string, readonly string[]>): string[] {
  const problems: string[] = []
  for (const [file, modules] of Object.entries(drawing)) {
    const others = modules.filter((module) => !Object.hasOwn(DRAWING_MODULES, module))
    if (others.length > 0) problems.push(`${screen}: ${file}, loaded only with the drawing code, holds ${others.join(', ')}, which DRAWING_MODULES does not list`)
  }
  for (const [file, modules] of Object.entries(first)) {
    const listed = modules.filter((module) => Object.hasOwn(DRAWING_MODULES, module))
    if (listed.length > 0) problems.push(`${screen}: ${file}, loaded without the drawing code, holds the drawing code ${listed.join(', ')}`)
  }
  return problems
}

type Sizes = { raw: number; gzip: number; br: number | null; modules: string[] }

function sizesOf(dist: string, file: string): Sizes {
  const bytes = readFileSync(join(dist, file))
  const gz = existsSync(join(dist, `${file}.gz`)) ? readFileSync(join(dist, `${file}.gz`)).byteLength : gzipSync(bytes, { level: 9 }).byteLength
  const br = existsSync(join(dist, `${file}.br`)) ? readFileSync(join(dist, `${file}.br`)).byteLength : null
  // The app modules in the file, from its source map, as `src/…` (whichever checkout built it); libraries are left out.
  const map = join(dist, `${file}.map`)
  const sources = existsSync(map) ? z.object({ sources: z.array(z.string()) }).parse(JSON.parse(readFileSync(map, 'utf8'))).sources : []
  const modules = sources
    .map((source) => resolve(dirname(join(dist, file)), source).replaceAll('\\', '/'))
    .filter((path) => !path.includes('/node_modules/') && path.includes('/src/'))
    .map((path) => path.slice(path.lastIndexOf('/src/') + 1))
  return { raw: bytes.byteLength, gzip: gz, br, modules }
}

const kB = (bytes: number) => (bytes / 1000).toFixed(1)

function main(dist: string): boolean {
  const manifestPath = join(dist, '.vite', 'manifest.json')
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} is missing: build first (npm run build; vite.config.ts sets build.manifest)`)
  const manifest = Manifest.parse(JSON.parse(readFileSync(manifestPath, 'utf8')))
  const cache = new Map<string, Sizes>()
  const sizes = (file: string) => {
    if (!cache.has(file)) cache.set(file, sizesOf(dist, file))
    return cache.get(file)!
  }
  const workers = new Map<string, string[]>()
  /** A chunk's file with the workers it starts. */
  const withWorkers = (file: string): string[] => {
    if (!workers.has(file)) workers.set(file, file.endsWith('.js') ? workersIn(readFileSync(join(dist, file), 'utf8')) : [])
    return [file, ...workers.get(file)!]
  }
  const filesOf = (keys: readonly string[]) => [...new Set(keys.flatMap((key) => withWorkers(manifest[key]!.file)))]
  const measure = (files: readonly string[]) => {
    const all = files.map(sizes)
    const total = (pick: (size: Sizes) => number) => all.reduce((sum, size) => sum + pick(size), 0)
    return { files: all.length, raw: total((size) => size.raw), gzip: total((size) => size.gzip), br: total((size) => size.br ?? size.gzip) }
  }
  const mixed: string[] = []
  const rows = screens(manifest).flatMap(({ page, chunks, drawing }) => {
    const screen = page.replace(/^.*\//, '').replace(/\.tsx$/, '')
    const first = filesOf(chunks)
    const own = { ...measure(first), label: screen, budget: BUDGET.screen }
    const drawn = filesOf(drawing).filter((file) => !first.includes(file))
    if (drawn.length === 0) return [own]
    const modulesOf = (files: readonly string[]) => Object.fromEntries(files.map((file) => [file, sizes(file).modules]))
    mixed.push(...drawingMixedIn(screen, modulesOf(first), modulesOf(drawn)))
    const kinds = [...new Set(drawn.flatMap((file) => sizes(file).modules.map((module) => DRAWING_MODULES[module]).filter((kind) => kind !== undefined)))].join(' and ')
    return [
      { ...own, label: `${screen} without its ${kinds} code` },
      { ...measure([...first, ...drawn]), label: `${screen} with its ${kinds} code`, budget: BUDGET.drawingScreen },
    ]
  })
  for (const problem of mixed) console.error(`bundle budget: drawing code not separable: ${problem}`)
  const judged = rows.map((row) => ({ ...row, ok: row.gzip <= row.budget }))
  const jsFiles = [...new Set(Object.values(manifest).flatMap((chunk) => withWorkers(chunk.file)))].filter((file) => file.endsWith('.js'))
  const app = jsFiles.map(sizes)
  const appGzip = app.reduce((sum, size) => sum + size.gzip, 0)
  const appOk = appGzip <= BUDGET.app

  const header = ['screen (first visit)', 'JS files', 'raw kB', 'gzip kB', 'br kB', 'target kB', '']
  const verdict = (ok: boolean, gzip: number, target: number) => (ok ? 'ok' : `OVER by ${kB(gzip - target)} kB`)
  const table = [
    ...judged.map((row) => [row.label, String(row.files), kB(row.raw), kB(row.gzip), kB(row.br), kB(row.budget), verdict(row.ok, row.gzip, row.budget)]),
    ['whole app (all JS)', String(jsFiles.length), kB(app.reduce((sum, size) => sum + size.raw, 0)), kB(appGzip), kB(app.reduce((sum, size) => sum + (size.br ?? size.gzip), 0)), kB(BUDGET.app), verdict(appOk, appGzip, BUDGET.app)],
  ]
  const widths = header.map((cell, column) => Math.max(cell.length, ...table.map((row) => row[column]!.length)))
  const line = (row: string[]) => `| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`
  console.log(line(header))
  console.log(`|${widths.map((width, column) => (column === 0 ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`)
  for (const row of table) console.log(line(row))
  const over = judged.filter((row) => !row.ok)
  for (const row of over) console.error(`bundle budget: ${row.label} loads ${kB(row.gzip)} kB of JavaScript gzip on a first visit, over its ${kB(row.budget)} kB`)
  if (!appOk) console.error(`bundle budget: the whole app is ${kB(appGzip)} kB of JavaScript gzip, over its ${kB(BUDGET.app)} kB`)
  return over.length === 0 && appOk && mixed.length === 0
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = process.argv[2] ?? fileURLToPath(new URL('../dist', import.meta.url))
  process.exitCode = main(dist) ? 0 : 1
}
