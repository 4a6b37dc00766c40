import { screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { renderApp } from '../../../test/render-app'

describe('Signatures filters', () => {
  it('says which filter values in the address name nothing', async () => {
    renderApp('/signatures?project=nope&status=bogus&from=0002-11-01')
    expect(await screen.findByText('There is no project named nope, so no signature matches it.')).toBeTruthy()
    expect(screen.getByText('There is no status named bogus; showing every status.')).toBeTruthy()
    expect(screen.getByText('0002-11-01 is not a date; showing results from any day.')).toBeTruthy()
  })
})
