import { HttpResponse } from 'msw'
import { signatureRoutes } from '../../src/contract/signatures'
import { demoIndex } from '../data/demo-index'
import { demoSignatures } from '../data/signatures'
import { mockRoute, problem } from './route'

/** The demo's verification results with counts by status. */
export const signatureHandlers = [
  mockRoute(signatureRoutes.listSignatures, ({ query }) => {
    const page = demoSignatures(demoIndex(), query)
    if ('error' in page) return problem(400, 'invalid-cursor', 'cursor is not one this server issued; drop it to start from the first page', 'query.cursor')
    return HttpResponse.json(page)
  }),
]
