import type { QueryClient } from '@tanstack/react-query'
import { projectQueries } from '../../api/project-queries'
import type { Loader } from '../../lib/route-loader'
import { parseSignaturesSearch, toSignatureFilter } from './lib/signatures-search'
import { signatureQueries } from './signatures-queries'

export function signaturesLoader(queryClient: QueryClient): Loader {
  return ({ searchParams }) => {
    const search = parseSignaturesSearch(searchParams)
    void queryClient.infiniteQuery(signatureQueries.list(toSignatureFilter(search))).catch(() => undefined)
    void queryClient.query(projectQueries.list()).catch(() => undefined)
    return null
  }
}
