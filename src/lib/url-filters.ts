import { z } from 'zod'

/*
 * Filters as they live in the URL, shared by the list screens: a hand-edited or stale link still opens, because
 * anything unreadable falls back to "no filter" (`.catch(undefined)`) instead of failing the page.
 */

/** A whole UTC day, `YYYY-MM-DD`. */
export const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
  .optional()
  .catch(undefined)

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

/** Whole days as API instants: `from` at its midnight, `to` inclusive, so the bound is the next midnight (exclusive). */
export function dayBounds(from: string | undefined, to: string | undefined): { from?: string; to?: string } {
  const bounds: { from?: string; to?: string } = {}
  if (from !== undefined) bounds.from = `${from}T00:00:00.000Z`
  if (to !== undefined) {
    const next = new Date(`${to}T00:00:00.000Z`)
    next.setUTCDate(next.getUTCDate() + 1)
    bounds.to = next.toISOString()
  }
  return bounds
}
