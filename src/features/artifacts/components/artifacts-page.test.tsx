import { screen, waitFor, within } from '@testing-library/react'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { demoDb } from '../../../../mocks/data/demo-db'
import { server } from '../../../../mocks/node'
import { renderApp } from '../../../test/render-app'

describe('ArtifactsPage', () => {
  it('lists recent artifacts with their status, each linking to its artifact and build', async () => {
    renderApp('/artifacts')
    // The first render builds the demo index the mocks answer from, which takes seconds on a busy machine.
    const table = await screen.findByRole('table', { name: 'Artifacts' }, { timeout: 20_000 })
    const newest = demoDb().summaries[0]
    const subject = newest?.subjects[0]
    if (!newest || !subject) throw new Error('the demo has builds with subjects')
    // The newest build's artifacts come first (several subjects of one build in reverse order of position).
    const first = within(table)
      .getAllByRole('row')
      .slice(1, 1 + (newest.subjects.length))
      .find((row) => within(row).queryByRole('link', { name: subject.name }) !== null)
    if (!first) throw new Error(`${subject.name} is not among the first rows`)
    expect(within(first).getByRole('link', { name: subject.name }).getAttribute('href')).toBe(`/artifacts/sha256:${subject.digest.sha256 ?? ''}`)
    expect(within(first).getByRole('link', { name: `Build of ${subject.name}` }).getAttribute('href')).toBe(`/builds/${newest.id}`)
  })

  it('filters by exact name in the URL, and says when nothing matches', async () => {
    const name = demoDb().summaries[0]?.subjects[0]?.name ?? ''
    const { user, router } = renderApp('/artifacts')
    await user.type(await screen.findByLabelText('Artifact name'), name)
    await user.click(screen.getByRole('button', { name: 'Apply' }))
    await waitFor(() => expect(router.state.location.search).toBe(`?name=${encodeURIComponent(name).replace(/%20/g, '+')}`))
    const table = await screen.findByRole('table', { name: 'Artifacts' })
    await waitFor(() => expect(new Set(within(table).getAllByRole('link', { name: /./ }).filter((link) => link.getAttribute('href')?.startsWith('/artifacts/')).map((link) => link.textContent)).has(name)).toBe(true))
    renderApp('/artifacts?name=no-such-artifact')
    expect(await screen.findByText('No artifacts match these filters')).toBeTruthy()
  })

  it("closes a build's rows with how many more artifacts it has, linking to them on its page", async () => {
    const buildId = 'b'.repeat(64)
    const item = (name: string, moreInBuild: number) => ({ digest: `sha256:${'c'.repeat(63)}${name.length}`, name, buildId, project: 'acme/site', time: '2026-11-20T10:00:00Z', status: 'verified', moreInBuild })
    server.use(http.get('/api/v1/artifacts', () => HttpResponse.json({ items: [item('site/b.js', 0), item('site/a.js', 426)], nextCursor: null })))
    renderApp('/artifacts')
    const table = await screen.findByRole('table', { name: 'Artifacts' }, { timeout: 20_000 })
    const rows = within(table).getAllByRole('row')
    // Header, the two artifacts, then the line closing their build.
    expect(rows).toHaveLength(4)
    const more = within(rows[3] as HTMLElement).getByRole('link', { name: `426 more artifacts of build ${'b'.repeat(12)}…` })
    expect(more.getAttribute('href')).toBe(`/builds/${buildId}#subjects`)
    expect(screen.getByText(/Showing 2 artifacts, the first 5 of each build\./)).toBeTruthy()
  })

  it('shows what failed when the API is down, and retries', async () => {
    server.use(http.get('/api/v1/artifacts', () => new HttpResponse(null, { status: 503 })))
    renderApp('/artifacts')
    expect(await screen.findByText('Could not load artifacts')).toBeTruthy()
    server.use(http.get('/api/v1/artifacts', () => HttpResponse.json({ items: [], nextCursor: null })))
  })
})
