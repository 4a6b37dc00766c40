import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import type * as D3Interpolate from 'd3-interpolate'
import type * as D3Shape from 'd3-shape'
import { bundleForNode } from './vite-bundle-for-node'
import { d3TreeShakable, markTreeShakable } from './vite-d3-tree-shakable'

const dir = mkdtempSync(join(tmpdir(), 'd3-tree-shakable-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const require = createRequire(import.meta.url)
/** d3 packages' export "default" is their dist/<package>.mjs. */
const distOf = (name: string) => require.resolve(name)

type Module = Record<string, (...args: never[]) => unknown>

/** A d3 dist module as published and as rewritten, each imported from the temporary folder; both export the same names. */
async function bothVersions(name: string): Promise<{ published: Module; rewritten: Module; edits: number }> {
  // By file URL: the temporary folder cannot resolve d3's packages by name.
  const code = readFileSync(distOf(name), 'utf8').replace(
    /from '(d3-[a-z]+)'/g,
    (_, dependency: string) => `from ${JSON.stringify(pathToFileURL(distOf(dependency)).href)}`,
  )
  const { code: rewrittenCode, edits } = markTreeShakable(code)
  writeFileSync(join(dir, `${name}-published.mjs`), code)
  writeFileSync(join(dir, `${name}-rewritten.mjs`), rewrittenCode)
  const load = async (file: string) => (await import(pathToFileURL(join(dir, file)).href)) as Module
  const [published, rewritten] = [await load(`${name}-published.mjs`), await load(`${name}-rewritten.mjs`)]
  expect(Object.keys(rewritten)).toEqual(Object.keys(published))
  return { published, rewritten, edits }
}

const points: [number, number][] = [
  [0, 10],
  [20, 35],
  [45, 5],
  [70, 60],
  [90, 20],
]

describe('d3TreeShakable', () => {
  it('leaves every curve, symbol, stack and shape of d3-shape drawing the same', async () => {
    const { published, rewritten, edits } = await bothVersions('d3-shape')
    expect(edits).toBeGreaterThan(20)
    const draw = (d3: Module) => {
      const shape = d3 as unknown as typeof D3Shape
      const curves = Object.keys(d3).filter((name) => name.startsWith('curve'))
      const symbols = shape.symbolsFill.concat(shape.symbolsStroke)
      const data = [
        { a: 3, b: 4 },
        { a: -2, b: 6 },
        { a: 5, b: -1 },
      ]
      const offsets = Object.keys(d3).filter((name) => name.startsWith('stackOffset'))
      const orders = Object.keys(d3).filter((name) => name.startsWith('stackOrder'))
      return {
        curves: curves.map((name) => [name, shape.line().curve(d3[name] as unknown as D3Shape.CurveFactory)(points)]),
        areas: curves
          .filter((name) => !/Bundle|Closed|Radial/.test(name))
          .map((name) => [name, shape.area().curve(d3[name] as unknown as D3Shape.CurveFactory)(points)]),
        radial: [shape.lineRadial()(points), shape.areaRadial()(points)],
        symbols: symbols.map((type) => shape.symbol(type, 64)()),
        stacks: offsets.flatMap((offset) =>
          orders.map((order) =>
            shape
              .stack<{ a: number; b: number }>()
              .keys(['a', 'b'])
              .offset(d3[offset] as never)
              .order(d3[order] as never)(data)
              .map((series) => series.map((point) => [...point])),
          ),
        ),
        arc: shape.arc()({ innerRadius: 10, outerRadius: 40, startAngle: 0, endAngle: 2, padAngle: 0.1 }),
        pie: shape.pie()([1, 2, 3]),
        link: shape.linkHorizontal()({ source: [0, 0], target: [50, 80] }),
      }
    }
    expect(draw(rewritten)).toEqual(draw(published))
  })

  it("leaves d3-interpolate's interpolators answering the same", async () => {
    const { published, rewritten, edits } = await bothVersions('d3-interpolate')
    expect(edits).toBeGreaterThan(5)
    const answers = (d3: Module) => {
      const i = d3 as unknown as typeof D3Interpolate
      const at = (interpolator: (t: number) => unknown) => [0, 0.3, 0.5, 1].map(interpolator)
      return [
        at(i.interpolate(2, 12)),
        at(i.interpolateRound(2, 13)),
        at(i.interpolate('red', 'steelblue')),
        ...[
          i.interpolateRgb,
          i.interpolateRgb.gamma(2.2),
          i.interpolateHsl,
          i.interpolateHslLong,
          i.interpolateLab,
          i.interpolateHcl,
          i.interpolateHclLong,
        ].map((f) => at(f('purple', 'orange'))),
        ...[i.interpolateCubehelix, i.interpolateCubehelixLong, i.interpolateCubehelix.gamma(3)].map((f) => at(f('purple', 'orange'))),
        at(i.interpolateRgbBasis(['red', 'green', 'blue'])),
        at(i.interpolateRgbBasisClosed(['red', 'green', 'blue'])),
        at(i.interpolateString('10px 20px', '30px 5px')),
        at(i.interpolateZoom([0, 0, 10], [30, 30, 40])),
        i.quantize(i.interpolate(0, 10), 4),
      ]
    }
    expect(answers(rewritten)).toEqual(answers(published))
  })

  it('lets a bundle that draws a straight line or interpolates numbers leave the rest of d3-shape and d3-interpolate, and d3-color, out', async () => {
    // By path: the entry lives in a temporary folder, where d3 cannot be resolved by name.
    const lines = [
      `export { curveLinear, line } from ${JSON.stringify(distOf('d3-shape'))}`,
      `export { interpolateNumber } from ${JSON.stringify(distOf('d3-interpolate'))}`,
    ]
    const [{ code: published }, { code: rewritten }] = await Promise.all([
      bundleForNode(dir, 'published', lines, []),
      bundleForNode(dir, 'rewritten', lines, [d3TreeShakable()]),
    ])
    for (const code of [published, rewritten]) expect(code).toContain('function curveLinear(')
    // Curves, an interpolator of colours and d3-color's named colours.
    for (const text of ['function Basis(', 'function CatmullRom(', 'function rgbGamma(', 'rebeccapurple']) {
      expect(published).toContain(text)
      expect(rewritten).not.toContain(text)
    }
    expect(rewritten.length).toBeLessThan(published.length * 0.3)
  })

  it('fails the build when a d3 package it rewrites shows neither pattern', () => {
    const plugin = d3TreeShakable()
    const context = {
      error: (message: string) => {
        throw new Error(message)
      },
    }
    const transform = plugin.transform as (this: typeof context, code: string, id: string) => unknown
    expect(() => transform.call(context, 'export function line() {}', '/app/node_modules/d3-shape/dist/d3-shape.mjs')).toThrow(
      /d3-shape has no constructor .* update scripts\/vite-d3-tree-shakable\.ts/,
    )
    expect(transform.call(context, 'export function line() {}', '/app/node_modules/d3-path/dist/d3-path.mjs')).toBeNull()
  })
})
