import { HttpResponse } from 'msw'
import { logRoutes } from '../../src/contract/log'
import { demoIndex } from '../data/demo-index'
import { logCheckpoint } from '../data/factories'
import { mockRoute } from './route'

/** The log's checkpoint: one leaf a stored document, as the server logs every document it ingests. */
export const logHandlers = [mockRoute(logRoutes.logCheckpoint, () => HttpResponse.json(logCheckpoint(demoIndex().signatures.length)))]
