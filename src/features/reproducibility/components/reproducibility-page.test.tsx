import { screen, waitFor, within } from '@testing-library/react'
import { http } from 'msw'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { demoIndex } from '../../../../mocks/data/demo-index'
import { demoHistory, demoReproducibilitySummary } from '../../../../mocks/data/reproducibility'
import { DEMO_END } from '../../../../demo/model'
import { server } from '../../../../mocks/node'
import { EMPTY_PROJECT, scenarios } from '../../../../mocks/scenarios'
import { renderApp } from '../../../test/render-app'

// The demo's rebuilds end at its fixed "now"; "the last 30 days" must mean the demo's last 30 days.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true })
  vi.setSystemTime(DEMO_END)
})
afterEach(() => {
  vi.useRealTimers()
})

describe('ReproducibilityPage', () => {
  it('says what is loading while a slow API answers, then draws the chart', async () => {
    server.use(...scenarios.slow)
    renderApp('/reproducibility?project=acme%2Fapi')
    expect(await screen.findByText('Loading reproducibility…')).toBeTruthy()
    expect(screen.queryByRole('figure')).toBeNull()
    expect(await screen.findByRole('figure', { name: /rebuilds matched in the last 30 days/ }, { timeout: 10_000 })).toBeTruthy()
  })

  it('summarises every project, and charts the selected one inside a labelled figure', async () => {
    renderApp('/reproducibility?project=acme%2Fapi')
    const projects = await screen.findByRole('table', { name: 'Reproducibility by project' })
    const summary = demoReproducibilitySummary(demoIndex())
    expect(within(projects).getAllByRole('row')).toHaveLength(summary.items.length + 1)
    expect(within(projects).getByRole('link', { name: 'acme/api' }).getAttribute('aria-current')).toBe('true')

    const history = demoHistory(demoIndex(), { project: 'acme/api', bucket: 'auto', from: new Date(DEMO_END - 29 * 86_400_000).toISOString().slice(0, 10) + 'T00:00:00.000Z', to: new Date(DEMO_END + 86_400_000).toISOString().slice(0, 10) + 'T00:00:00.000Z' }, DEMO_END)
    if ('error' in history) throw new Error(history.error)
    const total = history.matched + history.mismatched
    const figure = await screen.findByRole('figure', { name: new RegExp(`^\\d+% of ${total.toLocaleString('en')} rebuilds matched in the last 30 days`) })
    expect(within(figure).getByRole('img', { name: /^Chart: / })).toBeTruthy()
    // The chart itself arrives in its own chunk.
    await waitFor(() => expect(figure.querySelector('.recharts-wrapper')).not.toBeNull())
  })

  it('keeps the range in the URL', async () => {
    const { user, router } = renderApp('/reproducibility?project=acme%2Fweb')
    await screen.findByRole('figure', { name: /in the last 30 days/ })
    await user.click(screen.getByRole('radio', { name: '90 days' }))
    expect(screen.getByRole('radio', { name: '90 days' })).toHaveProperty('checked', true)
    await waitFor(() => expect(router.state.location.search).toBe('?project=acme%2Fweb&range=90'))
    expect(await screen.findByRole('figure', { name: /in the last 90 days/ })).toBeTruthy()
  })

  it("keeps the last range's chart up, marked busy and captioned for its own range, until the next range's data is here", async () => {
    // Requests for the history wait while `held` is set; answering nothing, the handler hands them to the demo's.
    let held: Promise<void> | null = null
    let release = () => {}
    server.use(http.get('/api/v1/reproducibility/history', async () => void (await held)))
    const { user } = renderApp('/reproducibility?project=acme%2Fweb')
    const figure = await screen.findByRole('figure', { name: /in the last 30 days/ })
    await waitFor(() => expect(figure.querySelector('.history-bar')).not.toBeNull())
    // Bars are named images, and a day without mismatches has no empty "0 of n" one.
    expect(within(figure).getAllByRole('img', { name: /^Matched, .+: \d+ of \d+ rebuilds$/ }).length).toBeGreaterThan(0)
    expect(within(figure).queryAllByRole('img', { name: /^Mismatched, .+: 0 of \d+ rebuilds$/ })).toHaveLength(0)
    // Each period's bars stand on the axis, mismatched on top of matched, their heights in proportion to their counts.
    const stacks = [...figure.querySelectorAll('.history-bar')].map((group) =>
      [...group.querySelectorAll('rect')].map((rect) => ({ count: Number(/: (\d+) of/.exec(rect.getAttribute('aria-label') ?? '')?.[1]), y: Number(rect.getAttribute('y')), height: Number(rect.getAttribute('height')) })),
    )
    const both = stacks.filter((stack) => stack.length === 2)
    expect(both.length).toBeGreaterThan(0)
    const perRebuild = (both[0]?.[0]?.height ?? 0) / (both[0]?.[0]?.count ?? 1)
    const floor = (both[0]?.[0]?.y ?? 0) + (both[0]?.[0]?.height ?? 0)
    for (const [matched, mismatched] of both) {
      expect(mismatched!.y + mismatched!.height).toBeCloseTo(matched!.y, 6)
      expect(matched!.y + matched!.height).toBeCloseTo(floor, 6)
      expect(matched!.height / matched!.count).toBeCloseTo(perRebuild, 6)
      expect(mismatched!.height / mismatched!.count).toBeCloseTo(perRebuild, 6)
    }
    held = new Promise((resolve) => (release = resolve))
    await user.click(screen.getByRole('radio', { name: '90 days' }))
    await waitFor(() => expect(figure.getAttribute('aria-busy')).toBe('true'))
    expect(screen.getByRole('figure', { name: /in the last 30 days/ })).toBe(figure)
    expect(figure.querySelector('.history-bar')).not.toBeNull()
    release()
    expect(await screen.findByRole('figure', { name: /in the last 90 days/ })).toBe(figure)
    expect(figure.getAttribute('aria-busy')).toBe('false')
  })

  it('shows "k of n rebuilders agree" per artifact, and a mismatch cell opens the artifact at the disagreeing rebuild', async () => {
    const { user } = renderApp('/reproducibility?project=acme%2Fapi')
    const matrix = await screen.findByRole('table', { name: 'Rebuilder verdicts for acme/api' })
    expect(within(matrix).getAllByText(/^\d of \d rebuilders? agrees?$/).length).toBeGreaterThan(0)
    const mismatch = within(matrix).queryAllByRole('link', { name: /: mismatch for / })[0] ?? null
    if (mismatch === null) throw new Error('no mismatch among the latest acme/api artifacts')
    const rebuilder = mismatch.getAttribute('aria-label')?.split(':')[0] ?? ''
    await user.click(mismatch)
    const detail = await screen.findByRole('article', { name: new RegExp(`^Mismatch: https?://${rebuilder.replace(/[.]/g, '\\.')} disagrees$`) })
    expect(detail).toBeTruthy()
  })

  it('opens a mismatching rebuild from a period of the chart', async () => {
    const { user } = renderApp('/reproducibility?project=acme%2Fapi&range=90')
    const periods = await screen.findByRole('heading', { name: 'Recent periods with mismatches' })
    const [button] = within(periods.parentElement ?? document.body).getAllByRole('button')
    if (!button) throw new Error('no period with mismatches')
    await user.click(button)
    expect(await screen.findByRole('article', { name: /^Mismatch: .* disagrees$/ })).toBeTruthy()
  })

  it('says so when a project has nothing rebuilt', async () => {
    server.use(...scenarios.emptyProject)
    renderApp('/reproducibility')
    expect(await screen.findByRole('figure', { name: /^No rebuilds were recorded in the last 30 days/ })).toBeTruthy()
    expect(screen.getByText(new RegExp(`Nothing to chart: no rebuild of ${EMPTY_PROJECT} finished`))).toBeTruthy()
    expect(await screen.findByText(`No artifact of ${EMPTY_PROJECT} has been rebuilt.`)).toBeTruthy()
  })

  it('says when nothing was ever rebuilt', async () => {
    server.use(...scenarios.empty)
    renderApp('/reproducibility')
    expect(await screen.findByText('No rebuilds recorded yet')).toBeTruthy()
  })

  it('shows what failed when the API is down, and retries', async () => {
    server.use(...scenarios.apiDown)
    const { user } = renderApp('/reproducibility')
    const alert = await screen.findByRole('alert')
    expect(within(alert).getByText('Could not load the reproducibility summary')).toBeTruthy()
    expect(within(alert).getByText(/^The server answered 503 Service Unavailable\.$/)).toBeTruthy()
    server.resetHandlers()
    await user.click(within(alert).getByRole('button', { name: 'Retry' }))
    expect(await screen.findByRole('table', { name: 'Reproducibility by project' })).toBeTruthy()
  })
})
