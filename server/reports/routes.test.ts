import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiErrorBody } from '../../src/contract/common'
import { Report, ReportJob, ReportPage } from '../../src/contract/reports'
import { createApp } from '../app'
import { openResourceApp, type ResourceApp } from '../testing/resource-app'
import { digests, fixtureConfig } from '../testing/resource-fixture'
import { verifyArchive } from './verify'

/* The reports API over HTTP on the resource fixture: start, follow, download, and what bad requests are told. */

let fixture: ResourceApp
beforeAll(async () => {
  fixture = await openResourceApp()
})
afterAll(async () => fixture.dispose())

const post = (body: string) => fixture.app.request('/api/v1/reports', { method: 'POST', body, headers: { 'content-type': 'application/json' } })

async function finished(id: string): Promise<ReportJob> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const job = ReportJob.parse(await (await fixture.app.request(`/api/v1/reports/${id}`)).json())
    if (job.state !== 'running') return job
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`report ${id} did not finish`)
}

describe('reports API', () => {
  it('counts the alerts the rules raise on what is stored, though nothing had judged it yet', async () => {
    // The fixture went into the store as a pull connector's documents do, with no ingest request to judge them after.
    const response = await post(JSON.stringify({ scope: { kind: 'project', project: 'example/app', from: '2026-11-01T00:00:00Z', to: '2026-11-20T12:00:00Z' } }))
    expect(response.status).toBe(202)
    const job = await finished(ReportJob.parse(await response.json()).id)
    // A failed verification, an unknown signer and a rebuilder's mismatch, on example/app's builds.
    expect(job.summary?.openAlerts).toBe(3)
  })

  it('starts a report, shows its progress and summary, and serves an archive that verifies', async () => {
    const response = await post(JSON.stringify({ scope: { kind: 'release', digests: [`sha256:${digests.d1}`, `sha256:${digests.d3}`] }, asOf: '2026-11-21T00:00:00Z' }))
    expect(response.status).toBe(202)
    const started = ReportJob.parse(await response.json())
    expect(response.headers.get('location')).toBe(`/api/v1/reports/${started.id}`)
    expect(started.progress.total).toBe(2)

    const job = await finished(started.id)
    expect(job.state).toBe('done')
    expect(job.progress).toEqual({ done: 2, total: 2 })
    expect(job.summary).toMatchObject({ artifacts: 2, verifiedProvenance: 1, unverifiedProvenance: [`sha256:${digests.d3}`] })
    expect(job.createdBy).toEqual({ token: null, scopes: [] })
    expect(job.files.map((file) => [file.format, file.href])).toEqual([
      ['archive', `/api/v1/reports/${job.id}/archive`],
      ['report.json', `/api/v1/reports/${job.id}/files/report.json`],
      ['report.dsse.json', `/api/v1/reports/${job.id}/files/report.dsse.json`],
      ['report.csv', `/api/v1/reports/${job.id}/files/report.csv`],
      ['report.html', `/api/v1/reports/${job.id}/files/report.html`],
    ])

    const download = await fixture.app.request(job.files[0]!.href)
    expect(download.status).toBe(200)
    expect(download.headers.get('content-type')).toBe('application/x-tar')
    const verdict = verifyArchive(new Uint8Array(await download.arrayBuffer()))
    expect(verdict.problems).toEqual([])
    expect(verdict.ok).toBe(true)

    // Each file on its own is the archive's copy: the JSON is the signed report.
    const json = await fixture.app.request(`/api/v1/reports/${job.id}/files/report.json`)
    expect(json.status).toBe(200)
    expect(json.headers.get('content-disposition')).toBe(`attachment; filename="report-${job.id}.json"`)
    const bytes = Buffer.from(await json.arrayBuffer())
    expect(bytes.byteLength).toBe(job.files.find((file) => file.format === 'report.json')?.bytes)
    expect(Report.parse(JSON.parse(bytes.toString('utf8'))).summary).toEqual(job.summary)

    const html = await fixture.app.request(`/api/v1/reports/${job.id}/files/report.html`)
    expect([html.status, html.headers.get('content-type'), html.headers.get('content-disposition')]).toEqual([200, 'text/html; charset=utf-8', `attachment; filename="report-${job.id}.html"`])
    expect(await html.text()).toContain('What is proven and what is not')
    const csv = await fixture.app.request(`/api/v1/reports/${job.id}/files/report.csv`)
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect((await csv.text()).split('\r\n')[0]).toMatch(/^row,digest,name,provenance,/)

    // And it is listed, newest first.
    const list = ReportPage.parse(await (await fixture.app.request('/api/v1/reports')).json())
    expect(list.items.map((item) => item.id)).toContain(job.id)
  })

  it('records the name and scopes of the token that asked for a report', async () => {
    const secret = 'report-maker-token'
    const config = {
      ...fixtureConfig(),
      tokens: [{ name: 'auditor-laptop', sha256: createHash('sha256').update(secret).digest('hex'), scopes: ['read' as const, 'ingest' as const] }],
    }
    const app = createApp({ store: fixture.store, config, version: 't', demo: false, now: () => Date.parse('2026-11-22T00:00:00Z') })
    const response = await app.request('/api/v1/reports', {
      method: 'POST',
      body: JSON.stringify({ scope: { kind: 'artifact', digest: `sha256:${digests.d1}` } }),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    })
    expect(response.status).toBe(202)
    const job = ReportJob.parse(await response.json())
    expect(job.createdBy).toEqual({ token: 'auditor-laptop', scopes: ['ingest', 'read'] })
    const again = ReportJob.parse(await (await app.request(`/api/v1/reports/${job.id}`)).json())
    expect(again.createdBy).toEqual({ token: 'auditor-laptop', scopes: ['ingest', 'read'] })
  })

  it('answers 409 for a file of a report still being made, and 400 for a file a report does not have', async () => {
    const started = ReportJob.parse(await (await post(JSON.stringify({ scope: { kind: 'artifact', digest: `sha256:${digests.d1}` } }))).json())
    const early = await fixture.app.request(`/api/v1/reports/${started.id}/files/report.json`)
    expect(early.status).toBe(409)
    expect(ApiErrorBody.parse(await early.json()).error).toMatchObject({ code: 'not-ready', path: 'path.id' })
    await finished(started.id)
    const unknownFile = await fixture.app.request(`/api/v1/reports/${started.id}/files/secrets.txt`)
    expect(unknownFile.status).toBe(400)
    expect(ApiErrorBody.parse(await unknownFile.json()).error).toMatchObject({ code: 'invalid-report-file', path: 'path.file' })
  })

  it('refuses a malformed scope naming the field, and a body that is not JSON', async () => {
    const bad = await post(JSON.stringify({ scope: { kind: 'artifact', digest: 'sha256:abc' } }))
    expect(bad.status).toBe(400)
    expect(ApiErrorBody.parse(await bad.json()).error).toMatchObject({ code: 'invalid-body', path: 'body.scope.digest' })
    const notJson = await post('{')
    expect(notJson.status).toBe(400)
    expect(ApiErrorBody.parse(await notJson.json()).error).toMatchObject({ code: 'invalid-json', path: 'body' })
  })

  it('answers 404 for a report it does not have, and 400 for an id that cannot be one', async () => {
    const missing = await fixture.app.request(`/api/v1/reports/${'0'.repeat(32)}/archive`)
    expect(missing.status).toBe(404)
    const malformed = await fixture.app.request('/api/v1/reports/nope')
    expect(malformed.status).toBe(400)
    expect(ApiErrorBody.parse(await malformed.json()).error).toMatchObject({ code: 'invalid-report-id', path: 'path.id' })
  })

  it('needs a read token when reads require one', async () => {
    const locked = createApp({ store: fixture.store, config: { ...fixtureConfig(), readRequiresToken: true }, version: 't', demo: false })
    const response = await locked.request('/api/v1/reports', { method: 'POST', body: JSON.stringify({ scope: { kind: 'artifact', digest: `sha256:${digests.d1}` } }), headers: { 'content-type': 'application/json' } })
    expect(response.status).toBe(401)
  })
})
