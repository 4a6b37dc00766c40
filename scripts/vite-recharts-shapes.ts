import { narrowImports } from './vite-narrow-imports.ts'

/**
 * recharts keeps d3-shape's curves, symbols and stack offsets in tables it reads by name (`type="monotone"`,
 * `dot="star"`, `stackOffset="wiggle"`), so every one of them is bundled though our charts draw straight lines
 * (`<Line>` without `type`), circles for dots (no `dot` symbol, no legend) and bars stacked with the default offset.
 * In those three modules d3-shape is replaced by a module with the real line, area, linear curve, stack, default
 * order and default offset, and every other d3-shape export as a function that throws, naming this file: a chart
 * asking for another curve, a symbol or another offset fails loudly instead of drawing something else. Likewise the
 * `<Symbols>` component, which a line's dots draw only when given a symbol name (ours draw `<Dot>` circles).
 * Charts here: src/features/reproducibility/components/history-chart.tsx (a line; its bars are drawn from the chart's
 * scales by a component of its own).
 */
export function rechartsShapes() {
  const shapes = (file: string, kept: readonly string[]) => ({
    importers: new RegExp(`/node_modules/recharts/es6/${file.replace('.', '\\.')}$`),
    source: 'victory-vendor/d3-shape',
    exportsOf: 'd3-shape',
    kept,
  })
  return narrowImports('provenance:recharts-shapes', 'scripts/vite-recharts-shapes.ts', [
    // `<Line>` and `<Area>` draw with these; the curve is looked up by the `type` prop ('linear' by default).
    shapes('shape/Curve.js', ['area', 'curveLinear', 'line']),
    // `<Symbols>`: dots and active dots given a symbol name, and legend icons.
    shapes('shape/Symbols.js', []),
    // Stacked bars and areas; the offset is looked up by the chart's `stackOffset` prop ('none' by default).
    shapes('util/ChartUtils.js', ['stack', 'stackOffsetNone', 'stackOrderNone']),
    // Dots and active dots given a symbol name (`dot="star"`) draw `<Symbols>` through DotSymbol.
    { importers: /\/node_modules\/recharts\/es6\/shape\/DotSymbol\.js$/, source: './Symbols', exportsOf: 'recharts/lib/shape/Symbols.js', kept: [] },
  ])
}
