import { http, HttpResponse } from 'msw'
import type { z } from 'zod'
import { inputProblem, pathPattern, type RouteSpec } from '../../src/contract/route-spec'
import { apiErrorBody } from '../data/factories'

type Parsed<S> = S extends z.ZodObject ? z.infer<S> : Record<string, never>

/** A route's parsed path parameters and query, as the server's handlers receive them. */
export type MockInput<R extends RouteSpec> = { params: Parsed<R['params']>; query: Parsed<R['query']> }

/** An error body with its status, in the API's one error shape. */
export const problem = (status: number, code: string, message: string, path?: string) => HttpResponse.json(apiErrorBody(code, message, path), { status })

/**
 * A mock handler for a declared route: the path, method and validation come from the contract's declaration,
 * so a mock answers a malformed request with the same code, message and path as the server.
 */
export function mockRoute<R extends RouteSpec>(route: R, answer: (input: MockInput<R>, request: Request) => Response | Promise<Response>) {
  return http[route.method](pathPattern(route), ({ params, request }) => {
    let parsedParams: unknown = {}
    if (route.params) {
      const parsed = route.params.safeParse(params)
      if (!parsed.success) {
        const bad = inputProblem(route, 'path', parsed.error, Object.fromEntries(Object.entries(params).map(([key, value]) => [key, String(value)])))
        return problem(400, bad.code, bad.message, bad.path)
      }
      parsedParams = parsed.data
    }
    let parsedQuery: unknown = {}
    if (route.query) {
      const given = Object.fromEntries(new URL(request.url).searchParams)
      const parsed = route.query.safeParse(given)
      if (!parsed.success) {
        const bad = inputProblem(route, 'query', parsed.error, given)
        return problem(400, bad.code, bad.message, bad.path)
      }
      parsedQuery = parsed.data
    }
    // The schemas are the route's own, so the parsed values have the types MockInput names.
    return answer({ params: parsedParams, query: parsedQuery } as MockInput<R>, request)
  })
}
