import type { StatusTally } from '../../../contract/overview'

/** Today as the overview counts it: a UTC day, `YYYY-MM-DD`. */
export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)

export const total = (counts: StatusTally) => counts.verified + counts.failed + counts.untrusted + counts.unsigned + counts.unverifiable

/** A share in percent to one decimal, or null when there is nothing to divide. */
export function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 10
}

/** How a rate moved against the window before, in words a screen reader reads as they are. */
export function trend(current: number | null, previous: number | null): { text: string; direction: 'up' | 'down' | 'flat' | 'none' } {
  // Nothing in this window: what the one before had, if anything.
  if (current === null) return { text: previous === null ? 'none in the window before either' : `${previous}% the window before`, direction: 'none' }
  if (previous === null) return { text: 'no earlier figure to compare', direction: 'none' }
  const delta = Math.round((current - previous) * 10) / 10
  if (delta === 0) return { text: 'unchanged from the window before', direction: 'flat' }
  const points = Math.abs(delta)
  return { text: `${delta > 0 ? 'up' : 'down'} ${points} ${points === 1 ? 'point' : 'points'} from ${previous}%`, direction: delta > 0 ? 'up' : 'down' }
}

/**
 * An SVG polyline's points for a series in a `width` × `height` box, nulls (no data that day) left out as gaps
 * would mislead less than zeros: each run of values is its own line.
 */
export function sparklinePaths(values: readonly (number | null)[], width: number, height: number, max = Math.max(1, ...values.map((value) => value ?? 0))): string[] {
  const step = values.length > 1 ? width / (values.length - 1) : 0
  const lines: string[] = []
  let current: string[] = []
  values.forEach((value, index) => {
    if (value === null) {
      if (current.length > 0) lines.push(current.join(' '))
      current = []
      return
    }
    const x = Math.round(index * step * 10) / 10
    const y = Math.round((height - (value / max) * height) * 10) / 10
    current.push(`${x},${y}`)
  })
  if (current.length > 0) lines.push(current.join(' '))
  return lines
}
