import { screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { demoDb } from '../../../../mocks/data/demo-db'
import { demoIndex } from '../../../../mocks/data/demo-index'
import { server } from '../../../../mocks/node'
import { scenarios } from '../../../../mocks/scenarios'
import { renderApp } from '../../../test/render-app'
import { SIGNATURES_PAGE_SIZE } from '../lib/signatures-search'

async function bodyRows() {
  const table = await screen.findByRole('table', { name: 'Signatures' })
  await waitFor(() => expect(within(table).getAllByRole('row').length).toBeGreaterThan(1))
  return within(table).getAllByRole('row').slice(1)
}

describe('SignaturesPage', () => {
  it('says what is loading while a slow API answers, then shows the rows', async () => {
    // The demo's signed documents are made before the clock starts: seconds on a loaded machine, which is not the
    // slowness this test is about.
    demoIndex()
    server.use(...scenarios.slow)
    renderApp('/signatures')
    expect(await screen.findByText('Loading signatures…')).toBeTruthy()
    expect(screen.queryByRole('table', { name: 'Signatures' })).toBeNull()
    expect(await bodyRows()).toHaveLength(SIGNATURES_PAGE_SIZE)
    expect(screen.queryByText('Loading signatures…')).toBeNull()
  })

  it('lists verification results with counts by status; a count filters, in the URL', async () => {
    const { user, router } = renderApp('/signatures')
    expect(await bodyRows()).toHaveLength(SIGNATURES_PAGE_SIZE)
    const counts = screen.getByRole('navigation', { name: 'Counts by status' })
    // Every stored document is a verification result: the builds' provenance and the rebuilders' attestations.
    const documents = demoIndex().signatures
    const failed = documents.filter((document) => document.status === 'failed').length
    const link = within(counts).getByRole('link', { name: new RegExp(`^Failed ${failed}$`) })
    expect(within(counts).getByRole('link', { name: `All ${documents.length.toLocaleString('en')}` })).toBeTruthy()
    expect(documents.length).toBeGreaterThan(demoDb().summaries.length)

    await user.click(link)
    expect(router.state.location.search).toBe('?status=failed')
    // The filtered page is computed by the mocks over the whole demo; on a loaded machine that can take seconds.
    await waitFor(async () => expect(await bodyRows()).toHaveLength(Math.min(failed, SIGNATURES_PAGE_SIZE)), { timeout: 10_000 })
  })

  it('says what each document is, and what it came in', async () => {
    renderApp('/signatures')
    const rows = await bodyRows()
    const shown = demoIndex().signatures.slice(0, rows.length).map((entry) => entry.row())
    const expected: Record<string, string> = { provenance: 'Build provenance · DSSE envelope', rebuild: 'Rebuild verdict · DSSE envelope', sbom: 'SBOM · DSSE envelope', deployment: 'Deployment · DSSE envelope' }
    rows.forEach((row, index) => {
      const kind = shown[index]?.kind ?? 'none'
      expect(row.querySelector('.document-name')?.textContent, kind).toBe(expected[kind])
    })
    // The first page of the demo holds several kinds, not only builds.
    expect(new Set(shown.map((row) => row.kind)).size).toBeGreaterThan(1)
  })

  it('links each failure to its failing check on the build page', async () => {
    const { user, router } = renderApp('/signatures?status=failed')
    // The first failure whose signature failed (the newest may fail a policy check instead, e.g. its builder).
    const first = (await bodyRows()).find((row) => within(row).queryByText('envelope-signature') !== null)
    if (!first) throw new Error('no row failed at envelope-signature')
    await user.click(within(first).getByRole('link', { name: /^Failed: open the envelope-signature check of/ }))
    await waitFor(() => expect(router.state.location.hash).toBe('#check-envelope-signature'))
    const table = await screen.findByRole('table', { name: /^Checks/ })
    await waitFor(() => expect(document.activeElement).toBe(table.querySelector('#check-envelope-signature')))
  })

  it('filters by signer from the URL, and the signer box shows it', async () => {
    const signer = demoDb().getBuild(demoDb().summaries[0]?.id ?? '')?.verification.signers[0]?.trustedKeyId
    if (!signer) throw new Error('no signer')
    renderApp(`/signatures?signer=${encodeURIComponent(signer)}`)
    for (const row of await bodyRows()) expect(within(row).getByText(signer)).toBeTruthy()
    expect(screen.getByLabelText<HTMLInputElement>('Signer identity').value).toBe(signer)
  })

  it('says when nothing is recorded, and when nothing matches the filters', async () => {
    server.use(...scenarios.emptyProject)
    const { user, router } = renderApp('/signatures?status=failed')
    expect(await screen.findByText('No signatures match these filters')).toBeTruthy()
    const [clear] = screen.getAllByRole('button', { name: 'Clear filters' })
    if (!clear) throw new Error('no clear button')
    await user.click(clear)
    // The address follows the frame that shows the choice (src/lib/search-params.ts).
    await waitFor(() => expect(router.state.location.search).toBe(''))
    expect(await screen.findByText('No signatures recorded yet')).toBeTruthy()
  })

  it('shows what failed when the API is down, and retries', async () => {
    server.use(...scenarios.apiDown)
    const { user } = renderApp('/signatures')
    const alert = await screen.findByRole('alert')
    expect(within(alert).getByText('Could not load signatures')).toBeTruthy()
    expect(within(alert).getByText(/^The server answered 503 Service Unavailable\.$/)).toBeTruthy()
    server.resetHandlers()
    await user.click(within(alert).getByRole('button', { name: 'Retry' }))
    expect(await bodyRows()).toHaveLength(SIGNATURES_PAGE_SIZE)
  })
})
