import { useLayoutEffect, useRef, type ReactNode, type Ref, type UIEvent } from 'react'
import { VirtualRows } from './virtual-rows'

/** Up to this many rows a table renders plainly; past it, only the rows in view (plus some) are in the DOM. */
export const VIRTUALIZE_AFTER = 150
/** Start loading the next page when the reader is this close (px) to the bottom. */
const LOAD_AHEAD_PX = 600

export type ScrollingTableProps<T> = {
  /** The table's accessible name. */
  label: string
  className: string
  columns: readonly string[]
  rows: readonly T[]
  getKey: (row: T) => string
  /** `ref` is the virtualiser's measuring ref when the rows are virtualised. */
  renderRow: (row: T, index: number, ref?: Ref<HTMLTableRowElement>) => ReactNode
  estimateRowPx?: number
  /** The reader scrolled near the end: a chance to load the next page. */
  onNearEnd?: () => void
  /** The rows shown are from the previous filter while the new one loads. */
  stale?: boolean
  /**
   * The history entry this table is shown in (react-router's `location.key`): its scroll position is kept under
   * it, so Back to the list puts the reader where they left it. The window's own scroll restoration cannot, since
   * the rows scroll inside this box.
   */
  restoreKey?: string
}

/** Scroll positions by history entry, for the life of the page (a reload starts at the top, as it should). */
const scrollPositions = new Map<string, number>()

/** A real table in a scrolling box, virtualised when long, asking for more rows as the reader nears the end. */
export function ScrollingTable<T>({ label, className, columns, rows, getKey, renderRow, estimateRowPx = 64, onNearEnd, stale = false, restoreKey }: ScrollingTableProps<T>) {
  const scrollRef = useRef<HTMLDivElement>(null)
  const restoreTo = restoreKey === undefined ? undefined : scrollPositions.get(restoreKey)

  useLayoutEffect(() => {
    // Once, on mount: the rows came back from the query cache, so the box can be as tall as before at once.
    if (restoreTo !== undefined && scrollRef.current !== null) scrollRef.current.scrollTop = restoreTo
    // eslint-disable-next-line react-hooks/exhaustive-deps -- restoring is for the first render only
  }, [])

  function onScroll(event: UIEvent<HTMLDivElement>) {
    const element = event.currentTarget
    if (restoreKey !== undefined) scrollPositions.set(restoreKey, element.scrollTop)
    if (element.scrollHeight - element.scrollTop - element.clientHeight < LOAD_AHEAD_PX) onNearEnd?.()
  }

  return (
    <div className="table-scroll" ref={scrollRef} onScroll={onScroll}>
      <table className={className} aria-label={label} aria-rowcount={rows.length + 1} aria-busy={stale}>
        <thead>
          <tr aria-rowindex={1}>
            {columns.map((column) => (
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
              columns={columns.length}
              estimateSize={estimateRowPx}
              initialOffset={restoreTo ?? 0}
              getKey={(row) => getKey(row)}
              renderRow={(row, index, ref, key) => <RowSlot key={key}>{renderRow(row, index, ref)}</RowSlot>}
            />
          ) : (
            rows.map((row, index) => <RowSlot key={getKey(row)}>{renderRow(row, index)}</RowSlot>)
          )}
        </tbody>
      </table>
    </div>
  )
}

/** Carries the key, so renderRow need not. */
function RowSlot({ children }: { children: ReactNode }) {
  return children
}
