import { HttpResponse } from 'msw'
import { lineageRoutes } from '../../src/contract/lineage'
import { walkLineage, type LineageReader } from '../../domain/lineage-walk'
import { demoIndex } from '../data/demo-index'
import { demoLineageReader } from '../data/lineage-reader'
import { demoDeploymentsDb } from '../data/lineage-deployments'
import { mockRoute, problem } from './route'

let reader: LineageReader | null = null

/** The lineage graph, walked by the server's own rules (domain/lineage-walk.ts) over the demo world in memory. */
export const lineageHandlers = [
  mockRoute(lineageRoutes.getLineage, async ({ query }) => {
    reader ??= demoLineageReader(demoIndex(), demoDeploymentsDb())
    const outcome = await walkLineage(reader, query)
    switch (outcome.kind) {
      case 'graph':
        return HttpResponse.json(outcome.graph)
      case 'not-found':
        return problem(404, 'not-found', outcome.message, 'query.from')
      case 'invalid':
        return problem(400, 'invalid-query', outcome.message, outcome.path)
      case 'ambiguous':
        return HttpResponse.json({ error: { code: 'ambiguous', message: outcome.message, path: 'query.from', candidates: outcome.candidates } }, { status: 409 })
    }
  }),
]
