import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { every } from 'hono/combine'
import type { z } from 'zod'
import { inputProblem, pathPattern, type RouteSpec } from '../../src/contract/route-spec'
import type { Auth } from './auth'
import { apiError } from './errors'

/*
 * Routes are mounted from their declarations in src/contract, the same objects the OpenAPI document is made
 * from: the path, the method, the scope and the parameter and query schemas are written once. Validation is
 * middleware here, so a handler only ever sees parsed input.
 */

type Parsed<S> = S extends z.ZodObject ? z.infer<S> : Record<string, never>

/** What a handler receives: the route's path parameters and query, parsed by its declared schemas. */
export type RouteInput<R extends RouteSpec> = { params: Parsed<R['params']>; query: Parsed<R['query']> }

export type RouteHandler<R extends RouteSpec> = (c: Context, input: RouteInput<R>) => Response | Promise<Response>

function validate<R extends RouteSpec>(c: Context, route: R): RouteInput<R> | Response {
  let params: unknown = {}
  if (route.params) {
    const given = c.req.param()
    const parsed = route.params.safeParse(given)
    if (!parsed.success) {
      const problem = inputProblem(route, 'path', parsed.error, given)
      return apiError(c, 400, problem.code, problem.message, problem.path)
    }
    params = parsed.data
  }
  let query: unknown = {}
  if (route.query) {
    const given = c.req.query()
    const parsed = route.query.safeParse(given)
    if (!parsed.success) {
      const problem = inputProblem(route, 'query', parsed.error, given)
      return apiError(c, 400, problem.code, problem.message, problem.path)
    }
    query = parsed.data
  }
  // The schemas are the route's own, so the parsed values have the types RouteInput names.
  return { params, query } as RouteInput<R>
}

/** One small Hono app for a resource, and the function that mounts a declared route on it. */
export function resourceApp(auth: Auth): {
  app: Hono
  mount: <R extends RouteSpec>(route: R, handler: RouteHandler<R>, ...before: MiddlewareHandler[]) => void
} {
  const app = new Hono()
  const mount = <R extends RouteSpec>(route: R, handler: RouteHandler<R>, ...before: MiddlewareHandler[]) => {
    const guards = route.scope === 'none' ? before : [auth(route.scope), ...before]
    app.on(route.method.toUpperCase(), pathPattern(route), every(...guards), async (c) => {
      const input = validate(c, route)
      return input instanceof Response ? input : handler(c, input)
    })
  }
  return { app, mount }
}
