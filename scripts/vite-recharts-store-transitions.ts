import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vite'

const replacement = fileURLToPath(new URL('../src/lib/store-in-transitions.ts', import.meta.url))

/**
 * In the browser build, recharts reads its chart state through src/lib/store-in-transitions.ts instead of
 * `use-sync-external-store/shim/with-selector`: the same hook, whose store changes React renders as transitions,
 * in slices, rather than in one task it cannot interrupt (that module says why and what it gives up). Only recharts'
 * own hooks module (recharts/es6/state/hooks.js, its one reader of the store) is redirected; the build fails if
 * recharts stops importing the shim there, so a new recharts release is looked at again. The dev server and the
 * unit tests keep the shim; the end-to-end tests and the browser bench run this build.
 */
export function rechartsStoreTransitions(): Plugin {
  const source = 'use-sync-external-store/shim/with-selector'
  const importer = /\/node_modules\/recharts\/es6\/state\/hooks\.js$/
  let redirected = 0
  return {
    name: 'provenance:recharts-store-transitions',
    apply: 'build',
    enforce: 'pre',
    buildStart() {
      redirected = 0
    },
    resolveId(id, from) {
      if (id !== source || from === undefined || !importer.test(from)) return null
      redirected++
      return replacement
    },
    buildEnd(error) {
      // Only a build that bundles the chart reaches recharts' hooks (a Web Worker's build does not).
      if (error === undefined && redirected === 0 && [...this.getModuleIds()].some((id) => /\/node_modules\/recharts\//.test(id))) {
        this.error(`recharts no longer imports ${source} from es6/state/hooks.js: update scripts/vite-recharts-store-transitions.ts`)
      }
    },
  }
}
