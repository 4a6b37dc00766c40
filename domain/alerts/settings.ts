import type { AlertPolicySettings, AlertRule, AlertSeverity } from '../../src/contract/alerts'
import type { Policy } from '../../src/contract/policy'

/** A project's alert settings with every default filled in: what the rules read. */
export type AlertSettings = {
  policyName: string | null
  toolchain: Record<string, string>
  allowedHosts: string[]
  rules: Record<AlertRule, { enabled: boolean; severity: AlertSeverity }>
  baseline: { builds: number; minBuilds: number; minShare: number }
  durationOutlier: { threshold: number; minBuilds: number }
}

/** How bad each finding is unless the policy says otherwise: what can mean a compromise ranks above what is odd. */
export const defaultSeverities: Record<AlertRule, AlertSeverity> = {
  'verification-failed': 'critical',
  'out-of-band-download': 'high',
  'signer-identity': 'high',
  'builder-changed': 'high',
  'rebuild-mismatch': 'high',
  'unexpected-tool-version': 'medium',
  'dependency-drift': 'medium',
  'duration-outlier': 'low',
  'deployed-without-verified-provenance': 'high',
}

export function alertSettings(policy: Policy | null): AlertSettings {
  const configured: AlertPolicySettings = policy?.alerts ?? {}
  const rules = Object.fromEntries(
    Object.entries(defaultSeverities).map(([rule, severity]) => {
      const override = configured.rules?.[rule as AlertRule]
      return [rule, { enabled: override?.enabled ?? true, severity: override?.severity ?? severity }]
    }),
  ) as AlertSettings['rules']
  return {
    policyName: policy?.name ?? null,
    toolchain: policy?.toolchain ?? {},
    allowedHosts: policy?.allowedHosts ?? [],
    rules,
    baseline: {
      builds: configured.baseline?.builds ?? 200,
      minBuilds: configured.baseline?.minBuilds ?? 10,
      minShare: configured.baseline?.minShare ?? 0.9,
    },
    durationOutlier: { threshold: configured.durationOutlier?.threshold ?? 3.5, minBuilds: configured.durationOutlier?.minBuilds ?? 20 },
  }
}
