import { z } from 'zod'
import { AlertSeverity } from './alerts'
import { ApiErrorBody } from './common'
import { errors, type RouteSpec } from './route-spec'
import { ExpectedDigest } from './verify'

/**
 * A policy's release gate (`gate` in a policy of the config file): what an artifact needs before a pipeline may
 * promote it. Builders come from the policy's own `builders`.
 */
export const GateRules = z
  .object({
    /** At least this many independent rebuilders must have reproduced the artifact bit for bit (0: not required). */
    minRebuildersAgree: z.number().int().min(0).max(100).default(0),
    /** An open alert on the artifact's project at or above this severity denies; absent: alerts do not block. */
    blockOnAlertsAtOrAbove: AlertSeverity.optional(),
  })
  .strict()
export type GateRules = z.infer<typeof GateRules>

export const GateRequest = z
  .object({
    /** One artifact, or a release of several (at most 200), as `sha256:<64 hex>`. */
    digests: z.array(ExpectedDigest).min(1, 'name at least one artifact digest').max(200, 'at most 200 artifacts a decision'),
    policy: z.string().min(1, 'name the policy whose gate decides'),
  })
  .strict()
export type GateRequest = z.input<typeof GateRequest>

export const GateReason = z.object({
  /** Stable name: `provenance-verified`, `builder-allowed`, `rebuilders-agree`, `no-blocking-alerts`. */
  rule: z.string(),
  ok: z.boolean(),
  expected: z.string(),
  actual: z.string(),
  /** API paths of the evidence: the build, the artifact, the alerts. */
  evidence: z.array(z.string()),
})
export type GateReason = z.infer<typeof GateReason>

export const GateDecision = z.object({
  decision: z.enum(['allow', 'deny']),
  policy: z.string(),
  artifacts: z.array(z.object({ digest: z.string(), decision: z.enum(['allow', 'deny']), reasons: z.array(GateReason) })),
})
export type GateDecision = z.infer<typeof GateDecision>

/** The release gate, declared once: mounted by the server, published as OpenAPI. */
export const gateRoutes = {
  decideGate: {
    method: 'post',
    path: '/api/v1/gate',
    summary: 'Allow or deny promoting artifacts under a policy’s gate, with every reason and its evidence',
    scope: 'read',
    body: { contentTypes: ['application/json'], description: 'GateRequest: `{ digests: ["sha256:…"], policy: "release" }`' },
    responses: {
      200: { description: 'The decision: allow only when every artifact passes every rule', schema: GateDecision },
      ...errors,
      422: { description: 'The policy is unknown or has no gate', schema: ApiErrorBody },
    },
  },
} as const satisfies Record<string, RouteSpec>
