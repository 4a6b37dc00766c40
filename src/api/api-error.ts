/**
 * The error type of every failed API call, apart from the fetch client so that the app shell can recognise and
 * explain errors without loading zod and the contract (they arrive with the first route's chunk).
 */
/** A failed API call: what the server said (or what went wrong before it could say anything). */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  /** HTTP status; 0 when no response arrived (network failure). */
  readonly status: number
  /** Stable machine code from the server's error body, or one of ours: `network`, `invalid-json`, `invalid-response`, `http-<status>`. */
  readonly code: string
  /** Where the problem is, as the server reports it (JSON path, query parameter, line). */
  readonly path: string | undefined
  /** The API path that was requested, without the query. */
  readonly endpoint: string

  constructor(init: { status: number; code: string; message: string; path?: string | undefined; endpoint: string }) {
    super(init.message)
    this.status = init.status
    this.code = init.code
    this.path = init.path
    this.endpoint = init.endpoint
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError
}

/**
 * A sentence for the UI: what failed and what the reader can do about it; `retryable` is false when asking again
 * the same way cannot help (the server refused the request as malformed), so no Retry is offered.
 */
export function describeError(error: unknown): { message: string; hint: string | null; retryable: boolean } {
  if (!isApiError(error)) {
    return {
      message: error instanceof Error ? error.message : 'Something unexpected went wrong.',
      hint: null,
      retryable: true,
    }
  }
  return { ...describeApiError(error), retryable: error.status !== 400 }
}

function describeApiError(error: ApiError): { message: string; hint: string | null } {
  const where = error.path ? whereWords(error.path) : null
  const text = forThePage(error.message, error.path)
  const message = asSentence(where === null ? text : `${withoutFullStop(text)} (${where})`)
  if (error.status === 401) return { message, hint: 'Enter a read token in the form at the top of the page.' }
  if (error.status === 403) return { message, hint: 'The token you entered lacks the read scope; ask for one that has it.' }
  if (error.status === 0 || error.status >= 500) return { message, hint: 'This is usually temporary; retry in a moment.' }
  if (error.code === 'invalid-response') {
    return { message, hint: 'The server and this dashboard disagree on the API; check that their versions match.' }
  }
  return { message, hint: null }
}

/**
 * An error's path in words (`query.status` → "the status filter", `path.digest` → "the digest in the address"),
 * so messages never show raw API syntax; a JSON path into a document stays as it is, since it locates the problem.
 */
function whereWords(path: string): string {
  const [part, ...rest] = path.split('.')
  const name = rest.join('.')
  if (part === 'query' && name !== '') return `in the ${name} filter`
  if (part === 'path' && name !== '') return `in the ${name} in the address`
  if (part === 'header' && name !== '') return `in the ${name} header`
  return `at ${path}`
}

const withoutFullStop = (text: string): string => text.trim().replace(/[.]$/, '')

/**
 * An API message as a page shows it: without the place it starts with (`query.from: `; the words after it say where), and
 * without the clauses that send an API client to a route ("; GET /api/v1/projects lists them"), which a reader of
 * the page cannot follow.
 */
function forThePage(message: string, path: string | undefined): string {
  const located = path !== undefined && message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message
  return located.replace(/;\s*[^;]*\b(?:GET|POST|PATCH|PUT|DELETE) \/api\/[^;]*/g, '')
}

/** A sentence for the page: capitalised, ending in a full stop, without the backticks API messages quote code in. */
export function asSentence(text: string): string {
  const plain = text.replace(/`/g, '').trim()
  if (plain === '') return plain
  const capital = plain.charAt(0).toUpperCase() + plain.slice(1)
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`
}
