import { http, HttpResponse } from 'msw'
import { serverMeta } from '../data/factories'

export const metaHandlers = [http.get('/api/v1/meta', () => HttpResponse.json(serverMeta()))]
