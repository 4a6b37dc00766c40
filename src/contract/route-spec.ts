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
export function zodProblem(error: z.ZodError, prefix: string, input?: unknown): { message: string; path: string } {
  const issue = error.issues[0]
  const path = [prefix, ...(issue?.path ?? []).map(String)].join('.')
  if (issue === undefined) return { message: `${path}: invalid`, path }
  // The value the client sent at that place, when the input was given: quoted in the message.
  const sent = input === undefined ? undefined : issue.path.reduce<unknown>((at, key) => (at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[key] : undefined), input)
  return { message: `${path}: ${plainMessage(issue, sent)}`, path }
}

/** A value as a message quotes it: strings in quotes, long ones cut; an object or list only by what it is. */
function quoted(value: unknown): string {
  // A number sent as text (every query value is text) reads as the number.
  if (typeof value === 'string' && /^-?\d{1,20}(\.\d{1,20})?$/.test(value)) return value
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)
  if (value === null || typeof value !== 'object') return String(value)
  return Array.isArray(value) ? 'a list' : 'an object'
}

/**
 * Zod's own wording ("Invalid input: expected number, received NaN", "Too small: expected number to be >=1") said
 * plainly, with what was sent: `"many" is not a number`, `must be at least 1 (got 0)`. A schema's own message stays.
 */
function plainMessage(issue: z.core.$ZodIssue, sent: unknown): string {
  const got = sent === undefined ? '' : ` (got ${quoted(sent)})`
  const own = !/^(Invalid input|Invalid option|Too small|Too big|Invalid ISO)/.test(issue.message)
  if (own) return issue.message
  switch (issue.code) {
    case 'invalid_type':
      if (sent === undefined) return issue.expected === 'nonoptional' || issue.expected === 'undefined' ? issue.message : `required: ${issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`}`
      if (issue.expected === 'int') return `${quoted(sent)} is not a whole number`
      if (issue.expected === 'number') return `${quoted(sent)} is not a number`
      return `${quoted(sent)} is not a ${issue.expected}`
    case 'too_small':
      return issue.origin === 'string'
        ? `must be at least ${String(issue.minimum)} characters long${got}`
        : issue.origin === 'number' || issue.origin === 'int'
          ? `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}${got}`
          : issue.message
    case 'too_big':
      return issue.origin === 'string'
        ? `must be at most ${String(issue.maximum)} characters long${typeof sent === 'string' ? ` (got ${sent.length})` : ''}`
        : issue.origin === 'number' || issue.origin === 'int'
          ? `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}${got}`
          : issue.message
    case 'invalid_value':
      return `${sent === undefined ? 'must be' : `${quoted(sent)} is not`} one of ${issue.values.map(String).join(', ')}`
    case 'invalid_format':
      return issue.format === 'datetime' ? `${sent === undefined ? 'not' : `${quoted(sent)} is not`} a date and time like 2026-11-27T10:00:00Z (ISO 8601, with its time zone)` : issue.message
    default:
      return issue.message
  }
}

/** The error a route answers for a malformed path parameter or query, the same from the server and the mocks. */
export function inputProblem(route: RouteSpec, where: 'path' | 'query', error: z.ZodError, input?: Record<string, string>): { code: string; message: string; path: string } {
  const problem = zodProblem(error, where, input)
  if (where === 'query') return { code: 'invalid-query', ...problem }
  const hint = route.paramError?.hint
  return { code: route.paramError?.code ?? 'invalid-path', message: hint ? `${problem.message} (${hint})` : problem.message, path: problem.path }
}
