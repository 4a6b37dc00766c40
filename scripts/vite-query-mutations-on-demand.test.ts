import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { queryMutationsOnDemand } from './vite-query-mutations-on-demand'

const modern = dirname(createRequire(import.meta.url).resolve('@tanstack/query-core'))

type Handler = (this: { error: (message: string) => never }, code: string, id: string) => { code: string }

function transform(file: string, code = readFileSync(join(modern, file), 'utf8')): string {
  const plugin = queryMutationsOnDemand()
  const handler = (plugin.transform as { handler: Handler }).handler
  return handler.call(
    {
      error: (message) => {
        throw new Error(message)
      },
    },
    code,
    join(modern, file),
  ).code
}

describe('query mutations on demand (browser build)', () => {
  it('takes the mutation cache out of the query client and has the mutation observer provide it', () => {
    const client = transform('queryClient.js')
    expect(client).not.toContain('./mutationCache.js')
    expect(client).toContain('config.mutationCache || mutationCacheOnDemand()')
    const observer = transform('mutationObserver.js')
    expect(observer).toContain('import { MutationCache } from "./mutationCache.js"')
    expect(observer).toContain('provideMutationCache(MutationCache);')
    // By a fixed name, not the checkout's path, which would differ between two checkouts' builds.
    expect(client).toContain('from "provenance:mutation-cache-on-demand"')
    expect(observer).toContain('from "provenance:mutation-cache-on-demand"')
    expect(client + observer).not.toContain(process.cwd())
    // Every edit keeps the lines where they were.
    expect(client.split('\n')).toHaveLength(readFileSync(join(modern, 'queryClient.js'), 'utf8').split('\n').length)
    expect(observer.split('\n')).toHaveLength(readFileSync(join(modern, 'mutationObserver.js'), 'utf8').split('\n').length)
  })

  it('fails rather than guess when the library no longer reads as expected', () => {
    expect(() => transform('queryClient.js', 'export class QueryClient {}')).toThrow(/no longer holds/)
  })
})
