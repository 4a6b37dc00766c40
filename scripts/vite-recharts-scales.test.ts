import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build, type Rolldown } from 'vite'
import { afterAll, describe, expect, it } from 'vitest'
import { rechartsScales } from './vite-recharts-scales'

const dir = mkdtempSync(join(tmpdir(), 'recharts-scales-'))
// By path: the entry lives in a temporary folder, where recharts cannot be resolved by name.
const combiner = (name: string) => JSON.stringify(createRequire(import.meta.url).resolve(`recharts/es6/state/selectors/combiners/${name}.js`))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** recharts' two scale lookups bundled for Node, with or without the plugin: the bundle's code and its exports. */
async function bundle(withPlugin: boolean) {
  const entry = join(dir, `entry-${withPlugin}.mjs`)
  writeFileSync(
    entry,
    [
      `export { combineConfiguredScaleInternal } from ${combiner('combineConfiguredScale')}`,
      `export { combineRealScaleType } from ${combiner('combineRealScaleType')}`,
    ].join('\n'),
  )
  const output = (await build({
    configFile: false,
    logLevel: 'silent',
    root: process.cwd(),
    plugins: withPlugin ? [rechartsScales()] : [],
    build: { write: false, minify: false, lib: { entry, formats: ['es'], fileName: 'out' }, rolldownOptions: { external: [/^react/] } },
  })) as Rolldown.RolldownOutput[]
  const code = output[0]!.output.map((chunk) => ('code' in chunk ? chunk.code : '')).join('\n')
  const file = join(dir, `out-${withPlugin}.mjs`)
  writeFileSync(file, code)
  return { code, module: (await import(pathToFileURL(file).href)) as Record<string, (...args: unknown[]) => unknown> }
}

describe('rechartsScales', () => {
  it('keeps the band, point and linear scales recharts picks by itself, and leaves the time scales out', async () => {
    const [full, narrow] = await Promise.all([bundle(false), bundle(true)])
    // d3-time-format's locale table is in the full bundle only.
    expect(full.code).toContain('Sunday')
    expect(narrow.code).not.toContain('Sunday')
    expect(narrow.code.length).toBeLessThan(full.code.length * 0.6)

    const { combineConfiguredScaleInternal: scaleOf, combineRealScaleType: typeOf } = narrow.module
    expect(typeOf!({ scale: 'auto', type: 'category' }, true, 'ComposedChart')).toBe('band')
    expect(typeOf!({ scale: 'auto', type: 'category' }, false, 'LineChart')).toBe('point')
    expect(typeOf!({ scale: 'auto', type: 'number' }, true, 'ComposedChart')).toBe('linear')
    const band = scaleOf!('band', ['a', 'b'], [0, 100]) as { bandwidth: () => number }
    expect(band.bandwidth()).toBe(50)
    const linear = scaleOf!('linear', [0, 10], [0, 100]) as (value: number) => number
    expect(linear(5)).toBe(50)
  })

  it('fails loudly, naming the plugin, when a chart asks for a scale left out', async () => {
    const { combineConfiguredScaleInternal: scaleOf, combineRealScaleType: typeOf } = (await bundle(true)).module
    // Still a scale name recharts knows, so it is not silently swapped for a point scale.
    expect(typeOf!({ scale: 'time', type: 'number' }, false, 'LineChart')).toBe('time')
    expect(() => scaleOf!('time', [0, 1], [0, 100])).toThrow(/scaleTime is not part of the browser build: add it to KEPT in scripts\/vite-recharts-scales\.ts/)
  })
})
