import { memo, useLayoutEffect, useMemo, useRef, useState } from 'react'
import { Bar, CartesianGrid, ComposedChart, Line, XAxis, YAxis, type BarShapeProps, type BaseTickContentProps } from 'recharts'
import { formatDay } from '../../../lib/format'
import { countTicks } from '../lib/count-ticks'
import type { SeriesPoint } from '../lib/history-series'
import { markChartCode, markHistoryRendered } from '../lib/history-marks'

export type HistoryChartProps = {
  points: readonly SeriesPoint[]
  /** A bar with mismatches was clicked. */
  onMismatchClick: (point: SeriesPoint) => void
}

const HEIGHT = 280
const percent = (value: number) => `${value}%`
const RATE_TICKS = [0, 50, 100]

/**
 * A tick's label as plain SVG text, where recharts' own `<Text>` measures every label in the page (a forced layout
 * each) to wrap it, which these short labels never need. Placed as recharts places its labels: below the X axis,
 * beside the Y axes, with its anchors.
 */
function tickLabel(format: (value: number) => string) {
  return function TickLabel({ x, y, payload, textAnchor, verticalAnchor, fill }: BaseTickContentProps) {
    const dy = verticalAnchor === 'start' ? '0.71em' : verticalAnchor === 'end' ? '0' : '0.355em'
    return (
      <text x={x} y={y} dy={dy} textAnchor={textAnchor} fill={fill} fontSize={12} className="recharts-cartesian-axis-tick-value">
        {format(Number(payload.value))}
      </text>
    )
  }
}
const countLabel = tickLabel(String)
const rateLabel = tickLabel(percent)

markChartCode()
/** Where layout reports no width (jsdom), draw at a typical one. */
const FALLBACK_WIDTH = 800

/**
 * Matched and mismatched rebuilds per bucket as stacked bars, and the pass rate as a line. Loaded with its own
 * chunk: recharts is the heaviest library of the app, and only this chart needs it. No hover tooltip: it costs
 * 6.5 kB gzip against the whole-app budget, and every value is in the table below the chart. Memoised: drawing
 * it again costs tens of milliseconds, so it is drawn only when its points (or handler) change.
 */
export const HistoryChart = memo(function HistoryChart({ points, onMismatchClick }: HistoryChartProps) {
  const containerRef = useRef<HTMLDivElement>(null)
  const [width, setWidth] = useState<number | null>(null)
  const spansYears = points.length > 1 && (points.at(-1)?.start ?? 0) - (points[0]?.start ?? 0) > 200 * 86_400_000
  const format = (value: number) => formatDay(value, spansYears ? 'month' : 'day')
  // Explicit ticks and `niceTicks="none"`: recharts then places them as given instead of searching for round ones.
  const counts = useMemo(() => countTicks(points), [points])
  const dateTick = useMemo(() => tickLabel((value) => formatDay(value, spansYears ? 'month' : 'day')), [spansYears])
  // About eight labels whatever the length: recharts otherwise measures every tick to decide.
  const interval = Math.max(0, Math.ceil(points.length / 8) - 1)
  // Each bar is named in words, e.g. "Mismatched, Mar 3: 4 of 20 rebuilds", so it can be found by what it shows
  // rather than by its colour. An image, not a button: the keyboard way to a mismatch is the list of periods below.
  // A plain <rect>, not recharts' <Rectangle>: that one is a component with hooks that draws a path for rounded
  // corners these bars do not have, and with a few hundred bars it was much of the time a new range took to draw.
  // recharts puts each bar in a group of its own that takes the clicks.
  const bar = (kind: 'Matched' | 'Mismatched') =>
    function NamedBar({ x = 0, y = 0, width = 0, height = 0, fill, originalDataIndex }: BarShapeProps) {
      const point = points[originalDataIndex]
      const count = kind === 'Matched' ? point?.matched : point?.mismatched
      const label = point ? `${kind}, ${format(point.start)}: ${count} of ${point.matched + point.mismatched} rebuilds` : kind
      // Nothing for an empty bar (no mismatches that day), as recharts' own shape draws nothing: no empty image.
      if (width === 0 || height === 0) return null
      // A bar below its base comes with a negative height, as an SVG rect may not have.
      return <rect x={Math.min(x, x + width)} y={Math.min(y, y + height)} width={Math.abs(width)} height={Math.abs(height)} fill={fill} role="img" aria-label={label} />
    }

  // The chart is drawn at the container's width, measured here once before paint and on resize: cheaper than
  // recharts' ResponsiveContainer, which draws at size 0 first and again once its observer fires.
  useLayoutEffect(() => {
    const container = containerRef.current
    if (!container) return
    const measure = () => setWidth(container.clientWidth > 0 ? container.clientWidth : FALLBACK_WIDTH)
    measure()
    if (typeof ResizeObserver === 'undefined') return
    const observer = new ResizeObserver(measure)
    observer.observe(container)
    return () => observer.disconnect()
  }, [])

  // Marks the moment the bars exist. recharts draws them in its own later commits, which do not re-run this
  // component's effects, so a MutationObserver watches for them (its callback runs before the next paint).
  useLayoutEffect(() => {
    const container = containerRef.current
    if (!container || width === null) return
    const drawn = () => container.querySelector('.recharts-bar-rectangle') !== null || points.every((point) => point.matched + point.mismatched === 0)
    if (drawn()) {
      markHistoryRendered()
      return
    }
    if (typeof MutationObserver === 'undefined') return
    const observer = new MutationObserver(() => {
      if (!drawn()) return
      markHistoryRendered()
      observer.disconnect()
    })
    observer.observe(container, { childList: true, subtree: true })
    return () => observer.disconnect()
  }, [points, width])

  return (
    <div ref={containerRef} className="history-chart">
      {width === null ? null : (
        <ComposedChart width={width} height={HEIGHT} data={points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false} barCategoryGap={1}>
          <CartesianGrid vertical={false} stroke="#e3e8ee" />
          <XAxis dataKey="start" interval={interval} tick={dateTick} minTickGap={8} />
          <YAxis yAxisId="count" domain={[0, counts.at(-1) ?? 1]} ticks={counts} niceTicks="none" interval={0} tick={countLabel} width={44} />
          <YAxis yAxisId="rate" orientation="right" domain={[0, 100]} ticks={RATE_TICKS} niceTicks="none" interval={0} tick={rateLabel} width={44} />
          <Bar yAxisId="count" dataKey="matched" name="Matched" stackId="rebuilds" fill="#3f8f5a" isAnimationActive={false} shape={bar('Matched')} />
          <Bar
            yAxisId="count"
            dataKey="mismatched"
            name="Mismatched"
            stackId="rebuilds"
            fill="#c0392b"
            isAnimationActive={false}
            shape={bar('Mismatched')}
            cursor="pointer"
            onClick={(_, index) => {
              const point = points[index]
              if (point && point.mismatched > 0) onMismatchClick(point)
            }}
          />
          <Line yAxisId="rate" dataKey="passRate" name="Pass rate" stroke="#1f5fa8" strokeWidth={2} dot={false} isAnimationActive={false} connectNulls={false} />
        </ComposedChart>
      )}
    </div>
  )
})
