import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bundleForNode } from './vite-bundle-for-node'
import { rechartsScales } from './vite-recharts-scales'

const dir = mkdtempSync(join(tmpdir(), 'recharts-scales-'))
// By path: the entry lives in a temporary folder, where recharts cannot be resolved by name.
const combiner = (name: string) => JSON.stringify(createRequire(import.meta.url).resolve(`recharts/es6/state/selectors/combiners/${name}.js`))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** recharts' two scale lookups bundled for Node, with or without the plugin: the bundle's code and its exports. */
function bundle(withPlugin: boolean) {
  const lines = [
    `export { combineConfiguredScaleInternal } from ${combiner('combineConfiguredScale')}`,
    `export { combineRealScaleType } from ${combiner('combineRealScaleType')}`,
  ]
  return bundleForNode(dir, `scales-${withPlugin}`, lines, withPlugin ? [rechartsScales()] : [], [/^react/])
}

describe('rechartsScales', () => {
  it('keeps the band, point and linear scales recharts picks by itself, and leaves the time scales out', async () => {
    const [full, narrow] = await Promise.all([bundle(false), bundle(true)])
    // d3-time-format's locale table is in the full bundle only.
    expect(full.code).toContain('Sunday')
    expect(narrow.code).not.toContain('Sunday')
    // d3-format's SI prefixes, used by `scale.tickFormat` only.
    expect(full.code).toContain('"µ"')
    expect(narrow.code).not.toContain('"µ"')
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

  it("maps numbers to pixels as d3 does, with the number interpolator in place of d3-interpolate's generic one", async () => {
    const [full, narrow] = await Promise.all([bundle(false), bundle(true)])
    const answers = ({ combineConfiguredScaleInternal: scaleOf }: Record<string, (...args: unknown[]) => unknown>) => {
      type Linear = ((value: number) => number) & {
        invert: (pixel: number) => number
        rangeRound: (range: number[]) => Linear
        ticks: (count: number) => number[]
      }
      const values = [-3, 0, 0.1, 2.5, 7, 33.3, 100, 1e6]
      return [
        [0, 100],
        [-20, 3.5],
        [0, 0],
      ].flatMap((domain) =>
        [
          [0, 272],
          [272, 8],
          [5, 5.5, 600],
        ].flatMap((range) => {
          const linear = scaleOf!('linear', domain, range) as Linear
          const rounded = (scaleOf!('linear', domain, range) as Linear).rangeRound(range)
          return [values.map(linear), values.map((value) => linear.invert(value)), values.map(rounded), linear.ticks(5)]
        }),
      )
    }
    expect(answers(narrow.module)).toEqual(answers(full.module))
    // A range of colours needs the generic interpolator, left out: it throws, naming the plugin.
    const colours = narrow.module.combineConfiguredScaleInternal!('linear', [0, 1], ['white', 'red']) as (value: number) => string
    expect(() => colours(0.5)).toThrow(/interpolate of string is not part of the browser build: add it to KEPT in scripts\/vite-recharts-scales\.ts/)
    const linear = narrow.module.combineConfiguredScaleInternal!('linear', [0, 1], [0, 100]) as { tickFormat: () => unknown }
    expect(() => linear.tickFormat()).toThrow(/is not part of the browser build: add it to KEPT in scripts\/vite-recharts-scales\.ts/)
  })

  it('fails loudly, naming the plugin, when a chart asks for a scale left out', async () => {
    const { combineConfiguredScaleInternal: scaleOf, combineRealScaleType: typeOf } = (await bundle(true)).module
    // Still a scale name recharts knows, so it is not silently swapped for a point scale.
    expect(typeOf!({ scale: 'time', type: 'number' }, false, 'LineChart')).toBe('time')
    expect(() => scaleOf!('time', [0, 1], [0, 100])).toThrow(/scaleTime is not part of the browser build: add it to KEPT in scripts\/vite-recharts-scales\.ts/)
  })
})
