import { screen, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { renderApp } from '../../../test/render-app'

describe('Builds filters', () => {
  it('says which filter values in the address name nothing, instead of dropping or adding them silently', async () => {
    renderApp('/builds?project=nope&status=bogus&commit=xyz')
    expect(await screen.findByText('There is no project named nope, so no build matches it.')).toBeTruthy()
    expect(screen.getByText('There is no status named bogus; showing every status.')).toBeTruthy()
    expect(screen.getByText(/^xyz is not a commit/)).toBeTruthy()
  })

  it('puts each filter in the history, so Back undoes the last one', async () => {
    const { user, router } = renderApp('/builds')
    await user.selectOptions(await screen.findByLabelText('Status'), 'failed')
    await waitFor(() => expect(router.state.location.search).toBe('?status=failed'))
    const commit = screen.getByLabelText('Commit')
    await user.type(commit, 'ABCDEF1{Enter}')
    await waitFor(() => expect(router.state.location.search).toBe('?status=failed&commit=abcdef1'))
    router.navigate(-1)
    await waitFor(() => expect(router.state.location.search).toBe('?status=failed'))
    await waitFor(() => expect(screen.getByLabelText<HTMLInputElement>('Commit').value).toBe(''))
  })
})
