import { screen, within } from '@testing-library/react'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { server } from '../../../../mocks/node'
import { BuildId } from '../../../contract/common'
import type { Report, ReportJob } from '../../../contract/reports'
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

const artifact = (n: number, provenance: 'verified' | 'none'): Report['artifacts'][number] => ({
  digest: digest(n),
  digests: { sha256: digest(n).slice(7) },
  names: [n === 1 ? 'api' : 'web'],
  provenance,
  builds:
    provenance === 'none'
      ? []
      : [{ id: BuildId.parse('b'.repeat(64)), project: 'acme/api', sourceRepo: 'https://github.com/acme/api', sourceCommit: 'c'.repeat(40), builderId: 'https://github.com/actions/runner', buildType: null, status: 'verified', time: '2026-11-19T00:00:00.000Z' }],
  attestations: [],
  sbom: null,
  rebuilds: { rebuilders: 2, matched: 1, mismatched: 1, verdicts: [] },
  deployments: [],
  alerts: [],
})

const content: Report = {
  schema: 'https://provenance-dashboard.dev/report/v1',
  asOf: done.asOf,
  scope: done.scope,
  summary: done.summary!,
  artifacts: [artifact(1, 'verified'), artifact(2, 'none')],
  documents: [],
}

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

  it('names the digest that is wrong before asking the server', async () => {
    const { user } = renderApp('/reports')
    await user.click(await screen.findByRole('radio', { name: 'A release (a list of digests)' }))
    await user.type(screen.getByRole('textbox', { name: 'Digests, one a line' }), `${digest(1)}{enter}sha256:beef`)
    await user.click(screen.getByRole('button', { name: 'Make the report' }))
    expect((await screen.findByRole('alert')).textContent).toBe('Digest 2 (sha256:beef) is not sha256: followed by 64 hex characters.')
    expect(screen.getByRole('textbox', { name: 'Digests, one a line' }).getAttribute('aria-invalid')).toBe('true')
  })

  it('opens a finished report: the summary in words, who made it, the downloads and a row per artifact', async () => {
    server.use(
      http.get('/api/v1/reports', () => HttpResponse.json({ items: [done], nextCursor: null })),
      http.get(`/api/v1/reports/${id}`, () => HttpResponse.json(done)),
      http.get(`/api/v1/reports/${id}/files/report.json`, () => HttpResponse.json(content)),
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
  })
})
