import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query'
import { render, screen, waitFor, within } from '@testing-library/react'
import { userEvent } from '@testing-library/user-event'
import { useState } from 'react'
import { describe, expect, it } from 'vitest'
import { demoDb } from '../../../mocks/data/demo-db'
import { server } from '../../../mocks/node'
import { scenarios } from '../../../mocks/scenarios'
import { projectQueries } from '../../api/project-queries'
import { renderApp } from '../../test/render-app'
import { ProjectSelect } from './project-select'

/** The select as the filters use it: fed by the shared project query, its value held by the caller. */
function Harness({ initial }: { initial?: string }) {
  const projects = useQuery(projectQueries.names())
  const [value, setValue] = useState(initial)
  return (
    <>
      <ProjectSelect id="project" value={value} onChange={setValue} projects={projects} />
      <output aria-label="Chosen project">{value ?? 'none'}</output>
    </>
  )
}

function renderSelect(initial?: string) {
  // No retries: a failing request should show its error at once, not after a back-off.
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  const user = userEvent.setup()
  render(
    <QueryClientProvider client={queryClient}>
      <Harness initial={initial} />
    </QueryClientProvider>,
  )
  return { user, select: screen.getByLabelText<HTMLSelectElement>('Project') }
}

const optionNames = (select: HTMLElement) => within(select).getAllByRole('option').map((option) => option.textContent)

describe('ProjectSelect', () => {
  it('lists every project once the list arrives, and reports the choice', async () => {
    const { user, select } = renderSelect()
    expect(screen.getByText('Loading projects…')).toBeTruthy()
    expect(select.getAttribute('aria-busy')).toBe('true')
    const names = demoDb().listProjects().items.map((project) => project.name)
    await waitFor(() => expect(optionNames(select)).toEqual(['All projects', ...names]))
    expect(screen.queryByText('Loading projects…')).toBeNull()
    expect(select.getAttribute('aria-describedby')).toBeNull()

    const [first] = names
    if (!first) throw new Error('the demo has no project')
    await user.selectOptions(select, first)
    expect(screen.getByRole('status', { name: 'Chosen project' }).textContent).toBe(first)
    await user.selectOptions(select, 'All projects')
    expect(screen.getByRole('status', { name: 'Chosen project' }).textContent).toBe('none')
  })

  it('says the list could not load and why, keeps the URL project selectable, and retries', async () => {
    server.use(...scenarios.apiDown)
    const { user, select } = renderSelect('acme/api')
    const error = await screen.findByText(/^Could not load the project list\. The server answered 503 Service Unavailable\.$/)
    // The reason is read with the select, not only seen beside it.
    expect(select.getAttribute('aria-describedby')).toBe(error.id)
    expect(select.getAttribute('aria-busy')).toBeNull()
    expect(optionNames(select)).toEqual(['All projects', 'acme/api'])
    expect(select.value).toBe('acme/api')

    server.resetHandlers()
    await user.click(screen.getByRole('button', { name: 'Retry loading projects' }))
    await waitFor(() => expect(optionNames(select)).toContain('payments/ledger'))
    expect(screen.queryByText(/^Could not load the project list/)).toBeNull()
    expect(screen.queryByRole('button', { name: 'Retry loading projects' })).toBeNull()
    expect(select.value).toBe('acme/api')
  })

  it.each(['/builds', '/signatures'])('shows the same error state on %s when the API is down', async (url) => {
    server.use(...scenarios.apiDown)
    renderApp(url)
    const select = await screen.findByLabelText<HTMLSelectElement>('Project')
    const error = await screen.findByText(/^Could not load the project list\. The server answered 503 Service Unavailable\.$/)
    expect(select.getAttribute('aria-describedby')).toBe(error.id)
    expect(screen.getByRole('button', { name: 'Retry loading projects' })).toBeTruthy()
  })
})
