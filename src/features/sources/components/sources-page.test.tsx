import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { server } from '../../../../mocks/node'
import type { Source, SyncRun } from '../../../contract/sources'
import { renderApp } from '../../../test/render-app'

const run = (overrides: Partial<SyncRun>): SyncRun => ({
  id: 'run-1',
  state: 'failed',
  trigger: 'scheduled',
  startedAt: new Date(Date.now() - 60_000).toISOString(),
  finishedAt: new Date(Date.now() - 50_000).toISOString(),
  phase: 'failed',
  done: 0,
  total: 1,
  documentsFound: 0,
  documentsIngested: 0,
  telemetryRuns: 0,
  unchanged: 0,
  errors: [],
  ...overrides,
})

const source = (overrides: Partial<Source>): Source => ({
  name: 'registry',
  kind: 'oci',
  baseUrl: 'https://registry.example.com',
  coverage: ['acme/web (all tags)'],
  intervalSeconds: 3600,
  lastSyncAt: null,
  lastSuccessAt: null,
  nextSyncAt: new Date(Date.now() + 900_000).toISOString(),
  consecutiveFailures: 0,
  documentsFound: 0,
  documentsIngested: 0,
  lastRun: null,
  advice: null,
  ...overrides,
})

describe('the Sources page', () => {
  it('says when no source is configured, as the demo server does', async () => {
    renderApp('/sources')
    expect(await screen.findByRole('heading', { level: 1, name: 'Sources' })).toBeTruthy()
    expect(await screen.findByText('No sources are configured')).toBeTruthy()
  })

  it('shows a source that never succeeded: the error in words with its URL and status, and what to check', async () => {
    const failed = source({
      consecutiveFailures: 2,
      lastRun: run({ errors: [{ at: new Date().toISOString(), message: 'the token endpoint answered 401 Unauthorized: check the credentials', url: 'https://registry.example.com/token?scope=repository%3Aacme%2Fweb%3Apull', status: 401 }] }),
      advice: 'The registry refused access. Check the credentials in the environment variables named by auth.usernameEnv and auth.passwordEnv.',
    })
    server.use(http.get('/api/v1/sources', () => HttpResponse.json({ items: [failed] })))
    renderApp('/sources')
    const card = await screen.findByRole('region', { name: 'registry' })
    expect(within(card).getByText('OCI registry at https://registry.example.com')).toBeTruthy()
    expect(within(card).getByText('acme/web (all tags)')).toBeTruthy()
    expect(within(card).getByText('every hour')).toBeTruthy()
    expect(within(card).getByText(/The registry refused access/)).toBeTruthy()
    const errors = within(card).getByRole('list', { name: 'Errors of the last sync' })
    expect(within(errors).getByText('the token endpoint answered 401 Unauthorized: check the credentials')).toBeTruthy()
    expect(within(errors).getByText('https://registry.example.com/token?scope=repository%3Aacme%2Fweb%3Apull')).toBeTruthy()
    expect(within(errors).getByText(/HTTP 401/)).toBeTruthy()
    expect(within(card).getByText('Last success').nextSibling?.textContent).toBe('never')
  })

  it('shows whether a source’s change feed is live: when the last event came, what waits, and the full check', async () => {
    const live = source({
      name: 'live',
      lastSuccessAt: new Date(Date.now() - 60_000).toISOString(),
      lastRun: run({ state: 'succeeded', total: 1, done: 1, documentsFound: 2, documentsIngested: 2, mode: 'changes', changeEvents: 2 }),
      changeFeed: { eventsPath: '/api/v1/sources/live/events', fullCheckSeconds: 3600, lastEventAt: new Date(Date.now() - 120_000).toISOString(), pendingEvents: 3, lastFullCheckAt: new Date(Date.now() - 600_000).toISOString() },
    })
    const silent = source({
      name: 'silent',
      changeFeed: { eventsPath: '/api/v1/sources/silent/events', fullCheckSeconds: 7200, lastEventAt: null, pendingEvents: 0, lastFullCheckAt: null },
    })
    server.use(http.get('/api/v1/sources', () => HttpResponse.json({ items: [live, silent, source({ name: 'polled' })] })))
    renderApp('/sources')
    const liveCard = await screen.findByRole('region', { name: 'live' })
    expect(within(liveCard).getByText('Change feed').nextSibling?.textContent).toMatch(/^live: last event 2 minutes ago/)
    expect(within(liveCard).getByText('Events waiting').nextSibling?.textContent).toBe('3 events wait for the next sync')
    expect(within(liveCard).getByText('Full check').nextSibling?.textContent).toMatch(/^every hour; last 10 minutes ago/)
    expect(within(liveCard).getByText(/read 2 change events/)).toBeTruthy()
    const silentCard = screen.getByRole('region', { name: 'silent' })
    expect(within(silentCard).getByText('Change feed').nextSibling?.textContent).toBe("no event received yet: point the registry's notifications at /api/v1/sources/silent/events with an ingest token")
    expect(within(silentCard).getByText('Full check').nextSibling?.textContent).toBe('every 2 hours; last never')
    expect(within(screen.getByRole('region', { name: 'polled' })).queryByText('Change feed')).toBeNull()
  })

  it('asks for an ingest token when Sync now is refused, then shows the sync running with its progress', async () => {
    let state: Source = source({})
    let authorization: string | null = null
    server.use(
      http.get('/api/v1/sources', () => HttpResponse.json({ items: [state] })),
      http.post('/api/v1/sources/registry/sync', ({ request }) => {
        authorization = request.headers.get('authorization')
        if (authorization !== 'Bearer ingest-secret') return HttpResponse.json({ error: { code: 'unauthorized', message: 'a token with scope ingest is needed' } }, { status: 401 })
        const running = run({ state: 'running', finishedAt: null, phase: 'reading what is attached to acme/web:1.0', done: 1, total: 4, documentsFound: 2, documentsIngested: 2 })
        state = source({ lastRun: running, nextSyncAt: null })
        return HttpResponse.json({ name: 'registry', run: running, alreadyRunning: false, progressUrl: '/api/v1/sources/registry' }, { status: 202 })
      }),
    )
    const user = userEvent.setup()
    renderApp('/sources')
    const card = await screen.findByRole('region', { name: 'registry' })
    await user.click(within(card).getByRole('button', { name: 'Sync now' }))
    expect(await within(card).findByText(/Starting a sync needs a token with the ingest scope/)).toBeTruthy()
    await user.type(within(card).getByLabelText('Ingest token'), 'ingest-secret')
    await user.click(within(card).getByRole('button', { name: 'Sync with this token' }))
    const progress = await within(card).findByRole('progressbar', { name: 'Sync progress of registry' })
    expect(progress.getAttribute('value')).toBe('1')
    expect(progress.getAttribute('max')).toBe('4')
    expect(within(card).getByText(/1 of 4 items · 2 documents found, 2 new/)).toBeTruthy()
    expect(within(card).getByRole('button', { name: 'Syncing…' })).toHaveProperty('disabled', true)
    expect(authorization).toBe('Bearer ingest-secret')
  })
})
