import { useQuery } from '@tanstack/react-query'
import { describeError } from '../../../api/api-error'
import { ErrorState } from '../../../components/ui/error-state'
import { Spinner } from '../../../components/ui/spinner'
import type { ReportDetail, ReportJob } from '../../../contract/reports'
import { formatAbsolute } from '../../../lib/format'
import { paths } from '../../../lib/paths'
import { artifactRow, madeByWords, scopeWords } from '../lib/describe'
import { reportQueries } from '../reports-queries'

const fileLabels: Record<ReportJob['files'][number]['format'], string> = {
  archive: 'Archive (signed report, documents, proofs, key)',
  'report.json': 'Report (JSON)',
  'report.dsse.json': 'Signature envelope (DSSE)',
  'report.csv': 'Spreadsheet (CSV, a row per artifact and per build)',
  'report.html': 'Printable page (HTML, print to PDF)',
}

const kilobytes = (bytes: number) => (bytes < 1024 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} kB`)

/** One report: its progress while it is made, then what it proves in plain words, its downloads and its rows. */
export function ReportView({ id }: { id: string }) {
  const job = useQuery(reportQueries.detail(id))
  if (job.isPending) return <Spinner label="Loading the report…" />
  if (job.isError)
    return <ErrorState title="The report could not be loaded" {...describeError(job.error)} onRetry={() => void job.refetch()} retrying={job.isFetching} />
  const report = job.data
  const title = `${scopeWords(report.scope)} as of ${formatAbsolute(report.asOf)}`
  return (
    <section className="card report-view" aria-labelledby="report-heading">
      <h2 id="report-heading">{title}</h2>
      <p className="muted">
        Made {formatAbsolute(report.createdAt)} by {madeByWords(report.createdBy)}.
      </p>
      {report.state === 'running' ? (
        <div className="report-progress">
          <label htmlFor="report-progress">
            Making the report: {report.progress.total === 0 ? 'reading what ran…' : `${report.progress.done} of ${report.progress.total} artifacts`}
          </label>
          <progress id="report-progress" max={Math.max(1, report.progress.total)} value={report.progress.done} />
          <p className="muted">You can leave this page; the report goes on being made and is listed below.</p>
        </div>
      ) : report.state === 'failed' ? (
        <p className="notice" role="alert">
          This report failed: {report.error ?? 'no reason was recorded'}.
        </p>
      ) : (
        <Finished report={report} />
      )}
    </section>
  )
}

function Finished({ report }: { report: ReportDetail }) {
  const { preview } = report
  return (
    <>
      {report.summary === null ? null : (
        <section aria-labelledby="report-summary-heading">
          <h3 id="report-summary-heading">What is proven and what is not</h3>
          <ul className="report-summary" aria-labelledby="report-summary-heading">
            {report.summary.lines.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="report-downloads-heading">
        <h3 id="report-downloads-heading">Download</h3>
        <ul className="report-downloads">
          {report.files.map((file) => (
            <li key={file.href}>
              <a href={file.href} download={file.name}>
                {fileLabels[file.format]}
              </a>{' '}
              <span className="muted">
                {file.name}, {kilobytes(file.bytes)}
              </span>
            </li>
          ))}
        </ul>
        <p className="muted">
          Check the archive offline with <code>npm run verify-report report-{report.id}.tar --public-key server.pem</code>, or with OpenSSL as docs/reports.md
          shows.
        </p>
      </section>
      <section aria-labelledby="report-artifacts-heading">
        <h3 id="report-artifacts-heading">Artifacts</h3>
        {preview === null ? (
          <p className="muted">This report was made before previews were kept; its artifacts are in the downloads above.</p>
        ) : preview.rows.length === 0 ? (
          <p className="muted">The report covers no artifact the dashboard knows.</p>
        ) : (
          <>
            {preview.artifacts > preview.rows.length ? (
              <p className="muted">
                The first {preview.rows.length} of {preview.artifacts} artifacts, in the report&apos;s order; every one is in the CSV, the printable page and
                the JSON.
              </p>
            ) : null}
            <div className="table-wrap">
              <table className="data-table">
                <caption className="visually-hidden">Each artifact in the report</caption>
                <thead>
                  <tr>
                    <th scope="col">Artifact</th>
                    <th scope="col">Provenance</th>
                    <th scope="col">Source</th>
                    <th scope="col">Builder</th>
                    <th scope="col">Attestations</th>
                    <th scope="col">Rebuilds</th>
                    <th scope="col">Deployments</th>
                    <th scope="col">Alerts</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.rows.map((artifact) => {
                    const row = artifactRow(artifact)
                    return (
                      <tr key={row.digest}>
                        <th scope="row">
                          <a href={paths.artifact(row.digest)}>{row.name}</a>{' '}
                          <code className="mono muted" title={row.digest}>
                            {row.digest.slice(0, 19)}…
                          </code>
                        </th>
                        <td className={`report-provenance-${artifact.provenance}`}>{row.provenance}</td>
                        {/* URLs break anywhere, or the two widest columns push the last ones out of sight. */}
                        <td className="mono cell-wrap">{row.source}</td>
                        <td className="mono cell-wrap">{row.builder}</td>
                        <td>{row.attestations}</td>
                        <td>{row.rebuilds}</td>
                        <td>{row.deployments}</td>
                        <td>{row.alerts}</td>
                      </tr>
                    )
                  })}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
    </>
  )
}
