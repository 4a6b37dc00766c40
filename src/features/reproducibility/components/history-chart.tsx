import { memo, useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react'
import { CartesianGrid, ComposedChart, Line, XAxis, YAxis, useXAxisScale, useYAxisScale, type BaseTickContentProps } from 'recharts'
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
  // A period's date, on the axis and in each bar's name: its month when the chart spans years, else its day.
  const dayParts = spansYears ? 'month' : 'day'
  const format = useCallback((value: number) => formatDay(value, dayParts), [dayParts])
  // Explicit ticks and `niceTicks="none"`: recharts then places them as given instead of searching for round ones.
  const counts = useMemo(() => countTicks(points), [points])
  const dateTick = useMemo(() => tickLabel(format), [format])
  // About eight labels whatever the length: recharts otherwise measures every tick to decide.
  const interval = Math.max(0, Math.ceil(points.length / 8) - 1)
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

  // Marks the moment the bars exist. They are drawn once recharts has worked out its scales, in its own later
  // commits, which do not re-run this component's effects, so a MutationObserver watches for them (its callback runs
  // before the next paint).
  useLayoutEffect(() => {
    const container = containerRef.current
    if (!container || width === null) return
    const drawn = () => container.querySelector('.history-bar') !== null || points.every((point) => point.matched + point.mismatched === 0)
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
        <ComposedChart width={width} height={HEIGHT} data={points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid vertical={false} stroke="#e3e8ee" />
          <XAxis dataKey="start" scale="band" interval={interval} tick={dateTick} minTickGap={8} />
          <YAxis yAxisId="count" allowDataOverflow domain={[0, counts.at(-1) ?? 1]} ticks={counts} niceTicks="none" interval={0} tick={countLabel} width={44} />
          <YAxis yAxisId="rate" orientation="right" domain={[0, 100]} ticks={RATE_TICKS} niceTicks="none" interval={0} tick={rateLabel} width={44} />
          <StackedBars points={points} format={format} onMismatchClick={onMismatchClick} />
          <Line yAxisId="rate" dataKey="passRate" name="Pass rate" stroke="#1f5fa8" strokeWidth={2} dot={false} isAnimationActive={false} connectNulls={false} />
        </ComposedChart>
      )}
    </div>
  )
})

/** Each bar stands a pixel in from either side of its period's band, as recharts' `barCategoryGap={1}` drew them. */
const BAR_GAP = 1

/**
 * Matched and mismatched rebuilds of each period as two stacked rects, placed by the chart's own scales (the X axis'
 * band for the period, the count axis for the heights). Each bar is named in words, e.g. "Mismatched, Mar 3: 4 of
 * 20 rebuilds", so it can be found by what it shows rather than by its colour. An image, not a button: the keyboard
 * way to a mismatch is the list of periods below the chart.
 */
function StackedBars({ points, format, onMismatchClick }: { points: readonly SeriesPoint[]; format: (value: number) => string; onMismatchClick: (point: SeriesPoint) => void }) {
  const x = useXAxisScale()
  const y = useYAxisScale('count')
  const base = y?.(0)
  if (x === undefined || y === undefined || base === undefined) return null
  return (
    <g className="history-bars">
      {points.map((point) => {
        const start = x(point.start, { position: 'start' })
        const end = x(point.start, { position: 'end' })
        const total = point.matched + point.mismatched
        const top = y(point.matched)
        const peak = y(total)
        if (start === undefined || end === undefined || top === undefined || peak === undefined) return null
        const left = start + BAR_GAP
        const width = Math.max(0, end - start - 2 * BAR_GAP)
        const when = format(point.start)
        return (
          <g key={point.start} className="history-bar">
            {point.matched > 0 ? <rect x={left} y={top} width={width} height={base - top} fill="#3f8f5a" role="img" aria-label={`Matched, ${when}: ${point.matched} of ${total} rebuilds`} /> : null}
            {point.mismatched > 0 ? (
              <rect
                x={left}
                y={peak}
                width={width}
                height={top - peak}
                fill="#c0392b"
                role="img"
                aria-label={`Mismatched, ${when}: ${point.mismatched} of ${total} rebuilds`}
                cursor="pointer"
                onClick={() => onMismatchClick(point)}
              />
            ) : null}
          </g>
        )
      })}
    </g>
  )
}
