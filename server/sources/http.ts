/*
 * HTTP for the connectors: one place that waits out rate limits (429/503 with Retry-After, GitHub's
 * x-ratelimit-* headers), retries what a retry can fix, and turns every failure into a SourceFetchError that
 * names the URL and the status, which is what the sources screen shows.
 */

/** A request that failed: the URL (never with credentials), the status (null: no answer) and what happened. */
export class SourceFetchError extends Error {
  override name = 'SourceFetchError'
  constructor(
    message: string,
    readonly url: string | null,
    readonly status: number | null,
  ) {
    super(message)
  }
}

export type TransportInit = { method?: string; headers?: Record<string, string>; timeoutMs: number }

/**
 * What the connectors read of an answer: the part of fetch's Response they use. A Response is one; the registry
 * transport answers a lighter object, since building a WHATWG Response and Headers for each of a polling sync's
 * thousand `304`s was a third of its CPU in this process (./node-transport.ts).
 */
export type SourceResponse = {
  readonly status: number
  readonly ok: boolean
  readonly headers: { get(name: string): string | null; has(name: string): boolean }
  /** Null when the answer has no body (a 304, a HEAD). */
  readonly body: { cancel(): Promise<void> } | null
  text(): Promise<string>
  arrayBuffer(): Promise<ArrayBuffer>
}

/**
 * How a request is sent: Node's fetch by default; the OCI client sends over node:http (./node-transport.ts),
 * which costs about a third of the CPU a request. Rejects when there is no answer (a TimeoutError after `timeoutMs`).
 */
export type Transport = (url: string, init: TransportInit) => Promise<SourceResponse>

export const fetchTransport: Transport = (url, init) => fetch(url, { method: init.method, headers: init.headers, redirect: 'follow', signal: AbortSignal.timeout(init.timeoutMs) })

export type FetchPolicy = {
  /** Attempts for 429, 502–504 and connection failures (default 4). */
  attempts?: number
  /** The longest wait for a rate limit or Retry-After this client accepts before giving up (default 60 s). */
  maxWaitMs?: number
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  /** Default: fetch. */
  transport?: Transport
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Retry-After as seconds or an HTTP date, in ms from now; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null || header.trim() === '') return null
  const value = header.trim()
  if (/^\d+$/.test(value)) return Number(value) * 1000
  const at = Date.parse(value)
  return Number.isFinite(at) ? Math.max(0, at - now) : null
}

/**
 * How long GitHub asks us to wait: `x-ratelimit-remaining: 0` with `x-ratelimit-reset` (epoch seconds) means the
 * budget is spent until then (a 403 or 429 says the same). Null when the headers do not say.
 */
export function rateLimitWaitMs(headers: SourceResponse['headers'], now: number): number | null {
  if (headers.get('x-ratelimit-remaining') !== '0') return null
  const reset = Number(headers.get('x-ratelimit-reset'))
  return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - now) : null
}

export const redact = (url: string): string => {
  try {
    const parsed = new URL(url)
    parsed.username = ''
    parsed.password = ''
    return parsed.toString()
  } catch {
    return url
  }
}

const describe = (error: unknown): string => {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ''
    return error.name === 'TimeoutError' ? 'no answer within the timeout' : `${error.message}${cause}`
  }
  return String(error)
}

/** fetch with waits and retries; answers every response it does not retry (the caller judges 4xx). */
export async function fetchWithRetry(url: string, init: Omit<TransportInit, 'timeoutMs'>, policy: FetchPolicy = {}): Promise<SourceResponse> {
  const attempts = policy.attempts ?? 4
  const maxWait = policy.maxWaitMs ?? 60_000
  const sleep = policy.sleep ?? defaultSleep
  const now = policy.now ?? Date.now
  const transport = policy.transport ?? fetchTransport
  let lastError: SourceFetchError | null = null
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let response: SourceResponse
    try {
      response = await transport(url, { ...init, timeoutMs: policy.timeoutMs ?? 30_000 })
    } catch (error) {
      lastError = new SourceFetchError(`could not reach ${new URL(url).host}: ${describe(error)}`, redact(url), null)
      if (attempt < attempts) await sleep(Math.min(maxWait, 250 * 2 ** (attempt - 1)))
      continue
    }
    const limited = response.status === 429 || ((response.status === 403 || response.status === 503) && (response.headers.has('retry-after') || rateLimitWaitMs(response.headers, now()) !== null))
    if (limited || response.status === 502 || response.status === 503 || response.status === 504) {
      const wait = retryAfterMs(response.headers.get('retry-after'), now()) ?? rateLimitWaitMs(response.headers, now()) ?? 500 * 2 ** (attempt - 1)
      await response.body?.cancel()
      const what = limited ? 'rate limited' : `answered ${response.status}`
      lastError = new SourceFetchError(`${new URL(url).host} ${what} (${response.status}) after ${attempt} attempt${attempt === 1 ? '' : 's'}`, redact(url), response.status)
      if (wait > maxWait) {
        throw new SourceFetchError(
          `${new URL(url).host} is rate limiting (${response.status}) and asks to wait ${Math.ceil(wait / 1000)} s, longer than ${Math.ceil(maxWait / 1000)} s; the next sync will try again`,
          redact(url),
          response.status,
        )
      }
      if (attempt < attempts) await sleep(wait)
      continue
    }
    return response
  }
  throw lastError ?? new SourceFetchError(`no answer from ${new URL(url).host}`, redact(url), null)
}

/** Reads a body as JSON, or says at which URL the answer was not JSON. */
export async function readJson(response: SourceResponse, url: string, what: string): Promise<unknown> {
  const text = await response.text()
  try {
    return JSON.parse(text)
  } catch {
    throw new SourceFetchError(`${what} is not JSON (${text.length} bytes starting ${JSON.stringify(text.slice(0, 24))})`, redact(url), response.status)
  }
}

export const statusText = (status: number): string =>
  ({ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 429: 'Too Many Requests', 500: 'Internal Server Error' })[status] ?? ''

/** Runs `work` over items with at most `limit` in flight; results in item order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index] as T, index)
    }
  })
  await Promise.all(lanes)
  return results
}
