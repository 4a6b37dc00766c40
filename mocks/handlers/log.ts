import { HttpResponse } from 'msw'
import { logRoutes } from '../../src/contract/log'
import { demoDb } from '../data/demo-db'
import { logCheckpoint } from '../data/factories'
import { mockRoute } from './route'

export const logHandlers = [mockRoute(logRoutes.logCheckpoint, () => HttpResponse.json(logCheckpoint(demoDb().summaries.length)))]
