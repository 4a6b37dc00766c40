import { useRef, type UIEvent } from 'react'
import type { SignatureRow } from '../../../contract/explore'
import { VirtualRows } from '../../../components/ui/virtual-rows'
import { SIGNATURE_COLUMNS, SignatureTableRow } from './signature-row'

const VIRTUALIZE_AFTER = 150
const LOAD_AHEAD_PX = 600

export function SignaturesTable({ rows, onNearEnd, stale }: { rows: readonly SignatureRow[]; onNearEnd: () => void; stale: boolean }) {
  const scrollRef = useRef<HTMLDivElement>(null)
  function onScroll(event: UIEvent<HTMLDivElement>) {
    const element = event.currentTarget
    if (element.scrollHeight - element.scrollTop - element.clientHeight < LOAD_AHEAD_PX) onNearEnd()
  }
  return (
    <div className="table-scroll" ref={scrollRef} onScroll={onScroll}>
      <table className="data-table builds-table signatures-table" aria-label="Signatures" aria-rowcount={rows.length + 1} aria-busy={stale}>
        <thead>
          <tr aria-rowindex={1}>
            {SIGNATURE_COLUMNS.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className={stale ? 'is-stale' : undefined}>
          {rows.length > VIRTUALIZE_AFTER ? (
            <VirtualRows
              rows={rows}
              scrollRef={scrollRef}
              columns={SIGNATURE_COLUMNS.length}
              estimateSize={64}
              getKey={(row) => row.documentId}
              renderRow={(row, index, ref, key) => <SignatureTableRow key={key} ref={ref} row={row} index={index} />}
            />
          ) : (
            rows.map((row, index) => <SignatureTableRow key={row.documentId} row={row} index={index} />)
          )}
        </tbody>
      </table>
    </div>
  )
}
