import { http, HttpResponse } from 'msw'
import type { z } from 'zod'
import { BuildId } from '../../src/contract/common'
import { DigestParam, HistoryQuery, MatrixQuery, SearchQuery, SignatureQuery } from '../../src/contract/explore'
import { exploreDb } from '../data/explore-db'
import { apiErrorBody } from '../data/factories'

function invalid(error: z.ZodError, code = 'invalid-query') {
  const issue = error.issues[0]
  return HttpResponse.json(apiErrorBody(code, issue?.message ?? 'Invalid query', issue?.path.map(String).join('.')), { status: 400 })
}

const queryOf = (request: Request) => Object.fromEntries(new URL(request.url).searchParams)

/** The happy path of the explore routes (artifact, signatures, reproducibility, neighbours, search), from the demo. */
export const exploreHandlers = [
  http.get('/api/v1/artifacts/:digest', ({ params }) => {
    const digest = DigestParam.safeParse(params.digest)
    if (!digest.success) return invalid(digest.error, 'invalid-digest')
    const artifact = exploreDb().artifact(digest.data)
    if (!artifact) return HttpResponse.json(apiErrorBody('not-found', `No artifact has the digest ${digest.data}`), { status: 404 })
    return HttpResponse.json(artifact)
  }),

  http.get('/api/v1/signatures', ({ request }) => {
    const query = SignatureQuery.safeParse(queryOf(request))
    if (!query.success) return invalid(query.error)
    const page = exploreDb().signatures(query.data)
    if ('error' in page) return HttpResponse.json(apiErrorBody('invalid-cursor', 'The cursor is not one this server issued', 'cursor'), { status: 400 })
    return HttpResponse.json(page)
  }),

  http.get('/api/v1/reproducibility', () => HttpResponse.json(exploreDb().summary())),

  http.get('/api/v1/reproducibility/history', ({ request }) => {
    const query = HistoryQuery.safeParse(queryOf(request))
    if (!query.success) return invalid(query.error)
    return HttpResponse.json(exploreDb().history(query.data, Date.now()))
  }),

  http.get('/api/v1/reproducibility/matrix', ({ request }) => {
    const query = MatrixQuery.safeParse(queryOf(request))
    if (!query.success) return invalid(query.error)
    return HttpResponse.json(exploreDb().matrix(query.data))
  }),

  http.get('/api/v1/builds/:id/neighbours', ({ params }) => {
    const id = BuildId.safeParse(params.id)
    if (!id.success) return invalid(id.error, 'invalid-id')
    const neighbours = exploreDb().neighbours(id.data)
    if (!neighbours) return HttpResponse.json(apiErrorBody('not-found', `No build has the id ${id.data}`), { status: 404 })
    return HttpResponse.json(neighbours)
  }),

  http.get('/api/v1/search', ({ request }) => {
    const query = SearchQuery.safeParse(queryOf(request))
    if (!query.success) return invalid(query.error)
    return HttpResponse.json(exploreDb().search(query.data.q))
  }),
]
