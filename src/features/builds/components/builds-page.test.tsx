import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { demoDb } from '../../../../mocks/data/demo-db'
import { server } from '../../../../mocks/node'
import { scenarios } from '../../../../mocks/scenarios'
import { renderApp } from '../../../test/render-app'
import { BUILDS_PAGE_SIZE } from '../lib/builds-search'

/** The body rows of the builds table (the header row is the first row). */
async function buildRows() {
  const table = await screen.findByRole('table', { name: 'Builds' })
  await waitFor(() => expect(within(table).getAllByRole('row').length).toBeGreaterThan(1))
  return within(table).getAllByRole('row').slice(1)
}

function projectsShown(): Set<string> {
  const table = screen.getByRole('table', { name: 'Builds' })
  // Each row's build link (named "<project> build at <commit>, <status>"); commits and artifacts link elsewhere.
  return new Set(within(table).getAllByRole('link', { name: / build(?: at |, )/ }).map((link) => link.textContent))
}

describe('BuildsPage', () => {
  it('lists the newest builds from the API, each linking to its build page', async () => {
    // Read before rendering: the demo's signed documents take seconds to make on a loaded machine, which is not
    // what the table's wait is about.
    const newest = demoDb().summaries[0]
    if (!newest) throw new Error('the demo has no builds')
    renderApp('/builds')
    const rows = await buildRows()

    expect(rows).toHaveLength(BUILDS_PAGE_SIZE)
    const first = rows[0]
    if (!first) throw new Error('no first row')
    expect(within(first).getByText(newest.project)).toBeTruthy()
    const link = within(first).getByRole('link', { name: new RegExp(`^${newest.project} build at ${newest.sourceCommit?.slice(0, 7)}`) })
    expect(link.getAttribute('href')).toBe(`/builds/${newest.id}`)
    // Time is relative, with the absolute time on hover.
    const time = first.querySelector('time')
    expect(time?.getAttribute('dateTime')).toBe(newest.time)
    expect(time?.getAttribute('title')).toMatch(/UTC$/)
    expect(screen.getByText(`Showing ${BUILDS_PAGE_SIZE} builds; more are available.`)).toBeTruthy()
  })

  it('names the failing check of a failed build in words, not colour alone', async () => {
    renderApp('/builds?status=failed')
    const rows = await buildRows()
    // Each row says the check that failed it: a signature, or a policy check such as the builder.
    const failedChecks = new Set(demoDb().summaries.filter((summary) => summary.status === 'failed').map((summary) => summary.failedCheck))
    expect(failedChecks.has('envelope-signature')).toBe(true)
    for (const row of rows) expect([...failedChecks].some((check) => check !== null && within(row).queryByText(check) !== null)).toBe(true)
  })

  it('filters by project from the URL, and a new choice updates the URL and the rows', async () => {
    const { router, user } = renderApp('/builds?project=acme%2Fapi')
    await buildRows()
    expect(projectsShown()).toEqual(new Set(['acme/api']))

    const select = await screen.findByLabelText('Project')
    await waitFor(() => expect(within(select).getByRole('option', { name: 'payments/ledger' })).toBeTruthy())
    await user.selectOptions(select, 'payments/ledger')

    await waitFor(() => expect(router.state.location.search).toBe('?project=payments%2Fledger'))
    await waitFor(() => expect(projectsShown()).toEqual(new Set(['payments/ledger'])), { timeout: 15_000 })
  })

  it('shows a filter as soon as it is chosen, and keeps it when another is chosen before the address follows', async () => {
    const { router } = renderApp('/builds')
    await buildRows()
    const status = screen.getByLabelText<HTMLSelectElement>('Status')
    const project = screen.getByLabelText<HTMLSelectElement>('Project')
    await waitFor(() => expect(within(project).getByRole('option', { name: 'payments/ledger' })).toBeTruthy())

    fireEvent.change(status, { target: { value: 'failed' } })
    // Shown at once; the address (and the list) follow once the frame showing it is drawn.
    expect(status.value).toBe('failed')
    expect(router.state.location.search).toBe('')
    fireEvent.change(project, { target: { value: 'payments/ledger' } })
    expect(status.value).toBe('failed')
    expect(project.value).toBe('payments/ledger')

    await waitFor(() => expect(Object.fromEntries(new URLSearchParams(router.state.location.search))).toEqual({ status: 'failed', project: 'payments/ledger' }))
    expect(status.value).toBe('failed')
    expect(project.value).toBe('payments/ledger')
    await waitFor(() => expect(projectsShown()).toEqual(new Set(['payments/ledger'])), { timeout: 15_000 })
  })

  it('loads the next page on request', async () => {
    const { user } = renderApp('/builds?project=data%2Fetl')
    await buildRows()
    const total = demoDb().summaries.filter((build) => build.project === 'data/etl').length
    expect(total).toBeGreaterThan(BUILDS_PAGE_SIZE)
    // Each request brings the next page, until every build of the project is shown.
    for (let shown = BUILDS_PAGE_SIZE; shown < total; ) {
      await user.click(screen.getByRole('button', { name: 'Load more builds' }))
      shown = Math.min(total, shown + BUILDS_PAGE_SIZE)
      const text = `Showing ${shown} builds${shown < total ? '; more are available' : ''}.`
      await waitFor(() => expect(screen.getByText(text)).toBeTruthy())
      await waitFor(async () => expect(await buildRows()).toHaveLength(shown))
    }
    expect(screen.getByText('That is every build matching these filters.')).toBeTruthy()
  })

  it('offers Clear filters beside the count while a filter is set, and it brings back every build', async () => {
    const { router, user } = renderApp('/builds?status=verified')
    await screen.findByText(/^Showing \d+ builds/)
    for (const row of await buildRows()) expect(within(row).getByText('Verified')).toBeTruthy()
    await user.click(screen.getByRole('button', { name: 'Clear filters' }))
    await waitFor(() => expect(router.state.location.search).toBe(''))
    expect(screen.getByLabelText<HTMLSelectElement>('Status').value).toBe('')
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Clear filters' })).toBeNull())
  })

  it('says when no build matches the filters, and clears them', async () => {
    server.use(...scenarios.empty)
    const { router, user } = renderApp('/builds?status=failed')
    expect(await screen.findByText('No builds match these filters')).toBeTruthy()

    const [clear] = screen.getAllByRole('button', { name: 'Clear filters' })
    if (!clear) throw new Error('no clear button')
    await user.click(clear)
    // The address follows the frame that shows the choice (src/lib/search-params.ts).
    await waitFor(() => expect(router.state.location.search).toBe(''))
    expect(await screen.findByText('No builds recorded yet')).toBeTruthy()
  })

  it('shows what failed when the API is down, and retries', async () => {
    server.use(...scenarios.apiDown)
    const { user } = renderApp('/builds')
    const alert = await screen.findByRole('alert')
    expect(within(alert).getByText('Could not load builds')).toBeTruthy()
    expect(within(alert).getByText(/^The server answered 503 Service Unavailable\.$/)).toBeTruthy()

    server.resetHandlers()
    await user.click(within(alert).getByRole('button', { name: 'Retry' }))
    expect(await buildRows()).toHaveLength(BUILDS_PAGE_SIZE)
    expect(screen.queryByText('Could not load builds')).toBeNull()
  })
})
