import { describe, expect, it } from 'vitest'
import { closure, drawingMixedIn, screens, workersIn, type Manifest } from './bundle-budget'

// The shape Vite writes for this app: an entry (with the shell) that lazily imports the pages and their loaders,
// pages that share chunks.
const manifest: Manifest = {
  'index.html': {
    file: 'assets/index.js',
    isEntry: true,
    imports: ['_contract.js'],
    dynamicImports: [
      'src/app/layout/token-form.tsx',
      'src/features/builds/builds-loader.ts',
      'src/features/builds/components/builds-page.tsx',
      'src/features/reproducibility/components/history-chart.tsx',
      'src/features/reproducibility/components/reproducibility-page.tsx',
    ],
  },
  '_contract.js': { file: 'assets/contract.js' },
  '_table.js': { file: 'assets/table.js', imports: ['index.html', '_contract.js'] },
  'src/app/layout/token-form.tsx': { file: 'assets/token-form.js', isDynamicEntry: true },
  'src/features/builds/builds-loader.ts': { file: 'assets/builds-loader.js', isDynamicEntry: true, imports: ['index.html', '_queries.js'] },
  '_queries.js': { file: 'assets/queries.js', imports: ['_contract.js'] },
  'src/features/builds/components/builds-page.tsx': { file: 'assets/builds-page.js', isDynamicEntry: true, imports: ['index.html', '_table.js'] },
  'src/features/reproducibility/components/history-chart.tsx': { file: 'assets/history-chart.js', isDynamicEntry: true, imports: ['index.html'] },
  'src/features/reproducibility/components/reproducibility-page.tsx': {
    file: 'assets/reproducibility-page.js',
    isDynamicEntry: true,
    imports: ['index.html'],
    dynamicImports: ['src/features/reproducibility/components/history-chart.tsx'],
  },
}

const files = (keys: Iterable<string>) => [...keys].map((key) => manifest[key]?.file).sort()

describe('closure', () => {
  it('follows static and lazy imports, but never the entry’s lazy imports (they are the other routes)', () => {
    expect(files(closure(manifest, ['src/features/builds/components/builds-page.tsx']))).toEqual([
      'assets/builds-page.js',
      'assets/contract.js',
      'assets/index.js',
      'assets/table.js',
    ])
  })

  it('leaves out what loads on demand only (the virtualiser), and what only it imports', () => {
    const withVirtualiser: Manifest = {
      ...manifest,
      '_table.js': { file: 'assets/table.js', imports: ['index.html', '_contract.js'], dynamicImports: ['src/components/ui/virtual-rows.tsx'] },
      'src/components/ui/virtual-rows.tsx': { file: 'assets/virtual-rows.js', isDynamicEntry: true, imports: ['_virtual-core.js'] },
      '_virtual-core.js': { file: 'assets/virtual-core.js' },
    }
    const keys = closure(withVirtualiser, ['src/features/builds/components/builds-page.tsx'])
    expect([...keys].map((key) => withVirtualiser[key]?.file).sort()).toEqual(['assets/builds-page.js', 'assets/contract.js', 'assets/index.js', 'assets/table.js'])
  })

  it('names a chunk the manifest lacks', () => {
    expect(() => closure({ 'a.js': { file: 'a.js', imports: ['gone.js'] } }, ['a.js'])).toThrow('the manifest has no chunk gone.js')
  })
})

describe('screens', () => {
  it('gives each page the entry, its loader, and its own chunks, lazy ones included, but not the shell’s lazy parts', () => {
    const byPage = Object.fromEntries(screens(manifest).map((screen) => [screen.page.replace(/^.*\//, ''), { first: files(screen.chunks), drawing: files(screen.drawing) }]))
    const entry = ['assets/contract.js', 'assets/index.js']
    expect(Object.keys(byPage)).toEqual(['builds-page.tsx', 'reproducibility-page.tsx'])
    expect(byPage['builds-page.tsx']).toEqual({ first: [...entry, 'assets/builds-loader.js', 'assets/builds-page.js', 'assets/queries.js', 'assets/table.js'].sort(), drawing: [] })
    // The chart is drawing code (DRAWING_MODULES): counted apart, with what only it loads.
    expect(byPage['reproducibility-page.tsx']).toEqual({ first: [...entry, 'assets/reproducibility-page.js'].sort(), drawing: ['assets/history-chart.js'] })
  })

  it('counts what only the drawing code loads with it, and what the screen loads anyway without it', () => {
    const drawing = 'src/features/lineage/components/lineage-drawing.ts'
    const lineage: Manifest = {
      'index.html': { file: 'assets/index.js', isEntry: true, dynamicImports: ['src/features/lineage/components/lineage-page.tsx'] },
      '_answers.js': { file: 'assets/answers.js' },
      '_layout.js': { file: 'assets/layout.js', imports: ['_answers.js'] },
      'src/features/lineage/components/lineage-page.tsx': { file: 'assets/lineage-page.js', isDynamicEntry: true, imports: ['index.html', '_answers.js'], dynamicImports: [drawing] },
      [drawing]: { file: 'assets/lineage-drawing.js', isDynamicEntry: true, imports: ['index.html', '_layout.js', 'src/features/lineage/components/lineage-page.tsx'] },
    }
    const [screen] = screens(lineage)
    expect({ first: [...screen!.chunks].map((key) => lineage[key]?.file).sort(), drawing: screen!.drawing.map((key) => lineage[key]?.file).sort() }).toEqual({
      first: ['assets/answers.js', 'assets/index.js', 'assets/lineage-page.js'],
      drawing: ['assets/layout.js', 'assets/lineage-drawing.js'],
    })
  })
})

describe('drawingMixedIn', () => {
  const page = { 'assets/lineage-page.js': ['src/features/lineage/components/lineage-page.tsx', 'src/features/lineage/lib/lineage-view.ts'] }
  const drawing = { 'assets/lineage-drawing.js': ['src/features/lineage/components/lineage-drawing.ts', 'src/features/lineage/lib/scene.ts'], 'assets/recharts.js': [] }

  it('accepts drawing code apart from the rest of the screen', () => {
    expect(drawingMixedIn('lineage-page', page, drawing)).toEqual([])
  })

  it('refuses other app code that loads only with the drawing code', () => {
    const mixed = { 'assets/lineage-drawing.js': [...drawing['assets/lineage-drawing.js'], 'src/features/lineage/lib/lineage-view.ts'] }
    expect(drawingMixedIn('lineage-page', page, mixed)).toEqual([
      'lineage-page: assets/lineage-drawing.js, loaded only with the drawing code, holds src/features/lineage/lib/lineage-view.ts, which DRAWING_MODULES does not list',
    ])
  })

  it('refuses drawing code in a file the screen loads without it', () => {
    const mixed = { 'assets/lineage-page.js': [...page['assets/lineage-page.js'], 'src/features/lineage/lib/layout.ts'] }
    expect(drawingMixedIn('lineage-page', mixed, drawing)).toEqual([
      'lineage-page: assets/lineage-page.js, loaded without the drawing code, holds the drawing code src/features/lineage/lib/layout.ts',
    ])
  })
})

describe('screens: modules loaded beside a page', () => {
  const artifactPage = 'src/features/artifacts/components/artifact-page.tsx'
  const gates = 'src/features/gates/components/gate-decisions-section.tsx'
  const withGates = (beside: Manifest[string]['dynamicImports']): Manifest => ({
    'index.html': { file: 'assets/index.js', isEntry: true, dynamicImports: beside },
    [artifactPage]: { file: 'assets/artifact-page.js', isDynamicEntry: true, imports: ['index.html'] },
    [gates]: { file: 'assets/gates.js', isDynamicEntry: true, imports: ['index.html'] },
  })

  it('counts a module the route loads beside its page (the gate decisions on the Artifact screen)', () => {
    const [artifact] = screens(withGates([artifactPage, gates]))
    expect(artifact!.chunks.map((key) => withGates([artifactPage, gates])[key]?.file).sort()).toEqual(['assets/artifact-page.js', 'assets/gates.js', 'assets/index.js'])
  })

  it('refuses a feature module the entry loads lazily that no screen counts', () => {
    const other = 'src/features/gates/components/other-section.tsx'
    const manifest = { ...withGates([artifactPage, gates, other]), [other]: { file: 'assets/other.js', isDynamicEntry: true } }
    expect(() => screens(manifest)).toThrow(`the entry loads ${other} lazily, but no screen counts it`)
  })
})

describe('workersIn', () => {
  it('finds the workers a chunk starts, as Vite writes them, each once', () => {
    const code =
      'B=new Worker(new URL(`/assets/answer-worker-Db.js`,``+import.meta.url),{type:`module`});' +
      'W=new Worker(new URL("/assets/layout-worker-BE.js",""+import.meta.url));' +
      'X=new Worker(new URL(`/assets/answer-worker-Db.js`,``+import.meta.url))'
    expect(workersIn(code)).toEqual(['assets/answer-worker-Db.js', 'assets/layout-worker-BE.js'])
  })

  it('ignores a URL no worker is started from', () => {
    expect(workersIn('fetch(new URL(`/assets/data.js`, import.meta.url))')).toEqual([])
  })
})
