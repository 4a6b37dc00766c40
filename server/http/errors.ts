import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { STORE_UNAVAILABLE_MESSAGE, isStoreUnavailable } from '../coordination/unavailable'
import { StoreQueryError } from '../store/errors'

/*
 * The one error shape of the API, `{ error: { code, message, path? } }` (ApiErrorBody in the contract): every
 * route answers a client's mistake with what was wrong and where, never with a stack.
 */

export function apiError(c: Context, status: ContentfulStatusCode, code: string, message: string, path?: string): Response {
  return c.json(errorBody(code, message, path), status)
}

/** The body of an error answer (ApiErrorBody). */
export const errorBody = (code: string, message: string, path?: string) => ({ error: { code, message, ...(path ? { path } : {}) } })

export type ThrownAnswer = { status: ContentfulStatusCode; code: string; message: string; path?: string; retryAfter?: string }

/** What a request that threw is answered: a bad query names its parameter, an unreachable store 503, anything else 500 (logged). */
export function thrownAnswer(error: unknown, method: string, path: string): ThrownAnswer {
  if (error instanceof StoreQueryError) return { status: 400, code: error.code, message: error.message, path: `query.${error.path}` }
  if (isStoreUnavailable(error)) {
    // PostgreSQL restarting or out of reach: a retry will do; the pool reconnects by itself.
    console.error(`provenance: ${method} ${path}: the database cannot be reached: ${error instanceof Error ? error.message : String(error)}`)
    return { status: 503, code: 'store-unavailable', message: STORE_UNAVAILABLE_MESSAGE, retryAfter: '5' }
  }
  console.error(error)
  return { status: 500, code: 'internal', message: 'the server failed to answer; the error is in its log' }
}
