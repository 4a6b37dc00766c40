import { describe, expect, it } from 'vitest'
import { closure, screens, type Manifest } from './bundle-budget'

// The shape Vite writes for this app: an entry that lazily imports the shell and the pages, pages that share chunks.
const manifest: Manifest = {
  'index.html': {
    file: 'assets/index.js',
    isEntry: true,
    imports: ['_contract.js'],
    dynamicImports: [
      'src/app/layout/app-layout.tsx',
      'src/app/route-error.tsx',
      'src/features/builds/components/builds-page.tsx',
      'src/features/reproducibility/components/history-chart.tsx',
      'src/features/reproducibility/components/reproducibility-page.tsx',
    ],
  },
  '_contract.js': { file: 'assets/contract.js' },
  '_table.js': { file: 'assets/table.js', imports: ['index.html', '_contract.js'] },
  'src/app/layout/app-layout.tsx': { file: 'assets/app-layout.js', isDynamicEntry: true, imports: ['index.html'], dynamicImports: ['src/app/layout/token-form.tsx'] },
  'src/app/layout/token-form.tsx': { file: 'assets/token-form.js', isDynamicEntry: true },
  'src/app/route-error.tsx': { file: 'assets/route-error.js', isDynamicEntry: true, imports: ['index.html'] },
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

  it('names a chunk the manifest lacks', () => {
    expect(() => closure({ 'a.js': { file: 'a.js', imports: ['gone.js'] } }, ['a.js'])).toThrow('the manifest has no chunk gone.js')
  })
})

describe('screens', () => {
  it('gives each page the entry, the shell with its lazy parts, and its own chunks, lazy ones included', () => {
    const byPage = Object.fromEntries(screens(manifest).map((screen) => [screen.page.replace(/^.*\//, ''), files(screen.chunks)]))
    const shell = ['assets/app-layout.js', 'assets/contract.js', 'assets/index.js', 'assets/route-error.js', 'assets/token-form.js']
    expect(Object.keys(byPage)).toEqual(['builds-page.tsx', 'reproducibility-page.tsx'])
    expect(byPage['builds-page.tsx']).toEqual([...shell, 'assets/builds-page.js', 'assets/table.js'].sort())
    expect(byPage['reproducibility-page.tsx']).toEqual([...shell, 'assets/history-chart.js', 'assets/reproducibility-page.js'].sort())
  })

  it('refuses a manifest without the shell, rather than measure screens without it', () => {
    const { ['src/app/route-error.tsx']: _removed, ...withoutShell } = manifest
    expect(() => screens(withoutShell)).toThrow('the manifest has no src/app/route-error.tsx')
  })
})
