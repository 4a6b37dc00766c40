import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { bodyLimit } from 'hono/body-limit'
import { REPORT_FILES, ReportJob, ReportRequest, reportRoutes, type ReportFileName } from '../../src/contract/reports'
import { zodProblem } from '../../src/contract/route-spec'
import { tokenFor } from '../http/auth'
import type { RouteDeps } from '../http/deps'
import { apiError } from '../http/errors'
import { resourceApp } from '../http/mount'
import { HEARTBEAT_MS, type ReportFile } from './store'
import { readTar } from './tar'
import { ARCHIVE_NAME, writeReport } from './write'

/** How each file of the archive is served on its own. */
const contentTypes: Record<ReportFileName, string> = {
  'report.json': 'application/json',
  'report.dsse.json': 'application/json',
  'report.csv': 'text/csv; charset=utf-8',
  'report.html': 'text/html; charset=utf-8',
}

/**
 * Reports: started by POST and made in the background, so a release of many artifacts does not hold a request
 * open; the client polls GET for progress, then downloads the archive or one of its files. Kept in the database.
 */
export function reportsApp({ store, config, auth, now }: RouteDeps, alertsUpToDate: () => Promise<unknown>) {
  const { app, mount } = resourceApp(auth)
  const missing = (id: string) => `no report with id ${id}; the list of reports is GET /api/v1/reports`
  const failures = (error: unknown) => console.error('report: a write to the store failed', error)
  // What every report's VSAs name as the policy they were judged by: the trust and policies of this config.
  const policy = { trustedKeys: config.keys, trustFiles: config.trustFiles, policies: config.policies }

  mount(reportRoutes.listReports, async (c, { query }) => c.json(await store.reports.list(query, now())))

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
        const problem = zodProblem(parsed.error, 'body', body)
        return apiError(c, 400, 'invalid-body', problem.message, problem.path)
      }
      // The alerts a report lists include those of the documents stored just before it was asked for.
      await alertsUpToDate()
      const asOf = parsed.data.asOf === undefined ? now() : Date.parse(parsed.data.asOf)
      const id = randomBytes(16).toString('hex')
      const { scope } = parsed.data
      // Who asked: the token sent, when one was (reads may need none, and then nobody is named).
      const token = tokenFor(config, c.req.header('authorization'))
      // An environment's artifacts are known once its deployments are read; the first progress report says.
      const total = scope.kind === 'artifact' ? 1 : scope.kind === 'release' ? new Set(scope.digests).size : 0
      const job = ReportJob.parse({
        id,
        scope,
        asOf: new Date(asOf).toISOString(),
        state: 'running',
        progress: { done: 0, total },
        createdAt: new Date(now()).toISOString(),
        createdBy: { token: token?.name ?? null, scopes: token === undefined ? [] : [...token.scopes].sort() },
        summary: null,
        files: [],
        error: null,
      })
      await store.reports.create(job, now())

      // Progress is written at most once a heartbeat, and the heartbeat goes on while nothing progresses (reading
      // the log for the proofs), so readers can tell a slow report from one whose maker stopped.
      let latest = job.progress
      let written = now()
      const heartbeat = setInterval(() => {
        written = now()
        store.reports.progress(id, latest, written).catch(failures)
      }, HEARTBEAT_MS)
      heartbeat.unref()
      const onProgress = (done: number, all: number) => {
        latest = { done, total: all }
        if (now() - written < 1000 && done < all) return
        written = now()
        store.reports.progress(id, latest, written).catch(failures)
      }
      // Not awaited: the answer says where to follow it. Failures are recorded on the report, never thrown away.
      // Written to files under the data directory as the store is read, so a large report is never held whole.
      // The files are then kept in the database, so any server on it serves them, and the local copy is dropped.
      const dir = store.reports.dirOf(id)
      void writeReport(store, scope, asOf, dir, { policy, onProgress })
        .then(async ({ summary, preview, sizes }) => {
          await store.reports.keepFiles(id, dir, [ARCHIVE_NAME, ...REPORT_FILES])
          const listed: ReportFile[] = [
            { name: `report-${id}.tar`, format: 'archive', href: `/api/v1/reports/${id}/archive`, bytes: sizes[ARCHIVE_NAME] },
            ...REPORT_FILES.map((name): ReportFile => ({ name, format: name, href: `/api/v1/reports/${id}/files/${name}`, bytes: sizes[name] })),
          ]
          await store.reports.finish(id, { summary, preview, files: listed, progress: latest }, now())
        })
        .catch((error: unknown) => {
          console.error(error)
          return store.reports.fail(id, 'the server failed to make the report; the error is in its log', now())
        })
        .catch(failures)
        .finally(() => {
          clearInterval(heartbeat)
          rmSync(dir, { recursive: true, force: true })
        })
      return c.json(job, 202, { location: `/api/v1/reports/${id}` })
    },
    bodyLimit({ maxSize: 256 * 1024, onError: (c) => apiError(c, 413, 'body-too-large', 'a report request is at most 256 KiB') }),
  )

  mount(reportRoutes.getReport, async (c, { params }) => {
    const report = await store.reports.get(params.id, now())
    if (report === null) return apiError(c, 404, 'not-found', missing(params.id), 'path.id')
    return c.json(report)
  })

  /** A finished report's file as a stream, or the error response saying why there is none. */
  const fileOf = async (id: string, name: string): Promise<{ body: ReadableStream<Uint8Array> } | { status: 404 | 409; message: string; path: string }> => {
    const report = await store.reports.get(id, now())
    if (report === null) return { status: 404, message: missing(id), path: 'path.id' }
    if (report.state !== 'done') return { status: 409, message: `report ${id} is ${report.state}; poll GET /api/v1/reports/${id} until it is done`, path: 'path.id' }
    const stream = await store.reports.file(id, name)
    if (stream !== null) return { body: stream }
    // Made before its files were files: the archive was kept in its row, and each file is read out of it.
    const inRow = await store.reports.archiveInRow(id)
    if (inRow !== null) {
      const bytes = name === ARCHIVE_NAME ? inRow : readTar(inRow).find((entry) => entry.name === name)?.bytes
      if (bytes !== undefined) return { body: new Blob([Uint8Array.from(bytes)]).stream() }
    }
    return { status: 404, message: `report ${id} was made before ${name} was part of a report; make it again`, path: name === ARCHIVE_NAME ? 'path.id' : 'path.file' }
  }

  mount(reportRoutes.getReportArchive, async (c, { params }) => {
    const found = await fileOf(params.id, ARCHIVE_NAME)
    if ('status' in found) return apiError(c, found.status, found.status === 404 ? 'not-found' : 'not-ready', found.message, found.path)
    return c.body(found.body, 200, {
      'content-type': 'application/x-tar',
      'content-disposition': `attachment; filename="report-${params.id}.tar"`,
      'x-content-type-options': 'nosniff',
    })
  })

  mount(reportRoutes.getReportFile, async (c, { params }) => {
    const found = await fileOf(params.id, params.file)
    if ('status' in found) return apiError(c, found.status, found.status === 404 ? 'not-found' : 'not-ready', found.message, found.path)
    const [stem, extension] = [params.file.slice(0, params.file.indexOf('.')), params.file.slice(params.file.indexOf('.'))]
    return c.body(found.body, 200, {
      'content-type': contentTypes[params.file],
      'content-disposition': `attachment; filename="${stem}-${params.id}${extension}"`,
      'x-content-type-options': 'nosniff',
    })
  })

  return app
}
