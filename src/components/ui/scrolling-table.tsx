import { useDeferredValue, useEffect, useLayoutEffect, useRef, useState, type ReactNode, type Ref, type UIEvent } from 'react'
import type { VirtualRows as VirtualRowsType } from './virtual-rows'

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

/*
 * The virtualiser (@tanstack/react-virtual, 9.4 kB gzip) is not needed for the first page of a list (50 rows by
 * default, drawn plainly), so it loads on demand: when the reader nears the end of the box (the next page may take
 * the list past VIRTUALIZE_AFTER), or when a list that long is shown. Not `React.lazy` + Suspense: React 19 holds a
 * revealed Suspense boundary back for up to 300 ms, and the rows drawn meanwhile should stay rows, not a fallback.
 */
let loadedVirtualRows: typeof VirtualRowsType | null = null
let loadingVirtualRows: Promise<typeof VirtualRowsType> | null = null
function loadVirtualRows(): Promise<typeof VirtualRowsType> {
  loadingVirtualRows ??= import('./virtual-rows').then(
    (module) => (loadedVirtualRows = module.VirtualRows),
    (error: unknown) => {
      // A failed load (a new deployment removed the chunk, a dropped connection) may be retried on the next need.
      loadingVirtualRows = null
      throw error
    },
  )
  return loadingVirtualRows
}

/** The virtualiser once loaded; asks for it while `needed`. */
function useVirtualRows(needed: boolean): typeof VirtualRowsType | null {
  const [component, setComponent] = useState(() => loadedVirtualRows)
  // Loaded meanwhile for another table: no need to wait for this one's effect.
  const current = component ?? loadedVirtualRows
  useEffect(() => {
    if (!needed || current !== null) return
    let live = true
    loadVirtualRows()
      .then((loaded) => {
        if (live) setComponent(() => loaded)
      })
      .catch(() => undefined)
    return () => {
      live = false
    }
  }, [needed, current])
  return current
}

/** Scroll positions by history entry, for the life of the page (a reload starts at the top, as it should). */
const scrollPositions = new Map<string, number>()

/**
 * A real table in a scrolling box, virtualised when long, asking for more rows as the reader nears the end.
 *
 * New rows (another filter's, a next page) are drawn at low priority: the data arrives through a store React must
 * render at once, and drawing 50 or 100 rows in one go held the main thread for over 100 ms on a slow CPU. Deferred,
 * React draws them in slices of a few milliseconds between frames, showing the rows it had (marked stale) meanwhile.
 * The first rows are drawn at once.
 */
export function ScrollingTable<T>({ label, className, columns, rows: latest, getKey, renderRow, estimateRowPx = 64, onNearEnd, stale: staleRows = false, restoreKey }: ScrollingTableProps<T>) {
  const rows = useDeferredValue(latest)
  // Rows about to be replaced look stale; rows about to be followed by a next page do not.
  const stale = staleRows || (rows !== latest && !startsWith(latest, rows))
  const scrollRef = useRef<HTMLDivElement>(null)
  const restoreTo = restoreKey === undefined ? undefined : scrollPositions.get(restoreKey)
  const virtualize = rows.length > VIRTUALIZE_AFTER
  const VirtualRows = useVirtualRows(virtualize)

  useLayoutEffect(() => {
    // Once, on mount: the rows came back from the query cache, so the box can be as tall as before at once.
    if (restoreTo !== undefined && scrollRef.current !== null) scrollRef.current.scrollTop = restoreTo
    // eslint-disable-next-line react-hooks/exhaustive-deps -- restoring is for the first render only
  }, [])

  function onScroll(event: UIEvent<HTMLDivElement>) {
    const element = event.currentTarget
    if (restoreKey !== undefined) scrollPositions.set(restoreKey, element.scrollTop)
    if (element.scrollHeight - element.scrollTop - element.clientHeight < LOAD_AHEAD_PX) {
      // The next page may make the list long: fetch the virtualiser alongside it (a no-op once loaded).
      if (onNearEnd) loadVirtualRows().catch(() => undefined)
      onNearEnd?.()
    }
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
          {virtualize && VirtualRows === null ? (
            <WaitingRows rows={rows} columns={columns.length} estimateRowPx={estimateRowPx} getKey={getKey} renderRow={renderRow} />
          ) : virtualize && VirtualRows !== null ? (
            // eslint-disable-next-line react-hooks/static-components -- the loaded module's own component: one value for the page's life, never made during render
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

/**
 * A long list while the virtualiser loads (a few milliseconds, once per page load): the first VIRTUALIZE_AFTER
 * rows, and a spacer as tall as the rest would be, so the box has its height (a restored scroll position holds)
 * and the DOM stays small however many rows there are.
 */
function WaitingRows<T>({ rows, columns, estimateRowPx, getKey, renderRow }: Pick<ScrollingTableProps<T>, 'rows' | 'getKey' | 'renderRow'> & { columns: number; estimateRowPx: number }) {
  const rest = rows.length - VIRTUALIZE_AFTER
  return (
    <>
      {rows.slice(0, VIRTUALIZE_AFTER).map((row, index) => (
        <RowSlot key={getKey(row)}>{renderRow(row, index)}</RowSlot>
      ))}
      {rest > 0 ? (
        <tr className="spacer-row" aria-hidden="true">
          <td colSpan={columns} style={{ height: rest * estimateRowPx }} />
        </tr>
      ) : null}
    </>
  )
}

/** Whether `list` begins with `start`'s rows (a query's next page keeps the rows before it). */
function startsWith<T>(list: readonly T[], start: readonly T[]): boolean {
  return start.length <= list.length && start[0] === list[0] && start.at(-1) === list[start.length - 1]
}

/** Carries the key, so renderRow need not. */
function RowSlot({ children }: { children: ReactNode }) {
  return children
}
