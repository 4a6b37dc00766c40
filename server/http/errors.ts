import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { z } from 'zod'

/*
 * The one error shape of the API, `{ error: { code, message, path? } }` (ApiErrorBody in the contract): every
 * route answers a client's mistake with what was wrong and where, never with a stack.
 */

export function apiError(c: Context, status: ContentfulStatusCode, code: string, message: string, path?: string): Response {
  return c.json({ error: { code, message, ...(path ? { path } : {}) } }, status)
}

/** The first problem zod found, with its location spelled as the API spells it: `query.limit`, `path.id`. */
export function zodProblem(error: z.ZodError, prefix: string): { message: string; path: string } {
  const issue = error.issues[0]
  const path = [prefix, ...(issue?.path ?? []).map(String)].join('.')
  return { message: `${path}: ${issue?.message ?? 'invalid'}`, path }
}
