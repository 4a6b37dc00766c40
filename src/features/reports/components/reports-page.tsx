import { useQuery } from '@tanstack/react-query'
import { useSearchParams } from '../../../lib/search-params'
import { describeError } from '../../../api/api-error'
import { ErrorState } from '../../../components/ui/error-state'
import { Spinner } from '../../../components/ui/spinner'
import { formFromSearch } from '../lib/describe'
import { reportQueries } from '../reports-queries'
import { RecentReports } from './recent-reports'
import { ReportForm } from './report-form'
import { ReportView } from './report-view'
import './reports.css'

/**
 * Reports: an auditor's signed account of what is and is not proven about an artifact, a release or what ran in
 * an environment at a time. The open report is `?id=` in the address, so it can be left, linked and come back to
 * while it is made; the form can be pre-filled the same way (`?kind=artifact&digest=…`).
 */
export function ReportsPage() {
  const [search, setSearch] = useSearchParams()
  const id = search.get('id')
  const open = (reportId: string) => setSearch({ id: reportId })
  return (
    <section className="page" aria-labelledby="reports-heading">
      <title>Reports · Provenance</title>
      <header className="page-header">
        <h1 id="reports-heading">Reports</h1>
        <p className="page-lede">
          A report says, as of a stated time, what is proven about where each artifact came from and what is not. It is signed by
          this server and downloads as one archive with every document it relies on and their log inclusion proofs, so it can be
          checked offline with <code>npm run verify-report</code>.
        </p>
      </header>
      <ReportForm key={id === null ? search.toString() : 'form'} initial={formFromSearch(search)} onStarted={open} />
      {id === null ? null : <ReportView id={id} />}
      <RecentList openId={id} onOpen={open} />
    </section>
  )
}

function RecentList({ openId, onOpen }: { openId: string | null; onOpen: (id: string) => void }) {
  const list = useQuery(reportQueries.list())
  // The open report as its own view last read it (the same query, no second request): the two poll apart, and the
  // list said "making (3 of 3)" for up to a second after the view above it said the report was done.
  const opened = useQuery({ ...reportQueries.detail(openId ?? ''), enabled: openId !== null })
  const current = opened.data
  const reports =
    list.data === undefined || current === undefined || openId === null
      ? list.data?.items
      : list.data.items.map((report) => (report.id === current.id ? { ...report, state: current.state, progress: current.progress } : report))
  return (
    <section className="card" aria-labelledby="recent-reports-heading">
      <h2 id="recent-reports-heading">Recent reports</h2>
      {list.isPending ? (
        <Spinner label="Loading the reports…" />
      ) : list.isError ? (
        <ErrorState title="The reports could not be loaded" {...describeError(list.error)} onRetry={() => void list.refetch()} retrying={list.isFetching} />
      ) : (
        <RecentReports reports={reports ?? list.data.items} openId={openId} onOpen={onOpen} />
      )}
    </section>
  )
}
