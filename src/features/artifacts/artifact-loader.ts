import type { QueryClient } from '@tanstack/react-query'
import { DigestParam } from '../../contract/artifacts'
import { RouteProblem, type Loader } from '../../lib/route-loader'
import { artifactQueries } from './artifacts-queries'

export function readDigest(value: string | undefined): string | null {
  const parsed = DigestParam.safeParse(value)
  return parsed.success ? parsed.data : null
}

/** Waits for the artifact: the page has nothing to show without it, and an unknown digest is a 404. */
export function artifactLoader(queryClient: QueryClient): Loader {
  return async ({ params }) => {
    const digest = readDigest(params.digest)
    if (digest === null) {
      throw new RouteProblem('That address does not name an artifact: a digest is `sha256:<hex>` or at least 12 hex characters.', 404, 'Not a digest')
    }
    await queryClient.query(artifactQueries.detail(digest))
    return null
  }
}
