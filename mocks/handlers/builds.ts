import { http, HttpResponse } from 'msw'
import { BuildQuery } from '../../src/contract/builds'
import { BuildId } from '../../src/contract/common'
import { demoDb } from '../data/demo-db'
import { apiErrorBody } from '../data/factories'

/** The happy path of the builds and projects routes, answered from the seeded demo data. */
export const buildHandlers = [
  http.get('/api/v1/builds', ({ request }) => {
    const params = Object.fromEntries(new URL(request.url).searchParams)
    const query = BuildQuery.safeParse(params)
    if (!query.success) {
      const issue = query.error.issues[0]
      return HttpResponse.json(
        apiErrorBody('invalid-query', issue?.message ?? 'Invalid query', issue?.path.map(String).join('.')),
        { status: 400 },
      )
    }
    const page = demoDb().listBuilds(query.data)
    if ('error' in page) {
      return HttpResponse.json(apiErrorBody('invalid-cursor', 'The cursor is not one this server issued', 'cursor'), {
        status: 400,
      })
    }
    return HttpResponse.json(page)
  }),

  http.get('/api/v1/builds/:id', ({ params }) => {
    const id = BuildId.safeParse(params.id)
    if (!id.success) {
      return HttpResponse.json(apiErrorBody('invalid-id', 'A build id is 64 lower-case hex characters', 'id'), {
        status: 400,
      })
    }
    const build = demoDb().getBuild(id.data)
    if (!build) {
      return HttpResponse.json(apiErrorBody('not-found', `No build has the id ${id.data}`), { status: 404 })
    }
    return HttpResponse.json(build)
  }),

  http.get('/api/v1/projects', () => HttpResponse.json(demoDb().listProjects())),
]
