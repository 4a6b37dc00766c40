import type { ReportJob } from '../../../contract/reports'
import { formatAbsolute } from '../../../lib/format'
import { madeByWords, scopeWords } from '../lib/describe'

/** The reports made on this server, newest first: scope, as of, who asked, when, and how far it got. */
export function RecentReports({ reports, openId, onOpen }: { reports: readonly ReportJob[]; openId: string | null; onOpen: (id: string) => void }) {
  if (reports.length === 0) return <p className="muted">No reports have been made on this server yet.</p>
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption className="visually-hidden">Reports made on this server, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Scope</th>
            <th scope="col">As of</th>
            <th scope="col">Made by</th>
            <th scope="col">Made</th>
            <th scope="col">State</th>
            <th scope="col">
              <span className="visually-hidden">Open</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {reports.map((report) => (
            <tr key={report.id} aria-current={report.id === openId ? 'true' : undefined}>
              <td>{scopeWords(report.scope)}</td>
              <td>{formatAbsolute(report.asOf)}</td>
              <td>{madeByWords(report.createdBy)}</td>
              <td>{formatAbsolute(report.createdAt)}</td>
              <td>{report.state === 'running' ? `making (${report.progress.done} of ${report.progress.total})` : report.state}</td>
              <td>
                <button type="button" className="button button-small" onClick={() => onOpen(report.id)} aria-label={`Open the report on ${scopeWords(report.scope)} made ${formatAbsolute(report.createdAt)}`}>
                  Open
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
