import { sparklinePaths } from '../lib/overview-figures'

/** A small inline SVG line (no chart library on the first screen); `label` says in words what it shows. */
export function Sparkline({ values, label, max }: { values: readonly (number | null)[]; label: string; max?: number }) {
  const width = 120
  const height = 28
  return (
    <svg className="sparkline" viewBox={`-1 -1 ${width + 2} ${height + 2}`} width={width} height={height} role="img" aria-label={label}>
      {sparklinePaths(values, width, height, max).map((points) => (
        <polyline key={points} points={points} fill="none" stroke="currentColor" strokeWidth="1.5" vectorEffect="non-scaling-stroke" />
      ))}
    </svg>
  )
}
