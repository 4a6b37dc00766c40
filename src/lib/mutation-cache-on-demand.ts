import type { MutationCache } from '@tanstack/react-query'

/**
 * TanStack Query's mutation cache, made when the first screen that changes data loads. Most screens only read:
 * building the cache with the query client put it and the `Mutation` class (about 1.4 kB gzip) on every first
 * visit. In the browser build (scripts/vite-query-mutations-on-demand.ts), the query client is given
 * `mutationCacheOnDemand()` instead of a cache of its own, and TanStack's MutationObserver module, which loads with
 * `useMutation`, hands the class over (`provideMutationCache`) before any mutation can start. The server, the tests
 * and the dev server keep TanStack's own wiring.
 *
 * Until then, the client asks the cache only for the mutations it holds (none can exist yet) and to resume the
 * paused ones (none): the stand-in answers as an empty cache would. Anything else asked of it before the class is
 * here is a mistake in that wiring, and throws rather than losing a mutation.
 */

type MutationCacheClass = new (config?: ConstructorParameters<typeof MutationCache>[0]) => MutationCache

let provided: MutationCacheClass | null = null
const waiting = new Set<(Class: MutationCacheClass) => void>()

/** Hands over TanStack's MutationCache class; every stand-in made before becomes a real cache. */
export function provideMutationCache(Class: MutationCacheClass): void {
  if (provided !== null) return
  provided = Class
  for (const become of waiting) become(Class)
  waiting.clear()
}

/** What an empty cache answers to what a query client (and a mutation observer, `notify`) asks before the class is here. */
const EMPTY: Partial<Record<keyof MutationCache, unknown>> = {
  findAll: () => [],
  resumePausedMutations: () => Promise.resolve(),
  clear: () => undefined,
  notify: () => undefined,
}

/** A mutation cache for a query client, real once the class is provided (at once, when it already is). */
export function mutationCacheOnDemand(): MutationCache {
  let real: MutationCache | null = provided === null ? null : new provided()
  if (real === null) waiting.add((Class) => (real = new Class()))
  return new Proxy({} as MutationCache, {
    get(_, key) {
      if (real !== null) {
        const value: unknown = Reflect.get(real, key)
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(real) : value
      }
      if (key in EMPTY) return EMPTY[key as keyof MutationCache]
      throw new Error(`${String(key)}: TanStack Query's mutation code is not loaded`)
    },
  })
}
