import { z } from 'zod'
import { Instant, VerificationStatus } from './common'
import { Rebuild } from './rebuilds'
import { errors, type RouteSpec } from './route-spec'
import { ApiErrorBody } from './common'

/* Reproducibility over time: per-project summary, history buckets, the rebuilder × artifact matrix. */

export const Streak = z.object({ verdict: z.enum(['match', 'mismatch']), length: z.number().int() })
export type Streak = z.infer<typeof Streak>

export const ReproducibilityProject = z.object({
  project: z.string(),
  rebuilds: z.number().int(),
  matched: z.number().int(),
  mismatched: z.number().int(),
  /** Rebuilds in a row with the same verdict, newest first; null with no rebuilds. */
  currentStreak: Streak.nullable(),
  lastMismatch: Rebuild.nullable(),
  lastRebuildAt: Instant.nullable(),
})
export type ReproducibilityProject = z.infer<typeof ReproducibilityProject>

export const ReproducibilitySummary = z.object({ items: z.array(ReproducibilityProject) })
export type ReproducibilitySummary = z.infer<typeof ReproducibilitySummary>

export const HistoryQuery = z.object({
  project: z.string().trim().min(1).max(512),
  /** Bucket size; `auto` picks days for ranges up to 120 days, else weeks. */
  bucket: z.enum(['day', 'week', 'auto']).default('auto'),
  from: Instant.optional(),
  to: Instant.optional(),
})
export type HistoryQuery = z.infer<typeof HistoryQuery>
export type HistoryQueryInput = z.input<typeof HistoryQuery>

export const HistoryBucket = z.object({
  /** Start of the bucket (UTC midnight; weeks start on Monday). */
  start: Instant,
  matched: z.number().int(),
  mismatched: z.number().int(),
})
export type HistoryBucket = z.infer<typeof HistoryBucket>

export const ReproducibilityHistory = z.object({
  project: z.string(),
  bucket: z.enum(['day', 'week']),
  from: Instant,
  to: Instant,
  /** Every bucket of the range in order, empty ones included, so a chart needs no gap logic. */
  buckets: z.array(HistoryBucket),
  matched: z.number().int(),
  mismatched: z.number().int(),
  currentStreak: Streak.nullable(),
  lastMismatch: Rebuild.nullable(),
})
export type ReproducibilityHistory = z.infer<typeof ReproducibilityHistory>

export const MatrixQuery = z.object({
  project: z.string().trim().min(1).max(512),
  /** How many of the project's most recently rebuilt artifacts. */
  limit: z.coerce.number().int().min(1).max(200).default(30),
})
export type MatrixQuery = z.infer<typeof MatrixQuery>

/** Rebuilders × artifacts: for each artifact, each rebuilder's latest verdict. */
export const RebuilderMatrix = z.object({
  project: z.string(),
  rebuilders: z.array(z.string()),
  artifacts: z.array(
    z.object({
      name: z.string().nullable(),
      digest: z.string(),
      /** One cell per entry of `rebuilders`, in the same order; null where that rebuilder has no verdict. */
      /** `status`: how the verdict's document verified; only verified verdicts are counted in `agree` and `total`. */
      cells: z.array(z.object({ verdict: z.enum(['match', 'mismatch']), rebuildId: z.string(), time: Instant, status: VerificationStatus }).nullable()),
      agree: z.number().int(),
      total: z.number().int(),
    }),
  ),
})
export type RebuilderMatrix = z.infer<typeof RebuilderMatrix>

/** The reproducibility routes, declared once: mounted by the server, published as OpenAPI. */
export const reproducibilityRoutes = {
  reproducibilitySummary: {
    method: 'get',
    path: '/api/v1/reproducibility',
    summary: 'Per project: rebuild verdict counts, current streak, last mismatch',
    scope: 'read',
    responses: { 200: { description: 'One entry per project with verdicts', schema: ReproducibilitySummary }, ...errors },
  },
  reproducibilityHistory: {
    method: 'get',
    path: '/api/v1/reproducibility/history',
    summary: "A project's verdicts per day or week (every bucket of the range present); by default the 120 days before now",
    scope: 'read',
    query: HistoryQuery,
    responses: {
      200: { description: 'The buckets, totals, streak and last mismatch', schema: ReproducibilityHistory },
      ...errors,
      404: { description: 'No build or rebuild is filed under the project', schema: ApiErrorBody },
    },
  },
  rebuilderMatrix: {
    method: 'get',
    path: '/api/v1/reproducibility/matrix',
    summary: "Rebuilders × the project's most recently rebuilt artifacts, each cell the rebuilder's latest verdict",
    scope: 'read',
    query: MatrixQuery,
    responses: {
      200: { description: 'The matrix', schema: RebuilderMatrix },
      ...errors,
      404: { description: 'No build or rebuild is filed under the project', schema: ApiErrorBody },
    },
  },
} as const satisfies Record<string, RouteSpec>
