import type { z } from 'zod'
import { ApiErrorBody } from './common'

/**
 * One route of the Provenance API, declared once: the server mounts it from this declaration (scope check,
 * parameter and query validation) and the OpenAPI document is generated from it, so the two cannot drift.
 */
export type RouteSpec = {
  method: 'get' | 'post' | 'patch'
  path: string
  summary: string
  /**
   * Token scope the route needs; `read` routes are open unless `auth.readRequiresToken` is set. `gate`: a recorded
   * release-gate decision, which a token with `ingest` may also ask for.
   */
  scope: 'none' | 'read' | 'ingest' | 'triage' | 'gate'
  params?: z.ZodObject
  /** The error code for a malformed path parameter (default `invalid-path`), and an example to append. */
  paramError?: { code: string; hint?: string }
  query?: z.ZodObject
  body?: { contentTypes: string[]; description: string }
  responses: Record<number, { description: string; schema?: z.ZodType }>
}

/** The client errors every authenticated route can answer with. */
export const errors = {
  400: { description: 'Malformed request; the body says what was wrong and where', schema: ApiErrorBody },
  401: { description: 'A token is needed', schema: ApiErrorBody },
  403: { description: 'The token lacks the scope this route needs', schema: ApiErrorBody },
} as const

/** `/api/v1/builds/{id}` (OpenAPI) → `/api/v1/builds/:id`, the pattern Hono and MSW both route by. */
export const pathPattern = (route: Pick<RouteSpec, 'path'>): string => route.path.replace(/\{(\w+)\}/g, ':$1')

/** The first problem zod found, with its location spelled as the API spells it: `query.limit`, `path.id`. */
export function zodProblem(error: z.ZodError, prefix: string): { message: string; path: string } {
  const issue = error.issues[0]
  const path = [prefix, ...(issue?.path ?? []).map(String)].join('.')
  return { message: `${path}: ${issue?.message ?? 'invalid'}`, path }
}

/** The error a route answers for a malformed path parameter or query, the same from the server and the mocks. */
export function inputProblem(route: RouteSpec, where: 'path' | 'query', error: z.ZodError): { code: string; message: string; path: string } {
  const problem = zodProblem(error, where)
  if (where === 'query') return { code: 'invalid-query', ...problem }
  const hint = route.paramError?.hint
  return { code: route.paramError?.code ?? 'invalid-path', message: hint ? `${problem.message} (${hint})` : problem.message, path: problem.path }
}
