import type { BuildSummary } from '../../../contract/builds'
import { useLocation } from 'react-router'
import { ScrollingTable } from '../../../components/ui/scrolling-table'
import { BUILD_COLUMNS, BuildRow } from './build-row'

export type BuildsTableProps = {
  rows: readonly BuildSummary[]
  /** The reader scrolled near the end: a chance to load the next page. */
  onNearEnd?: () => void
  /** The rows shown are from the previous filter while the new one loads. */
  stale?: boolean
}

export function BuildsTable({ rows, onNearEnd, stale = false }: BuildsTableProps) {
  return (
    <ScrollingTable
      label="Builds"
      className="data-table fixed-columns builds-table"
      columns={BUILD_COLUMNS}
      rows={rows}
      getKey={(build) => build.id}
      renderRow={(build, index, ref) => <BuildRow ref={ref} build={build} index={index} />}
      {...(onNearEnd ? { onNearEnd } : {})}
      stale={stale}
      restoreKey={useLocation().key}
    />
  )
}
