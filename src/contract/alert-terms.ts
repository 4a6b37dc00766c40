import { z } from 'zod'

/*
 * The alerts' vocabulary that screens other than the alert queue use (the overview counts open alerts by severity
 * and links to the queue filtered by state or rule), declared apart from the alert schemas (./alerts.ts, which
 * re-exports all of this) so that the browser loads it without them: a module's schemas are all made when it is
 * first imported.
 */

export const alertRules = [
  'unexpected-tool-version',
  'out-of-band-download',
  'dependency-drift',
  'builder-changed',
  'signer-identity',
  'verification-failed',
  'rebuild-mismatch',
  'duration-outlier',
  'deployed-without-verified-provenance',
] as const

/** The rule whose alerts are about deployments: its occurrences are deployments, not builds. */
export const DEPLOYMENT_RULE = 'deployed-without-verified-provenance' satisfies (typeof alertRules)[number]

/** Most severe first: the order of the severity sort and of the overview. */
export const alertSeverities = ['critical', 'high', 'medium', 'low'] as const
export const AlertSeverity = z.enum(alertSeverities)
export type AlertSeverity = z.infer<typeof AlertSeverity>

/** Not a state but a filter: every alert still to be dealt with (open, acknowledged or waived). */
export const UNRESOLVED = 'unresolved'
