import { z } from 'zod'

/*
 * Filters as they live in the URL, shared by the list screens: a hand-edited or stale link still opens, because
 * anything unreadable falls back to "no filter" (`.catch(undefined)`) instead of failing the page.
 */

/**
 * A whole UTC day (`YYYY-MM-DD`), or an instant to the minute (`YYYY-MM-DDTHH:MMZ`) as the quick ranges write
 * ("last 24 hours" starts mid-day). Years before 1970 are refused: they are what a date field holds while a year
 * is still being typed (0002-11-01), never a filter anyone meant.
 */
export const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}Z)?$/)
  .refine((value) => isPlausibleDate(value))
  .optional()
  .catch(undefined)

/** A complete date or instant from 1970 to 9999, as the filters accept it. */
export function isPlausibleDate(value: string): boolean {
  const ms = Date.parse(value.includes('T') ? value : `${value}T00:00:00Z`)
  return !Number.isNaN(ms) && ms >= 0 && new Date(ms).toISOString().slice(0, 10) === value.slice(0, 10)
}

/** The quick ranges of the list screens, each ending now. */
export const quickRanges = [
  { label: '24 h', name: 'the last 24 hours', hours: 24 },
  { label: '7 d', name: 'the last 7 days', hours: 7 * 24 },
  { label: '30 d', name: 'the last 30 days', hours: 30 * 24 },
  { label: '90 d', name: 'the last 90 days', hours: 90 * 24 },
] as const

/** `from` of a quick range ending at `now`: an instant to the minute, so links to it stay short and stable. */
export function quickRangeFrom(hours: number, now: number): string {
  return `${new Date(now - hours * 3_600_000).toISOString().slice(0, 16)}Z`
}

export const filterText = z.string().trim().min(1).max(512).optional().catch(undefined)

/** The named parameters of a URL, empty ones as absent. */
export function readParams<K extends string>(params: URLSearchParams, keys: readonly K[]): Record<K, string | undefined> {
  const out = {} as Record<K, string | undefined>
  for (const key of keys) {
    const value = params.get(key)
    out[key] = value === null || value === '' ? undefined : value
  }
  return out
}

/** The URL query of a search, unset filters left out. */
export function writeParams<K extends string>(search: Partial<Record<K, string | undefined>>, keys: readonly K[]): URLSearchParams {
  const params = new URLSearchParams()
  for (const key of keys) {
    const value = search[key]
    if (value !== undefined) params.set(key, value)
  }
  return params
}

/**
 * Whole days as API instants: `from` at its midnight, `to` inclusive, so the bound is the next midnight
 * (exclusive). An instant (from a quick range) is its own bound.
 */
export function dayBounds(from: string | undefined, to: string | undefined): { from?: string; to?: string } {
  const bounds: { from?: string; to?: string } = {}
  if (from !== undefined) bounds.from = from.includes('T') ? new Date(from).toISOString() : `${from}T00:00:00.000Z`
  if (to !== undefined && to.includes('T')) bounds.to = new Date(to).toISOString()
  else if (to !== undefined) {
    const next = new Date(`${to}T00:00:00.000Z`)
    next.setUTCDate(next.getUTCDate() + 1)
    bounds.to = next.toISOString()
  }
  return bounds
}

/** A filter value from the URL that names nothing, said on the page rather than silently dropped or added. */
export type UnknownFilter = { param: string; value: string; message: string }

/** The URL's value of `param` when the parsed search dropped it (it could not be read), with a sentence saying so. */
export function droppedValue(params: URLSearchParams, param: string, parsed: string | undefined, message: (value: string) => string): UnknownFilter[] {
  const raw = params.get(param)
  return raw !== null && raw !== '' && parsed === undefined ? [{ param, value: raw, message: message(raw) }] : []
}
