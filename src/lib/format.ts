import type { DigestSet } from '../contract/common'

/** `1a2b3c4d5e6f…` style prefix of a hex digest; long enough to tell digests apart at a glance. */
export function shortHex(value: string, length = 12): string {
  return value.length > length ? `${value.slice(0, length)}…` : value
}

/** A git commit as people quote it: the first 7 characters of a full hex id, anything else unchanged. */
export function shortCommit(commit: string): string {
  return /^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(commit) ? commit.slice(0, 7) : commit
}

/** Digest entries, the algorithm we compare on (sha256) first, the rest by name. */
export function digestEntries(set: DigestSet): [algorithm: string, value: string][] {
  return Object.entries(set).sort(([a], [b]) => {
    if (a === b) return 0
    if (a === 'sha256') return -1
    if (b === 'sha256') return 1
    return a < b ? -1 : 1
  })
}

/** The URL without its `https://` prefix, for compact display; the full value goes into a title. */
export function stripScheme(value: string): string {
  return value.replace(/^https?:\/\//i, '')
}

const pad = (value: number) => String(value).padStart(2, '0')

/** `2026-11-27 11:58:03 UTC`: unambiguous, sortable, and the same on every machine. */
export function formatAbsolute(iso: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC`
  )
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const

/**
 * A UTC day as `Intl.DateTimeFormat('en', { month: 'short', … , timeZone: 'UTC' })` writes it (format.test.ts
 * compares the two every day over three centuries): `Mar 3` (`'day'`), `Mar 2026` (`'month'`) or `Mar 3, 2026`
 * (`'date'`). Written out for the reason formatCount is: building that formatter loads Intl's locale data, which held
 * the Reproducibility screen's first paint back.
 */
export function formatDay(ms: number, parts: 'day' | 'month' | 'date'): string {
  const date = new Date(ms)
  const month = MONTHS[date.getUTCMonth()] ?? ''
  if (parts === 'month') return `${month} ${date.getUTCFullYear()}`
  return parts === 'day' ? `${month} ${date.getUTCDate()}` : `${month} ${date.getUTCDate()}, ${date.getUTCFullYear()}`
}

type RelativeUnit = 'year' | 'month' | 'week' | 'day' | 'hour' | 'minute'
/** The units a relative time is said in, largest first, with their length in ms: the first the distance reaches. */
export const relativeUnits: readonly (readonly [RelativeUnit, number])[] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
]

/**
 * `12,345`: a whole count as English writes it, what `count.toLocaleString('en')` says (format.test.ts compares the
 * two). Written out because the first use of Intl in a page (any of it: number formats, collation, relative times)
 * loads its locale data, about 25 ms in Chromium (100 under the bench's 4× CPU slowdown), in the task of whatever
 * screen draws a count first.
 */
export function formatCount(count: number): string {
  // A comma where three digits follow up to the end, never right after the sign: `\B` is not between `-` and a digit.
  return String(count).replace(/\B(?=(\d{3})+$)/g, ',')
}

/** Text in code-unit order, the same everywhere: for sorting names and hosts without Intl's collation (see formatCount). */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * What `new Intl.RelativeTimeFormat('en', { numeric: 'auto' }).format(value, unit)` says, for a whole `value` other
 * than 0 (format.test.ts compares the two). Written out for the reason formatCount is: that formatter was built as the
 * app's entry ran, and loading Intl's locale data held every screen's first paint back.
 */
function relativeTime(value: number, unit: RelativeUnit): string {
  const count = Math.abs(value)
  // One unit back or ahead has a name, but for hours and minutes.
  if (count === 1 && unit !== 'hour' && unit !== 'minute') return unit === 'day' ? (value < 0 ? 'yesterday' : 'tomorrow') : `${value < 0 ? 'last' : 'next'} ${unit}`
  const words = `${formatCount(count)} ${unit}${count === 1 ? '' : 's'}`
  return value < 0 ? `${words} ago` : `in ${words}`
}

/** `3 hours ago`, `in 2 days`, `just now`; relative to `now` so it can be tested. */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const time = new Date(iso).getTime()
  if (Number.isNaN(time)) return iso
  const diff = time - now
  for (const [unit, size] of relativeUnits) {
    if (Math.abs(diff) >= size) return relativeTime(Math.round(diff / size), unit)
  }
  return 'just now'
}

/** `4 min 12 s`, `1 h 3 min`, `850 ms`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`
  const hours = Math.floor(minutes / 60)
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`
}

/** Decimal units, as file managers show them: `1.2 kB`, `3.4 MB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—'
  if (bytes < 1000) return `${bytes} B`
  const steps = ['kB', 'MB', 'GB', 'TB'] as const
  let value = bytes
  let unit: string = 'B'
  for (const step of steps) {
    if (value < 1000) break
    value /= 1000
    unit = step
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${unit}`
}
