/*
 * Telling "the database cannot be reached" apart from every other failure, so the API can answer 503 (retry
 * later; nothing was changed) instead of 500 (our fault) while PostgreSQL restarts or the network drops.
 */

/** SQLSTATE classes and codes that mean the server is unreachable, starting up or shutting down. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300'])
/** Socket errors from node when the database host cannot be reached. */
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN'])
/** pg reports a dropped or timed-out connection by message only. */
const UNAVAILABLE_MESSAGES = [/^Connection terminated/, /^timeout exceeded when trying to connect/, /^Client has encountered a connection error/, /^Connection ended unexpectedly/]

/** True when `error` (or what it wraps) says the store is unreachable rather than that a query was wrong. */
export function isStoreUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== 'object' || error === null) return false
  const code = 'code' in error && typeof error.code === 'string' ? error.code : null
  if (code !== null && (UNAVAILABLE_ERRNOS.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08'))) return true
  if (error instanceof Error && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message))) return true
  if (error instanceof AggregateError && error.errors.some((inner) => isStoreUnavailable(inner, depth + 1))) return true
  return 'cause' in error && isStoreUnavailable(error.cause, depth + 1)
}

/** What a client is told while the store is unreachable. */
export const STORE_UNAVAILABLE_MESSAGE = 'the database cannot be reached right now; nothing was changed by this request, retry in a few seconds'
