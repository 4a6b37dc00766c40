import type { QueryClient } from '@tanstack/react-query'
import { z } from 'zod'
import { BuildId } from '../../contract/common'
import type { Loader } from '../../lib/route-loader'
import { compareQueries } from './compare-queries'

const CompareSearch = z.object({ a: BuildId.optional().catch(undefined), b: BuildId.optional().catch(undefined), all: z.enum(['1']).optional().catch(undefined) })
export type CompareSearch = z.infer<typeof CompareSearch>

export function parseCompareSearch(params: URLSearchParams): CompareSearch {
  return CompareSearch.parse({ a: params.get('a') ?? undefined, b: params.get('b') ?? undefined, all: params.get('all') ?? undefined })
}

export function compareLoader(queryClient: QueryClient): Loader {
  return ({ searchParams }) => {
    const { a, b } = parseCompareSearch(searchParams)
    for (const id of [a, b]) if (id !== undefined) void queryClient.query(compareQueries.build(id)).catch(() => undefined)
    return null
  }
}
