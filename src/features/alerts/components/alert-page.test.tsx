import { screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { renderApp } from '../../../test/render-app'

describe('AlertPage', () => {
  it('says an address is not an alert id, with nothing to retry', async () => {
    renderApp('/alerts/not-an-alert')
    expect(await screen.findByRole('heading', { level: 1, name: 'Not an alert id' })).toBeTruthy()
    expect(screen.getByText('That address does not name an alert: an alert id is 24 lower-case hex characters.')).toBeTruthy()
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull()
    // Not the API's own wording of the parameter it refused.
    expect(screen.queryByText(/path\.id/i)).toBeNull()
  })
})
