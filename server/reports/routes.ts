import { randomBytes } from 'node:crypto'
import { bodyLimit } from 'hono/body-limit'
import { ReportJob, ReportRequest, reportRoutes } from '../../src/contract/reports'
import { zodProblem } from '../../src/contract/route-spec'
import type { RouteDeps } from '../http/deps'
import { apiError } from '../http/errors'
import { resourceApp } from '../http/mount'
import { produceReport } from './produce'

/**
 * Reports: started by POST and made in the background, so a release of many artifacts does not hold a request
 * open; the client polls GET for progress, then downloads the archive.
 */
export function reportsApp({ store, auth, now }: RouteDeps) {
  const { app, mount } = resourceApp(auth)
  const missing = (id: string) => `no report with id ${id}: reports are kept in memory, the newest 50, until the server restarts; start it again with the same scope and asOf for the same bytes`

  mount(
    reportRoutes.createReport,
    async (c) => {
      let body: unknown
      try {
        body = await c.req.json()
      } catch {
        return apiError(c, 400, 'invalid-json', 'the body is not JSON; send {"scope": {"kind": "artifact", "digest": "sha256:…"}}', 'body')
      }
      const parsed = ReportRequest.safeParse(body)
      if (!parsed.success) {
        const problem = zodProblem(parsed.error, 'body')
        return apiError(c, 400, 'invalid-body', problem.message, problem.path)
      }
      const asOf = parsed.data.asOf === undefined ? now() : Date.parse(parsed.data.asOf)
      const id = randomBytes(16).toString('hex')
      // An environment's artifacts are known once its deployments are read; the first progress report says.
      const { scope } = parsed.data
      const total = scope.kind === 'artifact' ? 1 : scope.kind === 'release' ? new Set(scope.digests).size : 0
      const job = ReportJob.parse({
        id,
        scope: parsed.data.scope,
        asOf: new Date(asOf).toISOString(),
        state: 'running',
        progress: { done: 0, total },
        createdAt: new Date(now()).toISOString(),
        summary: null,
        files: [],
        error: null,
      })
      store.reports.put({ job, archive: null })
      // Not awaited: the answer says where to follow it. Failures are recorded on the report, never thrown away.
      void produceReport(store, parsed.data.scope, asOf, (done) => store.reports.update(id, (report) => ({ ...report, job: { ...report.job, progress: { done, total } } })))
        .then(({ report, archive }) =>
          store.reports.update(id, (stored) => ({
            archive,
            job: {
              ...stored.job,
              state: 'done',
              summary: report.summary,
              files: [{ name: `report-${id}.tar`, href: `/api/v1/reports/${id}/archive`, bytes: archive.byteLength }],
            },
          })),
        )
        .catch((error: unknown) => {
          console.error(error)
          store.reports.update(id, (stored) => ({ ...stored, job: { ...stored.job, state: 'failed', error: 'the server failed to make the report; the error is in its log' } }))
        })
      return c.json(job, 202, { location: `/api/v1/reports/${id}` })
    },
    bodyLimit({ maxSize: 256 * 1024, onError: (c) => apiError(c, 413, 'body-too-large', 'a report request is at most 256 KiB') }),
  )

  mount(reportRoutes.getReport, (c, { params }) => {
    const report = store.reports.get(params.id)
    if (report === null) return apiError(c, 404, 'not-found', missing(params.id), 'path.id')
    return c.json(report.job)
  })

  mount(reportRoutes.getReportArchive, (c, { params }) => {
    const report = store.reports.get(params.id)
    if (report === null) return apiError(c, 404, 'not-found', missing(params.id), 'path.id')
    if (report.archive === null) return apiError(c, 409, 'not-ready', `report ${params.id} is ${report.job.state}; poll GET /api/v1/reports/${params.id} until it is done`, 'path.id')
    return c.body(Uint8Array.from(report.archive), 200, {
      'content-type': 'application/x-tar',
      'content-disposition': `attachment; filename="report-${params.id}.tar"`,
      'x-content-type-options': 'nosniff',
    })
  })

  return app
}
