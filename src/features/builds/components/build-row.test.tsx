import { render, screen } from '@testing-library/react'
import { userEvent } from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { describe, expect, it } from 'vitest'
import { demoDb } from '../../../../mocks/data/demo-db'
import { BuildRow } from './build-row'

describe('BuildRow', () => {
  it('offers the whole builder id, which the column cuts at its start, to copy', async () => {
    const build = demoDb().summaries.find((summary) => summary.builderId !== null)
    if (build?.builderId == null) throw new Error('the demo has builds with a builder id')
    const user = userEvent.setup()
    render(
      <MemoryRouter>
        <table>
          <tbody>
            <BuildRow build={build} index={0} />
          </tbody>
        </table>
      </MemoryRouter>,
    )
    // The cell shows the id without its scheme; the button copies it whole.
    expect(screen.getByTitle(build.builderId).textContent).toBe(build.builderId.replace(/^https?:\/\//, ''))
    await user.click(screen.getByRole('button', { name: `Copy builder id ${build.builderId}` }))
    expect(await navigator.clipboard.readText()).toBe(build.builderId)
    expect(await screen.findByText('Copied')).toBeTruthy()
  })
})
