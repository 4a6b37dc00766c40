import { screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { demoDb } from '../../../../mocks/data/demo-db'
import { server } from '../../../../mocks/node'
import { scenarios } from '../../../../mocks/scenarios'
import { renderApp } from '../../../test/render-app'

describe('search', () => {
  it('`/` focuses the box unless typing elsewhere; a digest prefix lands on its artifact', async () => {
    const sha256 = demoDb().summaries[0]?.subjects[0]?.digest.sha256 ?? ''
    const { user, router } = renderApp('/builds')
    const box = await screen.findByRole('searchbox', { name: /^Search digests/ })
    await user.keyboard('/')
    expect(document.activeElement).toBe(box)
    await user.keyboard(`${sha256.slice(0, 14)}{Enter}`)
    await waitFor(() => expect(router.state.location.pathname).toBe(`/artifacts/sha256:${sha256}`))
    // The artifact page's data is built by the mocks from the whole demo on first use, which can take seconds on a loaded machine.
    expect(await screen.findByRole('region', { name: 'Produced by' }, { timeout: 10_000 })).toBeTruthy()
  })

  it('does not steal `/` from a text field', async () => {
    const { user } = renderApp('/signatures')
    const signer = await screen.findByLabelText('Signer identity')
    await user.click(signer)
    await user.keyboard('a/b')
    expect((signer as HTMLInputElement).value).toBe('a/b')
  })

  it('lists several matches, reachable with the arrow keys', async () => {
    const { user } = renderApp('/search?q=cli-')
    const list = await screen.findByRole('list', { name: 'Search results' })
    const links = within(list).getAllByRole('link')
    expect(links.length).toBeGreaterThan(1)
    links[0]?.focus()
    await user.keyboard('{ArrowDown}')
    expect(document.activeElement).toBe(links[1])
    // Says how text is matched, so that "acme" finding no signer "demo-rebuilder-rebuild.acme.example-r1" is no surprise.
    expect(screen.getByText('Read as text: artifact names, projects, package URLs and signer identities that start with it.')).toBeTruthy()
  })

  it('says when each artifact was built as the other screens say times, not as an ISO instant', async () => {
    renderApp('/search?q=api-linux-amd64')
    const list = await screen.findByRole('list', { name: 'Search results' })
    const [counts, newest] = within(list).getAllByRole('listitem')
    expect(counts?.textContent).toMatch(/^Artifact api-linux-amd64[\d,+]+ artifacts named api-linux-amd64 from [\d,+]+ builds · newest built /)
    expect(newest?.textContent).toMatch(/^Artifact api-linux-amd64 \(newest\)acme\/api · sha256:[0-9a-f]{12}… · built /)
    for (const item of [counts, newest]) {
      const time = item?.querySelector('time')
      // The instant is the element's machine-readable value; its text "last week" (or, in print, the UTC time).
      expect(time?.getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/)
      expect(item?.textContent).not.toMatch(/\dT\d/)
      expect(time?.querySelector('.time-relative')?.textContent).toMatch(/ago|last|yesterday|today|just now/)
      expect(time?.querySelector('.time-absolute')?.textContent).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? UTC$/)
    }
  })

  it('finds projects by how their name starts; a project leads to its builds', async () => {
    const { user, router } = renderApp('/search?q=acme')
    const list = await screen.findByRole('list', { name: 'Search results' })
    const projects = [...new Set(demoDb().summaries.map((summary) => summary.project))].filter((project) => project.startsWith('acme')).sort()
    expect(projects.length).toBeGreaterThan(1)
    for (const project of projects) {
      const builds = demoDb().summaries.filter((summary) => summary.project === project).length
      const item = within(list).getByRole('link', { name: new RegExp(`^Project ${project}`) })
      expect(item.closest('li')?.textContent).toContain(`project with ${builds.toLocaleString('en-US')} build`)
    }
    await user.click(within(list).getByRole('link', { name: new RegExp(`^Project ${projects[0] ?? ''}`) }))
    await waitFor(() => expect(`${router.state.location.pathname}${router.state.location.search}`).toBe(`/builds?project=${encodeURIComponent(projects[0] ?? '')}`))
  })

  it('says when nothing matches', async () => {
    server.use(...scenarios.emptyProject)
    renderApp('/search?q=nothing-like-this')
    expect(await screen.findByRole('heading', { name: /^No matches for/ })).toBeTruthy()
  })

  it('shows what failed when the API is down, and retries', async () => {
    server.use(...scenarios.apiDown)
    const { user } = renderApp('/search?q=web-dist')
    const alert = await screen.findByRole('alert')
    expect(within(alert).getByText(/^The server answered 503 Service Unavailable\.$/)).toBeTruthy()
    server.resetHandlers()
    await user.click(within(alert).getByRole('button', { name: 'Retry' }))
    expect(await screen.findByRole('list', { name: 'Search results' })).toBeTruthy()
  })
})
