import { z } from 'zod'
import { AlertSeverity } from './alert-terms'
import { BuildSummary } from './build-summary'
import { Instant } from './common'
import { errors, type RouteSpec } from './route-spec'

/*
 * The first screen: where to look first. Every count is over whole UTC days ending with `day`, so each matches the
 * list it links to (the builds list filters whole days by build time, the alert queue by state and severity).
 */

/** Whether `YYYY-MM-DD` names a day of the calendar: 2026-02-30 does not (it would read as March 2), nor 2026-13-01. */
export function isCalendarDay(day: string): boolean {
  const time = Date.parse(`${day}T00:00:00Z`)
  return Number.isFinite(time) && new Date(time).toISOString().startsWith(day)
}

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day is YYYY-MM-DD (UTC)')
  .refine(isCalendarDay, 'no such day in the calendar: a day is YYYY-MM-DD (UTC)')

export const StatusTally = z.object({
  verified: z.number().int(),
  failed: z.number().int(),
  untrusted: z.number().int(),
  unsigned: z.number().int(),
  unverifiable: z.number().int(),
})
export type StatusTally = z.infer<typeof StatusTally>

/** A window of whole days, first and last included. */
export const DayWindow = z.object({ from: Day, to: Day })

export const VerificationWindow = z.object({ window: DayWindow, counts: StatusTally, previous: StatusTally })
export const RebuildWindow = z.object({
  window: DayWindow,
  match: z.number().int(),
  mismatch: z.number().int(),
  previousMatch: z.number().int(),
  previousMismatch: z.number().int(),
})

export const Overview = z.object({
  day: Day,
  generatedAt: Instant,
  /** Open alerts (not acknowledged, resolved or waived) by severity. */
  openAlerts: z.record(AlertSeverity, z.number().int()),
  verification: z.object({ last7: VerificationWindow, last30: VerificationWindow }),
  reproducibility: z.object({ last7: RebuildWindow, last30: RebuildWindow }),
  /** One entry a day for the last 30 days, oldest first: builds by status and rebuild verdicts, for the sparklines. */
  daily: z.array(z.object({ day: Day, builds: z.number().int(), verified: z.number().int(), match: z.number().int(), mismatch: z.number().int() })),
  /** The most recent builds whose verification failed. */
  recentFailures: z.array(BuildSummary),
  /** Services whose current deployment (in any environment) has no verified path back to a source commit. */
  unverifiedDeployments: z.number().int().nullable(),
})
export type Overview = z.infer<typeof Overview>

export const OverviewQuery = z.object({
  day: Day.optional().meta({ description: 'the last day of every window, YYYY-MM-DD in UTC (default: today)' }),
})
export type OverviewQuery = z.infer<typeof OverviewQuery>

/**
 * The overview's address for `day`, byte for byte as the SPA requests it: the server names the same address in a
 * preload hint of `/` (server/http/first-route-preload.ts), and the browser hands the hint's answer to the SPA's
 * request only when the two match exactly.
 */
export const overviewHref = (day: string): string => `/api/v1/overview?${new URLSearchParams({ day }).toString()}`

/**
 * The last day of the Overview at an address: its `?day=` when that is a real day no later than `today`, else today.
 * The SPA's loader and page and the server's preload hint read the address the same way.
 */
export function overviewDay(query: URLSearchParams, today: string): string {
  const day = query.get('day')
  if (day === null || !/^\d{4}-\d{2}-\d{2}$/.test(day) || day > today) return today
  return isCalendarDay(day) ? day : today
}

/**
 * The demo's last day (demo/model.ts builds its history up to noon of it). Its dates are signed into its documents,
 * so they stay where they are as the calendar moves on; the Overview of a demo server offers this day's figures.
 */
export const DEMO_LAST_DAY = '2026-11-27'

export const overviewRoutes = {
  getOverview: {
    method: 'get',
    path: '/api/v1/overview',
    summary:
      'Where to look first: open alerts by severity, verification and reproducibility of the last 7 and 30 days with the windows before, daily series, recent failures',
    scope: 'read',
    query: OverviewQuery,
    responses: { 200: { description: 'The overview', schema: Overview }, ...errors },
  },
} as const satisfies Record<string, RouteSpec>
