import type { SeriesPoint } from './history-series'

/**
 * The count axis's ticks: 0 up to the first tick at or above the tallest bar, in whole steps of 1, 2 or 5 times a
 * power of ten, at most four intervals. Given to the chart rather than left to recharts, whose search for "nice"
 * ticks (decimal arithmetic) took a large part of each redraw. A module apart from history-series.ts, which the page
 * loads: only the chart, in its own chunk, needs it.
 */
export function countTicks(points: readonly Pick<SeriesPoint, 'matched' | 'mismatched'>[]): number[] {
  const tallest = points.reduce((max, point) => Math.max(max, point.matched + point.mismatched), 0)
  if (tallest === 0) return [0, 1]
  const power = 10 ** Math.floor(Math.log10(tallest / 4))
  const step = Math.max(1, [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate * 4 >= tallest) ?? 10 * power)
  return Array.from({ length: Math.ceil(tallest / step) + 1 }, (_, index) => index * step)
}
