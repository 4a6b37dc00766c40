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

const relativeFormat = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })
const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
]

/** `3 hours ago`, `in 2 days`, `just now`; relative to `now` so it can be tested. */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const time = new Date(iso).getTime()
  if (Number.isNaN(time)) return iso
  const diff = time - now
  for (const [unit, size] of units) {
    if (Math.abs(diff) >= size) return relativeFormat.format(Math.round(diff / size), unit)
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
