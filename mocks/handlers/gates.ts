import { HttpResponse } from 'msw'
import { GateDecisionPage, gateRoutes } from '../../src/contract/gate'
import { mockRoute } from './route'

/*
 * Recorded gate decisions, as the freshly seeded demo server answers them: none until a pipeline asks the gate
 * (POST /api/v1/gate, which the SPA never calls). Screens with decisions are tested with `server.use`.
 */
export const gateHandlers = [mockRoute(gateRoutes.listGateDecisions, () => HttpResponse.json(GateDecisionPage.parse({ items: [], nextCursor: null })))]
