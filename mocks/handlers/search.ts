import { HttpResponse } from 'msw'
import { searchRoutes } from '../../src/contract/search'
import { demoIndex } from '../data/demo-index'
import { demoSearch } from '../data/search'
import { mockRoute } from './route'

/** Search over the demo, read as the server reads a query. */
export const searchHandlers = [mockRoute(searchRoutes.search, ({ query }) => HttpResponse.json(demoSearch(demoIndex(), query.q)))]
