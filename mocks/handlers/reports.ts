import { HttpResponse } from 'msw'
import { zodProblem } from '../../src/contract/route-spec'
import { ReportJob, ReportRequest, reportRoutes, type ReportJob as Job } from '../../src/contract/reports'
import { mockRoute, problem } from './route'

/*
 * Reports in the mocks. A report is signed with the server's log key and carries the log's inclusion proofs; the
 * mocks have neither, so they never pretend to make one: a request is checked exactly as the server checks it,
 * then kept as a report that failed and says why, which the screen shows as it shows any failed report.
 * Screens with finished reports are tested by giving these routes other answers with `server.use`.
 */
const made: Job[] = []
const missing = (id: string) => problem(404, 'not-found', `no report with id ${id}; the list of reports is GET /api/v1/reports`, 'path.id')
const notReady = (job: Job) => problem(409, 'not-ready', `report ${job.id} is ${job.state}; poll GET /api/v1/reports/${job.id} until it is done`, 'path.id')

const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')

export const reportHandlers = [
  mockRoute(reportRoutes.listReports, ({ query }) => HttpResponse.json({ items: made.slice(0, query.limit), nextCursor: null })),
  mockRoute(reportRoutes.createReport, async (_input, request) => {
    let body: unknown
    try {
      body = await request.json()
    } catch {
      return problem(400, 'invalid-json', 'the body is not JSON; send {"scope": {"kind": "artifact", "digest": "sha256:…"}}', 'body')
    }
    const parsed = ReportRequest.safeParse(body)
    if (!parsed.success) {
      const bad = zodProblem(parsed.error, 'body')
      return problem(400, 'invalid-body', bad.message, bad.path)
    }
    const now = new Date().toISOString()
    const job = ReportJob.parse({
      id: hex(crypto.getRandomValues(new Uint8Array(16))),
      scope: parsed.data.scope,
      asOf: parsed.data.asOf ?? now,
      state: 'failed',
      progress: { done: 0, total: 0 },
      createdAt: now,
      createdBy: { token: null, scopes: [] },
      summary: null,
      files: [],
      error: 'the in-browser demo cannot sign reports (the signing key and the log live on the server); run the server (npm start) to make one',
    })
    made.unshift(job)
    return HttpResponse.json(job, { status: 202, headers: { location: `/api/v1/reports/${job.id}` } })
  }),
  mockRoute(reportRoutes.getReport, ({ params }) => {
    const job = made.find((candidate) => candidate.id === params.id)
    return job === undefined ? missing(params.id) : HttpResponse.json(job)
  }),
  mockRoute(reportRoutes.getReportArchive, ({ params }) => {
    const job = made.find((candidate) => candidate.id === params.id)
    return job === undefined ? missing(params.id) : notReady(job)
  }),
  mockRoute(reportRoutes.getReportFile, ({ params }) => {
    const job = made.find((candidate) => candidate.id === params.id)
    return job === undefined ? missing(params.id) : notReady(job)
  }),
]
