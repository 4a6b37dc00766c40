import { screen, waitFor, within } from '@testing-library/react'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { demoDb } from '../../../../mocks/data/demo-db'
import { server } from '../../../../mocks/node'
import { toolVersions } from '../../../lib/build-facts'
import { renderApp } from '../../../test/render-app'

/** A demo build whose toolchain differs from the project's previous build. */
function bumpedPair(): { previous: string; build: string; tool: string } {
  for (const summary of demoDb().summaries) {
    const previous = demoDb().neighbours(summary.id)?.previous
    const a = previous ? demoDb().getBuild(previous.id) : null
    const b = demoDb().getBuild(summary.id)
    if (!a || !b) continue
    const before = new Map(toolVersions(a).map((tool) => [tool.name, tool.version]))
    // A pair that changed exactly one tool (the alert scenarios' builds change several at once).
    const changed = toolVersions(b).filter((tool) => before.has(tool.name) && before.get(tool.name) !== tool.version)
    const sameTools = toolVersions(a).length === toolVersions(b).length
    if (changed.length === 1 && sameTools && changed[0]) return { previous: a.id, build: b.id, tool: changed[0].name }
  }
  throw new Error('the demo never changes a tool version')
}

describe('ComparePage', () => {
  it('reaches the comparison from a build, and highlights the changed tool version', async () => {
    const pair = bumpedPair()
    const { user, router } = renderApp(`/builds/${pair.build}`)
    await user.click(await screen.findByRole('link', { name: 'Compare with previous' }))
    expect(await screen.findByRole('heading', { level: 1, name: 'Compare builds' })).toBeTruthy()
    expect(router.state.location.search).toBe(`?a=${pair.previous}&b=${pair.build}`)

    const tools = await screen.findByRole('region', { name: /^Tool versions/ })
    expect(within(tools).getByText('1 changed')).toBeTruthy()
    const row = within(tools).getByRole('row', { name: new RegExp(`^${pair.tool} `) })
    expect(within(row).getByText('Changed')).toBeTruthy()
    expect(row.className).toBe('diff-changed')
    // Outputs always differ between two builds of new code; unchanged sections say so.
    expect(within(screen.getByRole('region', { name: /^Outputs/ })).getAllByText('Changed').length).toBeGreaterThan(0)
    expect(within(screen.getByRole('region', { name: /^Builder and source/ })).queryByText('Builder')).toBeNull()
  })

  it('shows unchanged rows on request, in the URL', async () => {
    const pair = bumpedPair()
    const { user, router } = renderApp(`/builds/compare?a=${pair.previous}&b=${pair.build}`)
    const toggle = await screen.findByRole('checkbox', { name: 'Show unchanged rows' })
    await user.click(toggle)
    expect(toggle).toHaveProperty('checked', true)
    await waitFor(() => expect(router.state.location.search).toContain('all=1'))
    expect(await within(screen.getByRole('region', { name: /^Builder and source/ })).findByRole('rowheader', { name: 'Builder' })).toBeTruthy()
  })

  it('asks for two builds when the URL lacks one, and picks the other by searching its short commit', async () => {
    const [newest, older] = demoDb().summaries.filter((summary) => summary.sourceCommit !== null)
    if (!newest?.sourceCommit || !older) throw new Error('the demo has builds with commits')
    const { user, router } = renderApp(`/builds/compare?a=${older.id}`)
    expect(await screen.findByRole('group', { name: 'Choose two builds' })).toBeTruthy()
    expect(await screen.findByRole('button', { name: 'Choose another for Build A (older)' })).toBeTruthy()
    await user.type(screen.getByLabelText('Commit or build id of Build B (newer)'), newest.sourceCommit.slice(0, 7))
    await user.click(screen.getByRole('button', { name: 'Find' }))
    const found = await screen.findByRole('list', { name: 'Builds found for Build B (newer)' })
    await user.click(within(found).getAllByRole('button', { name: /^Use commit / })[0] as HTMLElement)
    await waitFor(() => expect(router.state.location.search).toBe(`?a=${older.id}&b=${newest.id}`))
    expect(await screen.findByRole('region', { name: 'Build B' })).toBeTruthy()
  })

  it('says which build failed to load, and retries', async () => {
    const pair = bumpedPair()
    let down = true
    server.use(http.get(`/api/v1/builds/${pair.build}`, () => (down ? new HttpResponse(null, { status: 503 }) : undefined)))
    const { user } = renderApp(`/builds/compare?a=${pair.previous}&b=${pair.build}`)
    const alert = await screen.findByRole('alert')
    expect(within(alert).getByText('Could not load build B')).toBeTruthy()
    down = false
    await user.click(within(alert).getByRole('button', { name: 'Retry' }))
    expect(await screen.findByRole('region', { name: /^Tool versions/ })).toBeTruthy()
  })
})
