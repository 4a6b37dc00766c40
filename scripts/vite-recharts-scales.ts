import type { Plugin } from 'vite'

/**
 * recharts looks its axis scales up by name in `import * as d3Scales from 'victory-vendor/d3-scale'`, so every
 * d3 scale is bundled: time and UTC scales with d3-time and d3-time-format, log, pow, quantile, sequential and
 * more, though an axis without a `scale` prop only ever gets a band, point or linear scale
 * (recharts/es6/state/selectors/combiners/combineRealScaleType.js). In those two lookup modules the namespace is
 * replaced by a module with the real band, point and linear scales and every other scale name as a function that
 * throws, naming this file: a chart given another `scale` fails loudly instead of drawing with the wrong one.
 * Charts here: src/features/reproducibility/components/history-chart.tsx (category X axis, number Y axes).
 */
const LOOKUPS = /\/node_modules\/recharts\/es6\/state\/selectors\/combiners\/combine(ConfiguredScale|RealScaleType)\.js$/
const SCALES = '\0provenance:recharts-scales'
/** The scales recharts picks by itself ('auto'): band and point for category axes, linear for number axes. */
const KEPT = ['scaleBand', 'scaleLinear', 'scalePoint'] as const

export function rechartsScales(): Plugin {
  return {
    name: 'provenance:recharts-scales',
    apply: 'build',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source !== 'victory-vendor/d3-scale' || !importer || !LOOKUPS.test(importer)) return null
      return SCALES
    },
    async load(id) {
      if (id !== SCALES) return null
      // d3-scale's own list, so a scale added upstream is stubbed (and so named in the error) rather than missing.
      const names = Object.keys(await import('d3-scale')).filter((name) => /^scale[A-Z]/.test(name))
      const missing = KEPT.filter((name) => !names.includes(name))
      if (missing.length > 0) return this.error(`d3-scale no longer exports ${missing.join(', ')}: update scripts/vite-recharts-scales.ts`)
      const message = (name: string) => JSON.stringify(`${name} is not part of the browser build: add it to KEPT in scripts/vite-recharts-scales.ts`)
      return [
        `export { ${KEPT.join(', ')} } from 'victory-vendor/d3-scale'`,
        ...names.filter((name) => !(KEPT as readonly string[]).includes(name)).map((name) => `export const ${name} = () => { throw new Error(${message(name)}) }`),
      ].join('\n')
    },
  }
}
