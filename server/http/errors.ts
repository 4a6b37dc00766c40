import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/*
 * The one error shape of the API, `{ error: { code, message, path? } }` (ApiErrorBody in the contract): every
 * route answers a client's mistake with what was wrong and where, never with a stack.
 */

export function apiError(c: Context, status: ContentfulStatusCode, code: string, message: string, path?: string): Response {
  return c.json({ error: { code, message, ...(path ? { path } : {}) } }, status)
}
