import { http, HttpResponse } from 'msw'
import { demoDb } from '../data/demo-db'
import { logCheckpoint } from '../data/factories'

export const logHandlers = [http.get('/api/v1/log/checkpoint', () => HttpResponse.json(logCheckpoint(demoDb().summaries.length)))]
