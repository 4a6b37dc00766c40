import type { z } from 'zod'
import { ApiErrorBody } from '../contract/common'
import { ApiError } from './api-error'
import { tokenStore } from './token-store'

type QueryValue = string | number | boolean | null | undefined

export type GetJsonOptions<S extends z.ZodType> = {
  query?: Record<string, QueryValue>
  schema: S
  signal?: AbortSignal
}

const reasons: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

function withQuery(path: string, query: Record<string, QueryValue> | undefined): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    params.set(key, String(value))
  }
  const search = params.toString()
  return search ? `${path}?${search}` : path
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error instanceof DOMException && error.name === 'AbortError')
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): { message: string; path: string | undefined } {
  const first = issues[0]
  const path = first && first.path.length > 0 ? first.path.map(String).join('.') : undefined
  const summary = issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`)
    .join('; ')
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : ''
  return { message: summary + more, path }
}

async function errorFromResponse(response: Response, endpoint: string): Promise<ApiError> {
  let body: unknown = null
  try {
    const text = await response.text()
    body = text ? JSON.parse(text) : null
  } catch {
    body = null
  }
  const parsed = ApiErrorBody.safeParse(body)
  if (parsed.success) {
    return new ApiError({ status: response.status, endpoint, ...parsed.data.error })
  }
  const reason = response.statusText || reasons[response.status] || 'Error'
  return new ApiError({
    status: response.status,
    code: `http-${response.status}`,
    // A sentence for the page; the API path stays on the error (`endpoint`) for technical detail.
    message: `The server answered ${response.status} ${reason}.`,
    endpoint,
  })
}

/** The answer checked against its contract schema: the parsed value, or `invalid-response` naming where the answer breaks it. */
function checked<S extends z.ZodType>(schema: S, body: unknown, status: number, endpoint: string): z.output<S> {
  const result = schema.safeParse(body)
  if (result.success) return result.data
  const { message, path } = describeIssues(result.error.issues)
  throw new ApiError({ status, code: 'invalid-response', message: `The server’s answer does not match the API contract: ${message}`, path, endpoint })
}

const networkError = (endpoint: string) =>
  new ApiError({ status: 0, code: 'network', message: 'Could not reach the server. Check that it is running and that you are online.', endpoint })

/**
 * One request to the API, up to a successful status: the token as a bearer token, a network failure or an error
 * status as `ApiError`, cancellation rethrown as is (so that TanStack Query can tell the two apart). `stored`: the
 * token is the app's read token, which a 401 makes the app forget; a token for another scope is the caller's to handle.
 */
async function send(url: string, endpoint: string, init: { method?: 'PATCH' | 'POST'; token: string | null; stored: boolean; body?: unknown; signal: AbortSignal | undefined }): Promise<Response> {
  const { token, signal } = init
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (token !== null) headers.Authorization = `Bearer ${token}`
  // A JSON body for routes that take one; action routes send none.
  if (init.body !== undefined) headers['Content-Type'] = 'application/json'
  let response: Response
  try {
    response = await fetch(url, { headers, signal: signal ?? null, ...(init.method ? { method: init.method } : {}), ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) })
  } catch (error) {
    if (isAbort(error, signal)) throw error
    throw networkError(endpoint)
  }
  if (!response.ok) {
    const error = await errorFromResponse(response, endpoint)
    if (init.stored && response.status === 401) tokenStore.unauthorized(token)
    throw error
  }
  return response
}

/**
 * GET a JSON resource of the Provenance API and parse it with its contract schema. The only place in the SPA that
 * calls `fetch`. Throws `ApiError` for every failure except cancellation (which is rethrown as is, so that
 * TanStack Query can tell the two apart).
 */
export async function getJson<S extends z.ZodType>(path: string, options: GetJsonOptions<S>): Promise<z.output<S>> {
  const { query, schema, signal } = options
  const response = await send(withQuery(path, query), path, { token: tokenStore.token(), stored: true, signal })
  let body: unknown
  try {
    body = await response.json()
  } catch (error) {
    if (isAbort(error, signal)) throw error
    throw new ApiError({ status: response.status, code: 'invalid-json', message: 'The server’s answer is not valid JSON.', endpoint: path })
  }
  return checked(schema, body, response.status, path)
}

/**
 * PATCH a JSON body to a route of the Provenance API (triage of an alert) and parse the answer with its contract
 * schema. `token` is the token for the route's scope (`triage`), kept apart from the read token; a refused one is
 * the caller's to handle and does not make the app forget its read token.
 */
export async function patchJson<S extends z.ZodType>(path: string, options: { body: unknown; schema: S; token: string | null; signal?: AbortSignal }): Promise<z.output<S>> {
  const response = await send(path, path, { method: 'PATCH', token: options.token, stored: false, body: options.body, signal: options.signal })
  return checked(options.schema, await response.json().catch(() => null), response.status, path)
}

/**
 * POST to a route of the Provenance API (an action with no body, or a JSON `body`) and parse the answer with its contract schema. `token`
 * overrides the stored read token, for actions that need another scope (starting a source's sync needs `ingest`);
 * a refused override is the caller's to handle and does not make the app forget its read token.
 */
export async function postJson<S extends z.ZodType>(path: string, options: { schema: S; token?: string | null; signal?: AbortSignal; body?: unknown }): Promise<z.output<S>> {
  const response = await send(path, path, { method: 'POST', token: options.token ?? tokenStore.token(), stored: false, body: options.body, signal: options.signal })
  return checked(options.schema, await response.json().catch(() => null), response.status, path)
}

/**
 * GET a JSON resource of the Provenance API as the bytes of its body, unparsed, for an answer big enough that
 * parsing it would hold up the page (a lineage graph of thousands of nodes is parsed in a worker, with
 * `parseJsonBytes`). Failures before the body (network, HTTP status, a refused token) are thrown as `getJson` throws them.
 */
export async function getJsonBytes(path: string, options: { query?: Record<string, QueryValue>; signal?: AbortSignal }): Promise<{ bytes: ArrayBuffer; status: number }> {
  const { query, signal } = options
  const response = await send(withQuery(path, query), path, { token: tokenStore.token(), stored: true, signal })
  try {
    return { bytes: await response.arrayBuffer(), status: response.status }
  } catch (error) {
    if (isAbort(error, signal)) throw error
    throw networkError(path)
  }
}

/**
 * The bytes of a JSON answer (from `getJsonBytes`) parsed with its contract schema, with `getJson`'s errors:
 * `invalid-json` for text that is not JSON, `invalid-response` naming where the answer breaks the contract. Touches
 * nothing of the page, so it runs in a worker too.
 */
export function parseJsonBytes<S extends z.ZodType>(bytes: ArrayBuffer, schema: S, answer: { status: number; endpoint: string }): z.output<S> {
  let body: unknown
  try {
    body = JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    throw new ApiError({ status: answer.status, code: 'invalid-json', message: 'The server’s answer is not valid JSON.', endpoint: answer.endpoint })
  }
  return checked(schema, body, answer.status, answer.endpoint)
}
