import { narrowImports } from './vite-narrow-imports.ts'

/**
 * recharts looks its axis scales up by name in `import * as d3Scales from 'victory-vendor/d3-scale'`, so every
 * d3 scale is bundled: time and UTC scales with d3-time and d3-time-format, log, pow, quantile, sequential and
 * more, though an axis without a `scale` prop only ever gets a band, point or linear scale
 * (recharts/es6/state/selectors/combiners/combineRealScaleType.js). In those two lookup modules the namespace is
 * replaced by a module with the real band, point and linear scales and every other d3-scale export as a function
 * that throws, naming this file: a chart given another `scale` fails loudly instead of drawing with the wrong one.
 *
 * The scales kept map numbers to pixels, so d3-scale's own imports are narrowed too: its generic `interpolate`
 * (numbers, but also colours with d3-color, dates, strings, arrays and objects) becomes the number interpolator
 * it picks for a number, and anything else throws; d3-format (only `scale.tickFormat`, which recharts never calls,
 * formats with it) is left out.
 * Charts here: src/features/reproducibility/components/history-chart.tsx (category X axis, number Y axes).
 */
export function rechartsScales() {
  return narrowImports('provenance:recharts-scales', 'scripts/vite-recharts-scales.ts', [
    {
      importers: /\/node_modules\/recharts\/es6\/state\/selectors\/combiners\/combine(ConfiguredScale|RealScaleType)\.js$/,
      source: 'victory-vendor/d3-scale',
      exportsOf: 'd3-scale',
      // The scales recharts picks by itself ('auto'): band and point for category axes, linear for number axes.
      kept: ['scaleBand', 'scaleLinear', 'scalePoint'],
    },
    {
      importers: /\/node_modules\/d3-scale\/dist\/d3-scale\.mjs$/,
      source: 'd3-interpolate',
      exportsOf: 'd3-interpolate',
      kept: ['interpolateNumber', 'interpolateRound'],
      // d3-interpolate's `interpolate` for a number `b` is interpolateNumber (d3-interpolate/src/value.js).
      own: { interpolate: `(a, b) => typeof b === 'number' ? interpolateNumber(a, b) : fail('interpolate of ' + typeof b)()` },
    },
    { importers: /\/node_modules\/d3-scale\/dist\/d3-scale\.mjs$/, source: 'd3-format', exportsOf: 'd3-format', kept: [] },
  ])
}
