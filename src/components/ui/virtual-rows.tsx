import { useVirtualizer } from '@tanstack/react-virtual'
import type { ReactNode, Ref, RefObject } from 'react'

export type VirtualRowsProps<T> = {
  rows: readonly T[]
  scrollRef: RefObject<HTMLElement | null>
  columns: number
  estimateSize: number
  /** Where the box will be scrolled to on mount (a restored position), so the first render has those rows. */
  initialOffset?: number
  getKey: (row: T, index: number) => string
  renderRow: (row: T, index: number, ref: Ref<HTMLTableRowElement>, key: string) => ReactNode
}

/** Only the rows in view (plus some) in a real table, with spacer rows keeping its height and column widths. */
export function VirtualRows<T>({ rows, scrollRef, columns, estimateSize, initialOffset = 0, getKey, renderRow }: VirtualRowsProps<T>) {
  // No React Compiler runs here, and the virtualiser's functions are only called during this render.
  // eslint-disable-next-line react-hooks/incompatible-library -- see above
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => estimateSize,
    getItemKey: (index) => {
      const row = rows[index]
      return row === undefined ? index : getKey(row, index)
    },
    overscan: 10,
    // Before the box is measured the virtualiser knows no height, so it would render no rows at all, and a box
    // sized by its rows would then never grow to be measured: the "Showing 200 builds" over an empty table that
    // Back to a long list gave. A window's height is a fair first guess; the real size follows on measuring.
    initialRect: { width: 0, height: typeof window === 'undefined' ? 800 : window.innerHeight },
    initialOffset,
    // React 19 warns when flushSync runs during render; measuring asynchronously is smooth enough for a table.
    useFlushSync: false,
  })
  const items = virtualizer.getVirtualItems()
  const first = items[0]
  const last = items.at(-1)
  const paddingTop = first ? first.start : 0
  // With no rows in view yet, one spacer holds the whole height, so the box can scroll to a restored position.
  const paddingBottom = last ? virtualizer.getTotalSize() - last.end : virtualizer.getTotalSize()
  return (
    <>
      {paddingTop > 0 ? (
        <tr className="spacer-row" aria-hidden="true">
          <td colSpan={columns} style={{ height: paddingTop }} />
        </tr>
      ) : null}
      {items.map((item) => {
        const row = rows[item.index]
        return row === undefined ? null : renderRow(row, item.index, virtualizer.measureElement, String(item.key))
      })}
      {paddingBottom > 0 ? (
        <tr className="spacer-row" aria-hidden="true">
          <td colSpan={columns} style={{ height: paddingBottom }} />
        </tr>
      ) : null}
    </>
  )
}
