import { screen, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { server } from '../../mocks/node'
import { DEMO_READ_TOKEN, scenarios } from '../../mocks/scenarios'
import { renderApp } from '../test/render-app'

describe('app shell', () => {
  it('navigates between sections, each marked as the current page', async () => {
    const { user, router } = renderApp('/')
    // The shell shows with the first screen, whose loader's request (the overview) keeps the mocks busy for a while
    // in this process: they evaluate the alert rules over every demo build before answering.
    const nav = await screen.findByRole('navigation', { name: 'Main' }, { timeout: 45_000 })
    // The first screen is the overview; Builds is one click away at /builds.
    expect(router.state.location.pathname).toBe('/')
    expect(await screen.findByRole('heading', { level: 1, name: 'Overview' })).toBeTruthy()
    for (const name of ['Builds', 'Artifacts', 'Lineage', 'Reproducibility', 'Signatures', 'Alerts', 'Reports']) {
      expect(within(nav).getByRole('link', { name })).toBeTruthy()
    }
    await user.click(within(nav).getByRole('link', { name: 'Reports' }))
    expect(await screen.findByRole('heading', { level: 1, name: 'Reports' })).toBeTruthy()
    expect(await screen.findByRole('heading', { level: 2, name: 'Make a report' })).toBeTruthy()
    expect(within(nav).getByRole('link', { name: 'Reports' }).getAttribute('aria-current')).toBe('page')
    await user.click(within(nav).getByRole('link', { name: 'Lineage' }))
    expect(await screen.findByRole('heading', { level: 1, name: 'Lineage' })).toBeTruthy()
    expect(screen.getByRole('textbox', { name: 'Start from' })).toBeTruthy()
    // The overview's first answer makes the mocks evaluate the alert rules over every demo build.
  }, 60_000)

  it('has a 404 page', async () => {
    renderApp('/no/such/page')
    expect(await screen.findByRole('heading', { level: 1, name: 'Page not found' })).toBeTruthy()
    expect(screen.getByText('/no/such/page')).toBeTruthy()
  })

  it('asks for a read token when the server requires one, then loads with it', async () => {
    server.use(...scenarios.readRequiresToken)
    const { user } = renderApp('/builds')
    expect(await screen.findByText('This server needs a token to read data.')).toBeTruthy()
    expect(await screen.findByText('Reading needs a token (at Authorization).')).toBeTruthy()

    await user.type(screen.getByLabelText('Read token'), DEMO_READ_TOKEN)
    await user.click(screen.getByRole('button', { name: 'Use token' }))

    const table = await screen.findByRole('table', { name: 'Builds' })
    expect(within(table).getAllByRole('row').length).toBeGreaterThan(1)
    expect(screen.queryByText('This server needs a token to read data.')).toBeNull()
    expect(sessionStorage.getItem('provenance-dashboard.read-token')).toBe(DEMO_READ_TOKEN)
  })

  it('says when the token was refused', async () => {
    server.use(...scenarios.readRequiresToken)
    const { user } = renderApp('/builds')
    await user.type(await screen.findByLabelText('Read token'), 'wrong-token')
    await user.click(screen.getByRole('button', { name: 'Use token' }))
    expect(await screen.findByText('The server refused that token.')).toBeTruthy()
  })
})
