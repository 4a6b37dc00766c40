import { z } from 'zod'
import { BuildId, Instant } from './common'
import { errors, type RouteSpec } from './route-spec'

/* Search across digests, commits, build ids, names, projects, purls and signers. */

export const SearchTarget = z.discriminatedUnion('type', [
  z.object({ type: z.literal('artifact'), digest: z.string() }),
  z.object({ type: z.literal('build'), id: BuildId }),
  z.object({ type: z.literal('signatures'), signer: z.string() }),
  /** Every artifact published under a name, newest first: the Artifacts list filtered by it. */
  z.object({ type: z.literal('artifacts'), name: z.string() }),
  /** A project's builds, newest first: the Builds list filtered by it. */
  z.object({ type: z.literal('builds'), project: z.string() }),
])
export type SearchTarget = z.infer<typeof SearchTarget>

export const SearchResult = z.object({
  kind: z.enum(['artifact', 'build', 'commit', 'project', 'signer', 'package']),
  /** What matched, e.g. the artifact name or the commit. */
  title: z.string(),
  /** One line of context: project, digest, counts. */
  detail: z.string(),
  /** When what matched was built (the newest build, for a name several builds published) or rebuilt; null when unknown. */
  when: z.object({ what: z.enum(['built', 'newest built', 'rebuilt']), at: Instant }).nullable(),
  target: SearchTarget,
})
export type SearchResult = z.infer<typeof SearchResult>

/** Search text as it arrives from an address or the box: trimmed, at most 512 characters, null when empty. */
export function normaliseQuery(value: string | null | undefined): string | null {
  const trimmed = (value ?? '').trim().slice(0, 512)
  return trimmed === '' ? null : trimmed
}

/**
 * The address the SPA asks a search at: also the data the server names as a preload of a search's page
 * (server/http/first-route-preload.ts), and the browser hands the hint's answer to the SPA's request only when the
 * two match exactly.
 */
export const searchHref = (q: string): string => `/api/v1/search?${new URLSearchParams({ q }).toString()}`

export const SearchQuery = z.object({ q: z.string().trim().min(1, 'type something to search for').max(512) })

export const SearchResponse = z.object({
  query: z.string(),
  /** How the query was read: a digest (full or prefix), a commit (full or 7+ characters), a build id (full or 7+ characters), or free text (names, projects, purls, signers). */
  interpretedAs: z.enum(['digest', 'commit', 'build-id', 'text']),
  results: z.array(SearchResult),
})
export type SearchResponse = z.infer<typeof SearchResponse>

/** The search routes, declared once: mounted by the server, published as OpenAPI. */
export const searchRoutes = {
  search: {
    method: 'get',
    path: '/api/v1/search',
    summary: 'Find by digest (full, bare or a prefix of 12+ hex characters), commit or build id (full or 7+ hex characters), artifact name, project, purl or signer (text by prefix); at most 20 results',
    scope: 'read',
    query: SearchQuery,
    responses: { 200: { description: 'How the query was read and what it found, exact matches first', schema: SearchResponse }, ...errors },
  },
} as const satisfies Record<string, RouteSpec>
