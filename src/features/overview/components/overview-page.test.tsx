import { screen, within } from '@testing-library/react'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { server } from '../../../../mocks/node'
import { DEMO_LAST_DAY, overviewDay, type Overview } from '../../../contract/overview'
import { renderApp } from '../../../test/render-app'

const tally = (verified: number, failed = 0) => ({ verified, failed, untrusted: 0, unsigned: 0, unverifiable: 0 })

/** A quiet week after a busy month: no builds and no rebuilds in the last 7 days, some in the 30. */
const quiet: Overview = {
  day: '2026-12-04',
  generatedAt: '2026-12-04T08:00:00.000Z',
  openAlerts: { critical: 0, high: 0, medium: 0, low: 0 },
  verification: {
    last7: { window: { from: '2026-11-28', to: '2026-12-04' }, counts: tally(0), previous: tally(40, 2) },
    last30: { window: { from: '2026-11-05', to: '2026-12-04' }, counts: tally(120, 3), previous: tally(0) },
  },
  reproducibility: {
    last7: { window: { from: '2026-11-28', to: '2026-12-04' }, match: 0, mismatch: 0, previousMatch: 0, previousMismatch: 0 },
    last30: { window: { from: '2026-11-05', to: '2026-12-04' }, match: 1, mismatch: 0, previousMatch: 1239, previousMismatch: 61 },
  },
  daily: [],
  recentFailures: [],
  unverifiedDeployments: 0,
}

describe('the Overview page', () => {
  it('says a window had no builds or rebuilds, and what the window before had, rather than a dash', async () => {
    server.use(http.get('/api/v1/overview', () => HttpResponse.json(quiet)))
    renderApp('/')
    const week = within(await screen.findByRole('region', { name: 'Verification, last 7 days' }))
    expect(week.getByRole('link', { name: 'No builds' })).toBeTruthy()
    expect(week.getByText('95.2% the window before')).toBeTruthy()
    const rebuilds = within(screen.getByRole('region', { name: 'Reproducibility' }))
    expect(rebuilds.getByRole('link', { name: 'No rebuilds' })).toBeTruthy()
    expect(rebuilds.getByText('none in the window before either')).toBeTruthy()
    // One rebuild is one rebuild; a count has its thousands separated.
    expect(rebuilds.getByRole('link', { name: '100% of 1 rebuild matched' })).toBeTruthy()
    expect(rebuilds.getByText('up 4.7 points from 95.3%')).toBeTruthy()
    expect(screen.queryByText('–')).toBeNull()
  })

  it('shows the windows ending on the day in the address, and the way back to today', async () => {
    const asked: (string | null)[] = []
    server.use(
      http.get('/api/v1/overview', ({ request }) => {
        asked.push(new URL(request.url).searchParams.get('day'))
        return HttpResponse.json({ ...quiet, day: '2026-11-20' })
      }),
    )
    renderApp('/?day=2026-11-20')
    expect(await screen.findByRole('heading', { level: 1, name: 'Overview as of 2026-11-20' })).toBeTruthy()
    expect(screen.getByText(/up to 2026-11-20\)/)).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Up to today' }).getAttribute('href')).toBe('/')
    await screen.findByRole('region', { name: 'Verification, last 7 days' })
    expect(new Set(asked)).toEqual(new Set(['2026-11-20']))
  })

  it('on the demo, after its last day, offers the overview as of that day', async () => {
    server.use(http.get('/api/v1/overview', () => HttpResponse.json(quiet)))
    renderApp('/')
    const link = await screen.findByRole('link', { name: `See the overview as of ${DEMO_LAST_DAY}` })
    expect(link.getAttribute('href')).toBe(`/?day=${DEMO_LAST_DAY}`)
    expect(screen.getByText(new RegExp(`The demo.s builds end on ${DEMO_LAST_DAY}`))).toBeTruthy()
  })

  it('reads the day from the address only when it is a real day, not after today', () => {
    const at = (query: string) => overviewDay(new URLSearchParams(query), '2026-12-04')
    expect(at('day=2026-11-27')).toBe('2026-11-27')
    expect(at('')).toBe('2026-12-04')
    expect(at('day=2026-12-05')).toBe('2026-12-04')
    expect(at('day=2026-02-30')).toBe('2026-12-04')
    expect(at('day=2026-13-01')).toBe('2026-12-04')
    expect(at('day=2026-00-10')).toBe('2026-12-04')
    expect(at('day=27-11-2026')).toBe('2026-12-04')
  })
})
