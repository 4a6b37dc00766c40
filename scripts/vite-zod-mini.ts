import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vite'

const SRC = fileURLToPath(new URL('../src/', import.meta.url))
const SHIM = fileURLToPath(new URL('../src/lib/zod-on-mini.ts', import.meta.url))

/**
 * In the browser build, `import { z } from 'zod'` in the SPA's own code (src/**, the contract included) resolves to
 * src/lib/zod-on-mini.ts: classic zod's API for what the contract uses, built on `zod/mini`, which bundles only
 * what is called (about 11 kB gzip instead of 21). The server, scripts, tests and type checking keep classic zod;
 * both make the same core schemas (src/lib/zod-on-mini.test.ts compares them). Libraries under node_modules are
 * left alone.
 */
export function zodOnMini(): Plugin {
  return {
    name: 'provenance:zod-on-mini',
    apply: 'build',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source !== 'zod' || importer === undefined || importer === SHIM) return null
      if (!importer.startsWith(SRC)) return null
      return SHIM
    },
  }
}
