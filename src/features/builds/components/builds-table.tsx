import { useVirtualizer } from '@tanstack/react-virtual'
import { useRef, type RefObject, type UIEvent } from 'react'
import type { BuildSummary } from '../../../contract/builds'
import { BUILD_COLUMNS, BuildRow } from './build-row'

/** Up to this many rows the table renders plainly; past it, only the rows in view (plus some) are in the DOM. */
export const VIRTUALIZE_AFTER = 150
/** Start loading the next page when the reader is this close (px) to the bottom. */
const LOAD_AHEAD_PX = 600
const ESTIMATED_ROW_PX = 64

export type BuildsTableProps = {
  rows: readonly BuildSummary[]
  /** The reader scrolled near the end: a chance to load the next page. */
  onNearEnd?: () => void
  /** The rows shown are from the previous filter while the new one loads. */
  stale?: boolean
}

export function BuildsTable({ rows, onNearEnd, stale = false }: BuildsTableProps) {
  const scrollRef = useRef<HTMLDivElement>(null)

  function onScroll(event: UIEvent<HTMLDivElement>) {
    const element = event.currentTarget
    if (element.scrollHeight - element.scrollTop - element.clientHeight < LOAD_AHEAD_PX) onNearEnd?.()
  }

  return (
    <div className="table-scroll" ref={scrollRef} onScroll={onScroll}>
      <table className="data-table builds-table" aria-label="Builds" aria-rowcount={rows.length + 1} aria-busy={stale}>
        <thead>
          <tr aria-rowindex={1}>
            {BUILD_COLUMNS.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className={stale ? 'is-stale' : undefined}>
          {rows.length > VIRTUALIZE_AFTER ? (
            <VirtualRows rows={rows} scrollRef={scrollRef} />
          ) : (
            rows.map((build, index) => <BuildRow key={build.id} build={build} index={index} />)
          )}
        </tbody>
      </table>
    </div>
  )
}

function VirtualRows({ rows, scrollRef }: { rows: readonly BuildSummary[]; scrollRef: RefObject<HTMLDivElement | null> }) {
  // No React Compiler runs here, and the virtualiser's functions are only called during this render.
  // eslint-disable-next-line react-hooks/incompatible-library -- see above
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATED_ROW_PX,
    getItemKey: (index) => rows[index]?.id ?? index,
    overscan: 10,
    // React 19 warns when flushSync runs during render; measuring asynchronously is smooth enough for a table.
    useFlushSync: false,
  })
  const items = virtualizer.getVirtualItems()
  const first = items[0]
  const last = items.at(-1)
  // Spacer rows keep real table semantics (and column widths) while most rows are absent from the DOM.
  const paddingTop = first ? first.start : 0
  const paddingBottom = last ? virtualizer.getTotalSize() - last.end : 0
  return (
    <>
      {paddingTop > 0 ? (
        <tr className="spacer-row" aria-hidden="true">
          <td colSpan={BUILD_COLUMNS.length} style={{ height: paddingTop }} />
        </tr>
      ) : null}
      {items.map((item) => {
        const build = rows[item.index]
        return build ? <BuildRow key={item.key} ref={virtualizer.measureElement} build={build} index={item.index} /> : null
      })}
      {paddingBottom > 0 ? (
        <tr className="spacer-row" aria-hidden="true">
          <td colSpan={BUILD_COLUMNS.length} style={{ height: paddingBottom }} />
        </tr>
      ) : null}
    </>
  )
}
