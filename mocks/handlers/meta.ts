import { HttpResponse } from 'msw'
import { metaRoutes } from '../../src/contract/meta'
import { serverMeta } from '../data/factories'
import { mockRoute } from './route'

export const metaHandlers = [mockRoute(metaRoutes.meta, () => HttpResponse.json(serverMeta()))]
