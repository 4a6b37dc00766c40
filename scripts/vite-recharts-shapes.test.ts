import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bundleForNode } from './vite-bundle-for-node'
import { rechartsShapes } from './vite-recharts-shapes'

const dir = mkdtempSync(join(tmpdir(), 'recharts-shapes-'))
// By path: the entry lives in a temporary folder, where recharts cannot be resolved by name.
const recharts = (file: string) => JSON.stringify(createRequire(import.meta.url).resolve(`recharts/es6/${file}.js`))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** recharts' three modules that read d3-shape by name, bundled for Node (React and all) with or without the plugin. */
async function bundle(withPlugin: boolean) {
  const lines = [
    `export { getPath } from ${recharts('shape/Curve')}`,
    `export { getSymbolHalfWidth } from ${recharts('shape/Symbols')}`,
    `export { getStackedData } from ${recharts('util/ChartUtils')}`,
    `export { DotSymbol } from ${recharts('shape/DotSymbol')}`,
  ]
  return bundleForNode(dir, `shapes-${withPlugin}`, lines, withPlugin ? [rechartsShapes()] : [])
}

const points = [
  { x: 0, y: 10 },
  { x: 20, y: 35 },
  { x: 45, y: null },
  { x: 70, y: 60 },
  { x: 90, y: 20 },
]
const rows = [
  { matched: 3, mismatched: 1 },
  { matched: 0, mismatched: 0 },
  { matched: 12, mismatched: 4 },
]

describe('rechartsShapes', () => {
  it("draws our chart's straight lines, areas and stacks as recharts does with all of d3-shape", async () => {
    const [{ module: full }, { module: narrow }] = await Promise.all([bundle(false), bundle(true)])
    const draw = ({ getPath, getStackedData }: typeof full) => {
      const path = getPath as (props: object) => string | null
      const stacked = getStackedData as (data: object[], keys: string[], offset: string) => number[][][]
      return [
        // `<Line>` without `type`: 'linear' by default; with a gap, and with the gap joined.
        path({ type: 'linear', points, connectNulls: false }),
        path({ type: 'linear', points, connectNulls: true }),
        path({ type: 'linear', points, layout: 'horizontal', connectNulls: false }),
        path({ type: 'linear', points, baseLine: 0, connectNulls: false }),
        path({ type: 'linear', points: points.slice(0, 2), baseLine: points.slice(0, 2).map(({ x }) => ({ x, y: 0 })), connectNulls: false }),
        ...['none', 'sign', 'positive'].map((offset) => stacked(rows, ['matched', 'mismatched'], offset).map((series) => series.map((point) => [...point]))),
      ]
    }
    const drawn = draw(narrow)
    expect(drawn.slice(0, 5).every((path) => typeof path === 'string' && path.startsWith('M'))).toBe(true)
    expect(drawn).toEqual(draw(full))
  })

  it('fails loudly, naming the plugin, when a chart asks for another curve, a symbol or another stack offset', async () => {
    const { getPath, getSymbolHalfWidth, getStackedData, DotSymbol } = (await bundle(true)).module
    const error =
      /(curveMonotoneX|curveStep|symbolStar|stackOffsetExpand|Symbols) is not part of the browser build: add it to KEPT in scripts\/vite-recharts-shapes\.ts/
    const path = getPath as (props: object) => string | null
    expect(() => path({ type: 'monotone', points, layout: 'horizontal' })).toThrow(error)
    expect(() => path({ type: 'step', points })).toThrow(error)
    expect(() => (getSymbolHalfWidth as (type: string, size: number, sizeType: string) => number)('star', 10, 'diameter')).toThrow(error)
    expect(() => (getStackedData as (data: object[], keys: string[], offset: string) => unknown)(rows, ['matched', 'mismatched'], 'expand')).toThrow(error)
    // A dot given a symbol: React would call the element's component, which is the stub.
    const dot = (DotSymbol as (props: object) => { type: (props: object) => unknown; props: object })({ type: 'star', cx: 5, cy: 5, r: 3 })
    expect(() => dot.type(dot.props)).toThrow(error)
  })
})
