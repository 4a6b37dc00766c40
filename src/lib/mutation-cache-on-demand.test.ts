import { MutationCache, MutationObserver, QueryClient } from '@tanstack/react-query'
import { describe, expect, it } from 'vitest'
import { mutationCacheOnDemand, provideMutationCache } from './mutation-cache-on-demand'

// One module instance for the file: the first test runs before the class is provided, the others after.
describe('the mutation cache on demand', () => {
  const early = new QueryClient({ mutationCache: mutationCacheOnDemand() })

  it('answers as an empty cache before the mutation code loads, and refuses to start a mutation', async () => {
    expect(early.isMutating()).toBe(0)
    expect(early.getMutationCache().findAll()).toEqual([])
    await expect(early.resumePausedMutations()).resolves.toBeUndefined()
    expect(() => early.clear()).not.toThrow()
    expect(() => early.getMutationCache().build(early, { mutationFn: () => Promise.resolve(1) })).toThrow(/build: TanStack Query's mutation code is not loaded/)
  })

  it('runs mutations once the class is provided, in a client made before and one made after', async () => {
    provideMutationCache(MutationCache)
    for (const client of [early, new QueryClient({ mutationCache: mutationCacheOnDemand() })]) {
      const observer = new MutationObserver(client, { mutationFn: (value: number) => Promise.resolve(value * 2) })
      const result = observer.mutate(21)
      expect(client.isMutating()).toBe(1)
      await expect(result).resolves.toBe(42)
      expect(client.isMutating()).toBe(0)
      expect(observer.getCurrentResult()).toMatchObject({ status: 'success', data: 42 })
      expect(client.getMutationCache().getAll()).toHaveLength(1)
    }
  })
})
