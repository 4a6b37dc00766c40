import { cleanup, screen, within } from '@testing-library/react'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { server } from '../../../../mocks/node'
import type { ReportDetail, ReportJob, ReportPreviewRow } from '../../../contract/reports'
import { renderApp } from '../../../test/render-app'

const id = 'a'.repeat(32)
const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`

const done: ReportJob = {
  id,
  scope: { kind: 'environment', environment: 'production' },
  asOf: '2026-11-20T00:00:00.000Z',
  state: 'done',
  progress: { done: 2, total: 2 },
  createdAt: '2026-11-21T08:00:00.000Z',
  createdBy: { token: 'auditor', scopes: ['read'] },
  summary: {
    artifacts: 2,
    verifiedProvenance: 1,
    unverifiedProvenance: [],
    withoutProvenance: [digest(2)],
    unknown: [],
    reproduced: 0,
    openAlerts: 0,
    waivedAlerts: 0,
    lines: ['As of 2026-11-20T00:00:00.000Z, 1 of 2 artifacts have verified provenance.', '1 has no provenance at all: web (sha256:2222222222…).'],
  },
  files: [
    { name: `report-${id}.tar`, format: 'archive', href: `/api/v1/reports/${id}/archive`, bytes: 20480 },
    { name: 'report.json', format: 'report.json', href: `/api/v1/reports/${id}/files/report.json`, bytes: 900 },
  ],
  error: null,
}

const row = (n: number, provenance: 'verified' | 'none'): ReportPreviewRow => ({
  digest: digest(n),
  name: n === 1 ? 'api' : 'web',
  provenance,
  sourceRepo: provenance === 'none' ? null : 'https://github.com/acme/api',
  sourceCommit: provenance === 'none' ? null : 'c'.repeat(40),
  builderId: provenance === 'none' ? null : 'https://github.com/actions/runner',
  attestations: { verified: 0, total: 0 },
  rebuilds: { matched: 1, rebuilders: 2 },
  deployments: 0,
  alerts: { open: 0, waived: 0 },
})

const detail: ReportDetail = { ...done, preview: { rows: [row(1, 'verified'), row(2, 'none')], artifacts: 2 } }

describe('the Reports page', () => {
  it('makes a report on an environment; the mocks cannot sign, so it is shown failed with their reason and listed', async () => {
    const { user } = renderApp('/reports')
    expect(await screen.findByRole('heading', { level: 1, name: 'Reports' })).toBeTruthy()
    expect(await screen.findByText('No reports have been made on this server yet.')).toBeTruthy()
    const environment = await screen.findByRole('combobox', { name: 'Environment' })
    // The mocks read the environments from the whole demo world; under load that takes seconds.
    await within(environment).findByRole('option', { name: 'production' }, { timeout: 30_000 })
    await user.selectOptions(environment, 'production')
    await user.click(screen.getByRole('button', { name: 'Make the report' }))
    expect(await screen.findByText(/This report failed: the in-browser demo cannot sign reports/)).toBeTruthy()
    const list = screen.getByRole('table', { name: 'Reports made on this server, newest first' })
    expect(await within(list).findByRole('cell', { name: 'Environment production' })).toBeTruthy()
    expect(within(list).getByRole('cell', { name: 'failed' })).toBeTruthy()
  }, 60_000)

  it('offers no Retry for an address whose report id the server refuses as malformed, and one for a report not found', async () => {
    renderApp('/reports?id=not-a-report')
    expect(await screen.findByText('A report id is 32 lower-case hex characters (in the id in the address).')).toBeTruthy()
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull()
    cleanup()
    renderApp(`/reports?id=${'b'.repeat(32)}`)
    expect(await screen.findByText(new RegExp(`^No report with id ${'b'.repeat(32)}`))).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Retry' })).toBeTruthy()
  })

  it('names the digest that is wrong before asking the server', async () => {
    const { user } = renderApp('/reports')
    await user.click(await screen.findByRole('radio', { name: 'A release (a list of digests)' }))
    await user.type(screen.getByRole('textbox', { name: 'Digests, one a line' }), `${digest(1)}{enter}sha256:beef`)
    await user.click(screen.getByRole('button', { name: 'Make the report' }))
    expect((await screen.findByRole('alert')).textContent).toBe('Digest 2 (sha256:beef) is not sha256: followed by 64 hex characters.')
    expect(screen.getByRole('textbox', { name: 'Digests, one a line' }).getAttribute('aria-invalid')).toBe('true')
  })

  it('opens a finished report: the summary in words, who made it, the downloads and a row per artifact, without downloading the report', async () => {
    const downloaded: string[] = []
    server.use(
      http.get('/api/v1/reports', () => HttpResponse.json({ items: [done], nextCursor: null })),
      http.get(`/api/v1/reports/${id}`, () => HttpResponse.json(detail)),
      http.get(`/api/v1/reports/${id}/*`, ({ request }) => {
        downloaded.push(request.url)
        return new HttpResponse(null, { status: 500 })
      }),
    )
    renderApp(`/reports?id=${id}`)
    expect(await screen.findByRole('heading', { level: 2, name: 'Environment production as of 2026-11-20 00:00:00 UTC' })).toBeTruthy()
    expect(screen.getByText('Made 2026-11-21 08:00:00 UTC by token auditor (read).')).toBeTruthy()
    const summary = screen.getByRole('list', { name: 'What is proven and what is not' })
    expect(within(summary).getByText('1 has no provenance at all: web (sha256:2222222222…).')).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Archive (signed report, documents, proofs, key)' }).getAttribute('href')).toBe(`/api/v1/reports/${id}/archive`)
    expect(screen.getByRole('link', { name: 'Report (JSON)' }).getAttribute('href')).toBe(`/api/v1/reports/${id}/files/report.json`)
    const rows = within(await screen.findByRole('table', { name: 'Each artifact in the report' })).getAllByRole('row')
    expect(rows.slice(1).map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent))).toEqual([
      ['Verified', `https://github.com/acme/api @ ${'c'.repeat(12)}`, 'https://github.com/actions/runner', '0 of 0 verified', '1 of 2 matched', '0', '0 open, 0 waived'],
      ['None', 'not recorded', 'not recorded', '0 of 0 verified', '1 of 2 matched', '0', '0 open, 0 waived'],
    ])
    expect(downloaded).toEqual([])
  })

  it('lists the open report in the state its own view shows, though the list last read it while it was being made', async () => {
    server.use(
      http.get('/api/v1/reports', () => HttpResponse.json({ items: [{ ...done, state: 'running', progress: { done: 2, total: 2 }, summary: null, files: [] }], nextCursor: null })),
      http.get(`/api/v1/reports/${id}`, () => HttpResponse.json(detail)),
    )
    renderApp(`/reports?id=${id}`)
    expect(await screen.findByRole('heading', { level: 2, name: 'Environment production as of 2026-11-20 00:00:00 UTC' })).toBeTruthy()
    const recent = within(screen.getByRole('table', { name: 'Reports made on this server, newest first' }))
    expect(recent.getAllByRole('row')[1]?.textContent).toContain('done')
    expect(recent.queryByText(/making/)).toBeNull()
  })

  it('says how many artifacts a large report has beyond its preview, and where they all are', async () => {
    const large: ReportDetail = { ...detail, preview: { rows: [row(1, 'verified')], artifacts: 10_000 } }
    server.use(
      http.get('/api/v1/reports', () => HttpResponse.json({ items: [done], nextCursor: null })),
      http.get(`/api/v1/reports/${id}`, () => HttpResponse.json(large)),
    )
    renderApp(`/reports?id=${id}`)
    expect(await screen.findByText("The first 1 of 10000 artifacts, in the report's order; every one is in the CSV, the printable page and the JSON.")).toBeTruthy()
    expect(within(screen.getByRole('table', { name: 'Each artifact in the report' })).getAllByRole('row')).toHaveLength(2)
  })
})
