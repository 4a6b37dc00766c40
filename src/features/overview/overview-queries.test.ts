import { QueryClient } from '@tanstack/react-query'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { server } from '../../../mocks/node'
import type { Overview } from '../../contract/overview'
import { overviewQueries } from './overview-queries'

const none = { verified: 0, failed: 0, untrusted: 0, unsigned: 0, unverifiable: 0 }
const days = { from: '2026-11-21', to: '2026-11-27' }
// An empty overview: this test is about the request, and the demo's figures take the mocks seconds to count.
const empty: Overview = {
  day: '2026-11-27',
  generatedAt: '2026-11-27T12:00:00.000Z',
  openAlerts: { critical: 0, high: 0, medium: 0, low: 0 },
  verification: { last7: { window: days, counts: none, previous: none }, last30: { window: days, counts: none, previous: none } },
  reproducibility: { last7: { window: days, match: 0, mismatch: 0, previousMatch: 0, previousMismatch: 0 }, last30: { window: days, match: 0, mismatch: 0, previousMatch: 0, previousMismatch: 0 } },
  daily: [],
  recentFailures: [],
  unverifiedDeployments: null,
}

describe('overviewQueries.forDay', () => {
  // The server names this very address in a preload hint of `/` (server/http/first-route-preload.test.ts): the
  // browser gives the preloaded answer only to a request for the same URL, made the same way (a GET, no credentials).
  it('requests the day’s figures at /api/v1/overview?day=<day>, nothing more in the address, with no token when none is kept', async () => {
    const seen: { address: string; method: string; authorization: string | null }[] = []
    server.use(
      http.get('/api/v1/overview', ({ request }) => {
        const url = new URL(request.url)
        seen.push({ address: url.pathname + url.search, method: request.method, authorization: request.headers.get('authorization') })
        return HttpResponse.json(empty)
      }),
    )
    const overview = await new QueryClient({ defaultOptions: { queries: { retry: false } } }).fetchQuery(overviewQueries.forDay('2026-11-27'))
    expect(overview.day).toBe('2026-11-27')
    expect(seen).toEqual([{ address: '/api/v1/overview?day=2026-11-27', method: 'GET', authorization: null }])
  })
})
