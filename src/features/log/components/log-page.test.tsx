import { screen, within } from '@testing-library/react'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { demoIndex } from '../../../../mocks/data/demo-index'
import { server } from '../../../../mocks/node'
import { scenarios } from '../../../../mocks/scenarios'
import { renderApp } from '../../../test/render-app'

describe('the Record page', () => {
  it('shows the signed checkpoint: size, root hash, the signed note and the public key', async () => {
    // One leaf a stored document: every build's provenance and every rebuild attestation.
    const size = demoIndex().signatures.length
    renderApp('/log')
    expect(await screen.findByRole('heading', { level: 1, name: 'Record' })).toBeTruthy()
    const card = await screen.findByRole('region', { name: 'Latest checkpoint' })
    expect(await within(card).findByText(size.toLocaleString('en'))).toBeTruthy()
    expect(within(card).getByText(/^[0-9a-f]{64}$/)).toBeTruthy()
    expect(within(card).getByText(new RegExp(`^provenance-dashboard/mock0000000000 ${size} [A-Za-z0-9+/=]+ — `))).toBeTruthy()
    expect(within(card).getByText(/BEGIN PUBLIC KEY/)).toBeTruthy()
    // The footer links to it too.
    expect(await screen.findByRole('link', { name: new RegExp(`Record: ${size.toLocaleString('en')} documents, signed root [0-9a-f]{12}`) })).toBeTruthy()
  })

  it('says what failed and offers a retry when the checkpoint cannot be loaded', async () => {
    server.use(http.get('/api/v1/log/checkpoint', () => HttpResponse.json({ error: { code: 'internal', message: 'store offline' } }, { status: 500 })))
    renderApp('/log')
    const alert = await screen.findByRole('alert')
    expect(within(alert).getByText('The checkpoint could not be loaded')).toBeTruthy()
    expect(within(alert).getByRole('button', { name: 'Retry' })).toBeTruthy()
    expect(scenarios.apiDown.length).toBeGreaterThan(0)
  })
})
