import { Hono, type Context, type MiddlewareHandler } from 'hono'
import type { z } from 'zod'
import { BuildId } from '../../src/contract/common'
import { DigestParam } from '../../src/contract/artifacts'
import { HistoryQuery, MatrixQuery } from '../../src/contract/reproducibility'
import { SearchQuery } from '../../src/contract/search'
import { SignatureQuery } from '../../src/contract/signatures'
import { RebuildQuery } from '../../src/contract/rebuilds'
import type { Scope } from '../config'
import type { Store } from '../store/types'
import { bucketRange } from './buckets'

export type ExploreRouteDeps = {
  store: Store
  /** The app's bearer-token check, passed in so this module does not import app.ts (which mounts it). */
  requireScope: (scope: Scope) => MiddlewareHandler
  now: () => number
}

type ClientStatus = 400 | 404 | 409

function apiError(c: Context, status: ClientStatus, code: string, message: string, path?: string) {
  return c.json({ error: { code, message, ...(path ? { path } : {}) } }, status)
}

function zodProblem(error: z.ZodError, prefix: string): { message: string; path: string } {
  const issue = error.issues[0]
  const path = [prefix, ...(issue?.path ?? []).map(String)].join('.')
  return { message: `${path}: ${issue?.message ?? 'invalid'}`, path }
}

function invalidQuery(c: Context, error: z.ZodError) {
  const problem = zodProblem(error, 'query')
  return apiError(c, 400, 'invalid-query', problem.message, problem.path)
}

/**
 * The explore screens' API (issue 4), all read-only under scope `read`: artifact, signatures, rebuilds,
 * reproducibility summary / history / matrix, build neighbours and search. docs/explore.md describes them.
 */
export function exploreRoutes({ store, requireScope, now }: ExploreRouteDeps): Hono {
  const api = new Hono()
  const read = requireScope('read')

  api.get('/v1/artifacts/:digest', read, async (c) => {
    const param = DigestParam.safeParse(c.req.param('digest'))
    if (!param.success) {
      return apiError(c, 400, 'invalid-digest', `path.digest: ${param.error.issues[0]?.message ?? 'invalid'} (e.g. sha256:3f2a…, or its first 12 hex characters)`, 'path.digest')
    }
    const found = await store.getArtifact(param.data)
    if (found.kind === 'not-found') {
      return apiError(c, 404, 'not-found', `no build subject, SBOM or rebuild names an artifact with digest ${param.data}`, 'path.digest')
    }
    if (found.kind === 'ambiguous') {
      const count = found.more ? `more than ${found.candidates.length}` : String(found.candidates.length)
      return apiError(
        c,
        409,
        'ambiguous-digest',
        `the prefix ${param.data} matches ${count} artifacts (${found.candidates.slice(0, 3).join(', ')}${found.candidates.length > 3 ? ', …' : ''}); give more hex characters, or search for it to list them`,
        'path.digest',
      )
    }
    return c.json(found.artifact)
  })

  api.get('/v1/signatures', read, async (c) => {
    const parsed = SignatureQuery.safeParse(c.req.query())
    if (!parsed.success) return invalidQuery(c, parsed.error)
    return c.json(await store.listSignatures(parsed.data))
  })

  api.get('/v1/rebuilds', read, async (c) => {
    const parsed = RebuildQuery.safeParse(c.req.query())
    if (!parsed.success) return invalidQuery(c, parsed.error)
    return c.json(await store.listRebuilds(parsed.data))
  })

  api.get('/v1/reproducibility', read, async (c) => c.json(await store.reproducibilitySummary()))

  api.get('/v1/reproducibility/history', read, async (c) => {
    const parsed = HistoryQuery.safeParse(c.req.query())
    if (!parsed.success) return invalidQuery(c, parsed.error)
    const { project, bucket, from, to } = parsed.data
    const range = bucketRange({ bucket, ...(from === undefined ? {} : { from: Date.parse(from) }), ...(to === undefined ? {} : { to: Date.parse(to) }) }, now())
    if ('message' in range) return apiError(c, 400, 'invalid-range', `${range.path}: ${range.message}`, range.path)
    const history = await store.reproducibilityHistory(project, range)
    if (history === null) return apiError(c, 404, 'unknown-project', `no build or rebuild is filed under project "${project}"; GET /api/v1/projects lists them`, 'query.project')
    return c.json(history)
  })

  api.get('/v1/reproducibility/matrix', read, async (c) => {
    const parsed = MatrixQuery.safeParse(c.req.query())
    if (!parsed.success) return invalidQuery(c, parsed.error)
    const matrix = await store.rebuilderMatrix(parsed.data)
    if (matrix === null) {
      return apiError(c, 404, 'unknown-project', `no build or rebuild is filed under project "${parsed.data.project}"; GET /api/v1/projects lists them`, 'query.project')
    }
    return c.json(matrix)
  })

  api.get('/v1/builds/:id/neighbours', read, async (c) => {
    const id = BuildId.safeParse(c.req.param('id'))
    if (!id.success) return apiError(c, 400, 'invalid-build-id', 'a build id is 64 lower-case hex characters', 'path.id')
    const neighbours = await store.buildNeighbours(id.data)
    if (neighbours === null) return apiError(c, 404, 'not-found', `no build with id ${id.data}`, 'path.id')
    return c.json(neighbours)
  })

  api.get('/v1/search', read, async (c) => {
    const parsed = SearchQuery.safeParse(c.req.query())
    if (!parsed.success) return invalidQuery(c, parsed.error)
    return c.json(await store.search(parsed.data.q))
  })

  return api
}
