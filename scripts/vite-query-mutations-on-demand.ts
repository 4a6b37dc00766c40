import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vite'

const ON_DEMAND = fileURLToPath(new URL('../src/lib/mutation-cache-on-demand.ts', import.meta.url))
/**
 * How the edited modules import it: a fixed name this plugin resolves to the file. The file's own path would put the
 * checkout's directory into the edited code, and so into the source map's columns: two checkouts would not build
 * the same bytes (scripts/check-reproducible.mjs).
 */
const ON_DEMAND_ID = 'provenance:mutation-cache-on-demand'
const QUERY_CORE = /\/node_modules\/@tanstack\/query-core\/build\/modern\/(queryClient|mutationObserver)\.js$/

/** The text each module must hold, and what it becomes. */
const EDITS: Record<'queryClient' | 'mutationObserver', { find: string; replace: string }[]> = {
  queryClient: [
    { find: 'import { MutationCache } from "./mutationCache.js";', replace: `import { mutationCacheOnDemand } from ${JSON.stringify(ON_DEMAND_ID)};` },
    { find: 'config.mutationCache || new MutationCache()', replace: 'config.mutationCache || mutationCacheOnDemand()' },
  ],
  mutationObserver: [
    {
      find: 'import { getDefaultState } from "./mutation.js";',
      replace: `import { getDefaultState } from "./mutation.js"; import { MutationCache } from "./mutationCache.js"; import { provideMutationCache } from ${JSON.stringify(ON_DEMAND_ID)}; provideMutationCache(MutationCache);`,
    },
  ],
}

/**
 * In the browser build, TanStack Query's mutation cache loads with the first screen that changes data
 * (src/lib/mutation-cache-on-demand.ts): the query client no longer imports the `MutationCache` class (and with it
 * `Mutation`), which every first visit loaded, and the MutationObserver module, which `useMutation` imports, provides
 * it instead. The build fails if either module stops reading as expected, rather than ship the cache twice or not
 * at all.
 */
export function queryMutationsOnDemand(): Plugin {
  const edited = new Set<string>()
  return {
    name: 'provenance:query-mutations-on-demand',
    apply: 'build',
    resolveId(id) {
      return id === ON_DEMAND_ID ? ON_DEMAND : null
    },
    transform: {
      filter: { id: QUERY_CORE },
      handler(code, id) {
        const module = QUERY_CORE.exec(id)![1] as keyof typeof EDITS
        let out = code
        for (const { find, replace } of EDITS[module]) {
          if (!out.includes(find)) this.error(`${module}.js of @tanstack/query-core no longer holds ${find}: update scripts/vite-query-mutations-on-demand.ts`)
          out = out.replace(find, replace)
        }
        edited.add(module)
        // Every edit stays on its line, so the lines of the library's own source map stay true.
        return { code: out, map: null }
      },
    },
    buildEnd(error) {
      if (error === undefined && !edited.has('queryClient')) this.error('no query client found to edit: update scripts/vite-query-mutations-on-demand.ts')
    },
  }
}
