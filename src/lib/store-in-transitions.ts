import { startTransition, useLayoutEffect, useMemo, useReducer, useRef } from 'react'

/**
 * `useSyncExternalStoreWithSelector` (the `use-sync-external-store/shim/with-selector` export) with the store's
 * changes rendered as transitions. The browser build gives it to recharts in place of the shim
 * (scripts/vite-recharts-store-transitions.ts); nothing else uses it.
 *
 * Why: recharts 3 keeps a chart's state in a Redux store that its components fill from effects (the chart's data,
 * each axis, each bar) and read through this hook. React renders every change of a `useSyncExternalStore` store at
 * once, in one task it cannot interrupt. New data for a chart is such a change: the chart is drawn again in one
 * task, and on the Reproducibility screen a new range took 170–290 ms on a 4× slowed CPU before anything else could
 * run (npm run bench:browser). Here a change is a transition: React draws the chart in slices, yielding to input
 * between them, and keeps the last drawing on screen until the new one is ready.
 *
 * What it gives up: a component may read the store a moment later than another (no tearing protection), which the
 * chart does not notice, since every part of it reads the same store and its changes commit together. As with the
 * shim, each subscriber's selector runs when the store changes, in the task that changed it, and only the
 * subscribers whose selection changed draw again; the selection is remembered for that render.
 */
/* eslint-disable react-hooks/immutability, react-hooks/refs -- the selection cache kept across renders, as
   use-sync-external-store's own with-selector keeps it: it holds only values derived from the store's snapshots, so a
   render React throws away leaves nothing wrong in it */
export function useSyncExternalStoreWithSelector<Snapshot, Selection>(
  subscribe: (onChange: () => void) => () => void,
  getSnapshot: () => Snapshot,
  _getServerSnapshot: undefined | null | (() => Snapshot),
  selector: (snapshot: Snapshot) => Selection,
  isEqual?: (a: Selection, b: Selection) => boolean,
): Selection {
  const [, redraw] = useReducer((count: number) => count + 1, 0)
  // The selection this component last drew: kept when `isEqual` says the new one is the same, and the one a store
  // change is compared with.
  const drawn = useRef<{ value: Selection } | null>(null)
  // As the shim does: the selection is chosen again only for another snapshot (or another selector).
  const select = useMemo(() => {
    let memo: { snapshot: Snapshot; selection: Selection } | null = null
    return (snapshot: Snapshot): Selection => {
      if (memo !== null && Object.is(memo.snapshot, snapshot)) return memo.selection
      const next = selector(snapshot)
      const previous = memo === null ? drawn.current : { value: memo.selection }
      const selection = previous !== null && isEqual !== undefined && isEqual(previous.value, next) ? previous.value : next
      memo = { snapshot, selection }
      return selection
    }
  }, [selector, isEqual])
  const value = select(getSnapshot())
  useLayoutEffect(() => {
    drawn.current = { value }
  })
  useLayoutEffect(() => {
    // Only a component whose selection changed draws again: recharts' components dispatch from effects whose inputs
    // are made anew in each render, so drawing every subscriber on every change would never end.
    const onChange = () => {
      if (!Object.is(select(getSnapshot()), drawn.current?.value)) startTransition(() => redraw())
    }
    const unsubscribe = subscribe(onChange)
    // A change between this render and the subscription.
    onChange()
    return unsubscribe
  }, [subscribe, getSnapshot, select])
  return value
}
/* eslint-enable react-hooks/immutability, react-hooks/refs */
