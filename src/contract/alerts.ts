import { z } from 'zod'
import { alertRules, alertSeverities, AlertSeverity, DEPLOYMENT_RULE, UNRESOLVED } from './alert-terms'
import { Instant, optionalText } from './common'
import { errors, type RouteSpec } from './route-spec'

/*
 * Anomaly alerts: what the rules found about builds, and how people triage it. One alert per recurring cause
 * (rule, project and cause), so the hundredth build with the same unexpected node version adds to one alert's
 * count instead of opening a hundredth.
 */

// Declared in ./alert-terms.ts, which screens that show no alert schema import instead of this module.
export { alertRules, alertSeverities, AlertSeverity, DEPLOYMENT_RULE, UNRESOLVED }

export const AlertRule = z.enum(alertRules).meta({
  description:
    'unexpected-tool-version: a tool differs from the pinned toolchain or the learned baseline; out-of-band-download: a host outside the allow-list was contacted; ' +
    'dependency-drift: resolved dependencies changed without a lockfile change, or a dependency no earlier build had appeared; builder-changed: builder id or build type differs from the baseline; ' +
    'signer-identity: signed by an unknown key or a signer other than the usual one; verification-failed: a verification check failed; ' +
    'rebuild-mismatch: an independent rebuild produced a different digest; duration-outlier: far slower or faster than the pipeline usually is (median and MAD); ' +
    'deployed-without-verified-provenance: a service was deployed to an environment with a digest that has no verified path back to a source commit (one alert per service and environment, cleared when what runs there verifies)',
})
export type AlertRule = z.infer<typeof AlertRule>

export const ruleLabels: Record<AlertRule, string> = {
  'unexpected-tool-version': 'Unexpected tool version',
  'out-of-band-download': 'Out-of-band download',
  'dependency-drift': 'Dependency drift',
  'builder-changed': 'Builder or build type changed',
  'signer-identity': 'Signer identity unknown or changed',
  'verification-failed': 'Verification failed',
  'rebuild-mismatch': 'Rebuild mismatch',
  'duration-outlier': 'Duration outlier',
  'deployed-without-verified-provenance': 'Deployed without verified provenance',
}

/** What an alert's occurrences (and its subject's `buildId`) are: deployments for the deployment rule, builds otherwise. */
export const occurrenceKind = (rule: AlertRule): 'build' | 'deployment' => (rule === DEPLOYMENT_RULE ? 'deployment' : 'build')

export const alertStates = ['open', 'acknowledged', 'resolved', 'waived'] as const
export const AlertState = z.enum(alertStates)
export type AlertState = z.infer<typeof AlertState>

/** A document that shows the evidence (a build's provenance, a rebuild's attestation). */
export const EvidenceDocument = z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  /** What the document is to this alert: "provenance of the build", "rebuild by rebuilder-b". */
  label: z.string(),
})
export type EvidenceDocument = z.infer<typeof EvidenceDocument>

export const AlertEvidence = z.object({
  expected: z.string(),
  found: z.string(),
  /** How the expectation was reached: "pinned in policy acme-web", "in 97% of the last 200 builds". */
  basis: z.string(),
  documents: z.array(EvidenceDocument),
})
export type AlertEvidence = z.infer<typeof AlertEvidence>

/** What an alert is about: a build, an artifact, or a deployment. */
export const AlertSubject = z.object({
  kind: z.enum(['build', 'artifact', 'deployment']),
  /** A build id, an artifact's `sha256:<hex>` digest, or a deployment id. */
  id: z.string(),
  /**
   * What last showed the cause: a build id (for an artifact, the build that produced it); for a deployment alert the
   * deployment's id, since a digest deployed without provenance may have no build at all.
   */
  buildId: z.string().regex(/^[0-9a-f]{64}$/),
  label: z.string(),
})
export type AlertSubject = z.infer<typeof AlertSubject>

export const Waiver = z.object({ reason: z.string(), expiresAt: Instant, by: z.string() })

export const Alert = z.object({
  id: z.string().regex(/^[0-9a-f]{24}$/),
  rule: AlertRule,
  severity: AlertSeverity,
  project: z.string(),
  /** The recurring cause within the rule and project, e.g. `node@21.1.0` or `host paste.example`. */
  cause: z.string(),
  title: z.string(),
  subject: AlertSubject,
  evidence: AlertEvidence,
  state: AlertState,
  waiver: Waiver.nullable(),
  firstSeen: Instant,
  lastSeen: Instant,
  /** Builds (for the deployment rule: deployments) that showed the cause; 1 for a cause seen once. */
  occurrences: z.number().int().min(1),
  updatedAt: Instant,
})
export type Alert = z.infer<typeof Alert>

export const AlertHistoryEntry = z.object({
  at: Instant,
  /** The token's name, or `rules` for what evaluation did by itself (created, recurred, expired). */
  actor: z.string(),
  kind: z.enum(['created', 'transition', 'recurred', 'reopened', 'waiver-expired', 'cleared']),
  from: AlertState.nullable(),
  to: AlertState,
  reason: z.string().nullable(),
})
export type AlertHistoryEntry = z.infer<typeof AlertHistoryEntry>

/** One build (for the deployment rule: one deployment, its id in `buildId`) that showed the cause; `documentId` is '' for a deployment posted as JSON. */
export const AlertOccurrence = z.object({
  buildId: z.string(),
  documentId: z.string(),
  at: Instant,
  /** What this build was expected to show (for a rebuild mismatch, its own published digest); null when recorded before servers kept it. */
  expected: z.string().nullable(),
  found: z.string(),
})

export const WebhookDelivery = z.object({
  at: Instant,
  attempt: z.number().int().min(1),
  url: z.string(),
  /** HTTP status of the receiver's answer; null when it could not be reached. */
  status: z.number().int().nullable(),
  ok: z.boolean(),
  /** The start of the receiver's answer, or why it could not be reached. */
  response: z.string(),
})
export type WebhookDelivery = z.infer<typeof WebhookDelivery>

export const AlertDetail = Alert.extend({
  history: z.array(AlertHistoryEntry),
  /** The most recent builds that showed the cause, newest first (at most 50). */
  recentOccurrences: z.array(AlertOccurrence),
  deliveries: z.array(WebhookDelivery),
})
export type AlertDetail = z.infer<typeof AlertDetail>

export const AlertStateCounts = z.object({ open: z.number().int(), acknowledged: z.number().int(), resolved: z.number().int(), waived: z.number().int() })
export type AlertStateCounts = z.infer<typeof AlertStateCounts>

export const AlertPage = z.object({
  items: z.array(Alert),
  /** Alerts in each state under the other filters (all but `state`). */
  counts: AlertStateCounts,
  nextCursor: z.string().nullable(),
})
export type AlertPage = z.infer<typeof AlertPage>

export const alertSorts = ['severity', 'recent'] as const

export const unresolvedStates = ['open', 'acknowledged', 'waived'] as const satisfies readonly AlertState[]

export const AlertQuery = z.object({
  state: z.union([AlertState, z.literal(UNRESOLVED)]).optional().meta({ description: 'one state, or unresolved: open, acknowledged or waived' }),
  rule: AlertRule.optional(),
  project: optionalText.meta({ description: 'exact project name' }),
  severity: AlertSeverity.optional().meta({ description: 'only this severity' }),
  buildId: z.string().regex(/^[0-9a-f]{64}$/, 'a build id is 64 lower-case hex characters').optional(),
  sort: z.enum(alertSorts).default('severity').meta({ description: 'severity: most severe first, then most recent; recent: last seen first' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional(),
})
export type AlertQuery = z.infer<typeof AlertQuery>

export const AlertId = z.object({ id: z.string().regex(/^[0-9a-f]{24}$/, 'an alert id is 24 lower-case hex characters') })

/** PATCH body: the state to move to and why; a waiver also needs when it ends. */
export const AlertPatch = z
  .object({
    state: AlertState,
    reason: z.string().trim().max(2000).optional(),
    expiresAt: Instant.optional(),
  })
  .strict()
export type AlertPatch = z.infer<typeof AlertPatch>

export const alertRoutes = {
  listAlerts: {
    method: 'get',
    path: '/api/v1/alerts',
    summary: 'Anomaly alerts with counts per state; filter by state, rule, project, severity or build; sorted by severity or recency',
    scope: 'read',
    query: AlertQuery,
    responses: { 200: { description: 'A page of alerts', schema: AlertPage }, ...errors },
  },
  getAlert: {
    method: 'get',
    path: '/api/v1/alerts/{id}',
    summary: 'One alert with its evidence, history, recent occurrences and webhook deliveries',
    scope: 'read',
    params: AlertId,
    paramError: { code: 'invalid-alert-id' },
    responses: { 200: { description: 'The alert', schema: AlertDetail }, 404: { description: 'No such alert' }, ...errors },
  },
  patchAlert: {
    method: 'patch',
    path: '/api/v1/alerts/{id}',
    summary: 'Triage: acknowledge, resolve, reopen or waive (with reason and expiry) an alert; recorded with the token name',
    scope: 'triage',
    params: AlertId,
    paramError: { code: 'invalid-alert-id' },
    body: { contentTypes: ['application/json'], description: '{ state, reason?, expiresAt? } (AlertPatch)' },
    responses: {
      200: { description: 'The alert after the change', schema: AlertDetail },
      404: { description: 'No such alert' },
      409: { description: 'The transition is not allowed from the alert’s state' },
      ...errors,
    },
  },
} as const satisfies Record<string, RouteSpec>

/**
 * A project's alert settings in its policy (`policies[].alerts`): which rules run at which severity, and how the
 * learned baselines are made. Every field is optional; domain/alerts/settings.ts fills in the defaults.
 */
export const AlertPolicySettings = z
  .object({
    rules: z
      .partialRecord(
        AlertRule,
        z
          .object({
            enabled: z.boolean().optional(),
            severity: AlertSeverity.optional(),
          })
          .strict(),
      )
      .optional()
      .meta({ description: 'per rule: enabled (default true) and severity (default per rule)' }),
    baseline: z
      .object({
        builds: z.number().int().min(5).max(5000).optional().meta({ description: 'how many recent builds of the pipeline a baseline is learned from (default 200)' }),
        minBuilds: z.number().int().min(2).max(5000).optional().meta({ description: 'fewer earlier builds than this and no baseline is learned (default 10)' }),
        minShare: z.number().gt(0.5).max(1).optional().meta({ description: 'share of those builds the usual value must hold to be expected (default 0.9)' }),
      })
      .strict()
      .optional(),
    durationOutlier: z
      .object({
        threshold: z.number().positive().max(100).optional().meta({ description: 'robust z-score (0.6745 × distance from the median / MAD) above which a duration is an outlier (default 3.5)' }),
        minBuilds: z.number().int().min(5).max(5000).optional().meta({ description: 'earlier builds needed before durations are judged (default 20)' }),
      })
      .strict()
      .optional(),
  })
  .strict()
export type AlertPolicySettings = z.infer<typeof AlertPolicySettings>
