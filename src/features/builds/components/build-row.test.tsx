import { render, screen } from '@testing-library/react'
import { userEvent } from '@testing-library/user-event'
import { MemoryRouter } from 'react-router'
import { describe, expect, it } from 'vitest'
import { BuildSummary } from '../../../contract/builds'
import { BuildRow } from './build-row'

describe('BuildRow', () => {
  it('offers the whole builder id, which the column cuts at its start, to copy', async () => {
    const builderId = 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.0.0'
    const build = BuildSummary.parse({
      id: 'b'.repeat(64),
      project: 'acme/cli',
      sourceRepo: 'https://github.com/acme/cli',
      sourceCommit: 'c'.repeat(40),
      builderId,
      buildType: 'https://github.com/slsa-framework/slsa-github-generator/generic@v1',
      subjects: [{ name: 'cli-linux-amd64', digest: { sha256: 'a'.repeat(64) } }],
      status: 'verified',
      failedCheck: null,
      startedAt: '2026-11-20T10:00:00.000Z',
      finishedAt: '2026-11-20T10:05:00.000Z',
      ingestedAt: '2026-11-20T10:06:00.000Z',
      time: '2026-11-20T10:05:00.000Z',
    })
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
    expect(screen.getByTitle(builderId).textContent).toBe(builderId.replace(/^https?:\/\//, ''))
    await user.click(screen.getByRole('button', { name: `Copy builder id ${builderId}` }))
    expect(await navigator.clipboard.readText()).toBe(builderId)
    expect(await screen.findByText('Copied')).toBeTruthy()
  })
})
