/**
 * Performance marks around the history chart, read by `npm run bench:ui`: when the history's data arrived and
 * when the chart had drawn its bars. Cheap enough to leave in production, where they also show in DevTools.
 */
export const HISTORY_MARKS = { data: 'repro-history:data', rendered: 'repro-history:rendered', code: 'repro-history:chart-code' } as const

export function markHistoryData(): void {
  if (typeof performance === 'undefined' || typeof performance.mark !== 'function') return
  performance.clearMarks(HISTORY_MARKS.data)
  performance.clearMarks(HISTORY_MARKS.rendered)
  performance.mark(HISTORY_MARKS.data)
}

export function markHistoryRendered(): void {
  if (typeof performance === 'undefined' || typeof performance.mark !== 'function') return
  if (performance.getEntriesByName(HISTORY_MARKS.data).length === 0) return
  if (performance.getEntriesByName(HISTORY_MARKS.rendered).length > 0) return
  performance.mark(HISTORY_MARKS.rendered)
}

/** The chart's code (recharts) has loaded: tells a slow chunk from a slow render. */
export function markChartCode(): void {
  if (typeof performance === 'undefined' || typeof performance.mark !== 'function') return
  performance.mark(HISTORY_MARKS.code)
}
