import type { SignatureRow } from '../../../contract/signatures'
import { useLocation } from 'react-router'
import { ScrollingTable } from '../../../components/ui/scrolling-table'
import { SIGNATURE_COLUMNS, SignatureTableRow } from './signature-row'

export function SignaturesTable({ rows, onNearEnd, stale }: { rows: readonly SignatureRow[]; onNearEnd: () => void; stale: boolean }) {
  return (
    <ScrollingTable
      label="Signatures"
      className="data-table fixed-columns builds-table signatures-table"
      columns={SIGNATURE_COLUMNS}
      rows={rows}
      getKey={(row) => row.documentId}
      renderRow={(row, index, ref) => <SignatureTableRow ref={ref} row={row} index={index} />}
      onNearEnd={onNearEnd}
      stale={stale}
      restoreKey={useLocation().key}
    />
  )
}
