import type { AlertSeverity } from '../../src/contract/alerts'
import { alertSeverities } from '../../src/contract/alerts'
import type { ArtifactDetail } from '../../src/contract/artifacts'
import type { GateReason, GateRules } from '../../src/contract/gate'
import type { Policy } from '../../src/contract/policy'
import { matchesGlob } from '../policy/policy'

export type OpenAlert = { id: string; severity: AlertSeverity; title: string }

/** Severities at or above `floor`, most severe first (alertSeverities is ordered so). */
export const severitiesAtOrAbove = (floor: AlertSeverity): AlertSeverity[] => alertSeverities.slice(0, alertSeverities.indexOf(floor) + 1)

/**
 * One artifact against a policy's gate: every rule judged, each with what it expected, what it found and the API
 * paths of the evidence. An artifact nothing is recorded about fails provenance (there is none), never passes.
 */
export function judgeArtifact(digest: string, artifact: ArtifactDetail | null, policy: Policy, rules: GateRules, openAlerts: readonly OpenAlert[]): GateReason[] {
  const artifactPath = `/api/v1/artifacts/${digest}`
  const build = artifact?.producedBy ?? null
  const buildPath = build ? [`/api/v1/builds/${build.id}`] : []
  const reasons: GateReason[] = [
    {
      rule: 'provenance-verified',
      ok: build?.status === 'verified',
      expected: 'the newest build listing the artifact has verified provenance',
      actual: build === null ? 'no stored provenance lists the artifact' : `build ${build.id.slice(0, 12)} is ${build.status}${build.failedCheck ? ` (failed ${build.failedCheck})` : ''}`,
      evidence: build ? buildPath : [artifactPath],
    },
  ]
  if (policy.builders.length > 0) {
    reasons.push({
      rule: 'builder-allowed',
      ok: build?.builderId != null && policy.builders.some((glob) => matchesGlob(glob, build.builderId ?? '')),
      expected: `built by one of ${policy.builders.join(', ')} (policy ${policy.name})`,
      actual: build === null ? 'no build' : (build.builderId ?? 'no builder id'),
      evidence: buildPath,
    })
  }
  if (rules.minRebuildersAgree > 0) {
    const matched = artifact?.reproducibility.matched ?? 0
    const total = artifact?.reproducibility.rebuilders ?? 0
    const mismatched = artifact?.reproducibility.mismatched ?? 0
    reasons.push({
      rule: 'rebuilders-agree',
      // A rebuilder that got other bytes is evidence against the artifact, whatever the others found.
      ok: matched >= rules.minRebuildersAgree && mismatched === 0,
      expected: `at least ${rules.minRebuildersAgree} rebuilders reproduce it and none disagrees`,
      actual: `${matched} of ${total} rebuilders agree${mismatched > 0 ? `, ${mismatched} disagree` : ''}`,
      evidence: [`/api/v1/rebuilds?artifactDigest=${digest}`],
    })
  }
  if (rules.blockOnAlertsAtOrAbove !== undefined) {
    const floor = rules.blockOnAlertsAtOrAbove
    reasons.push({
      rule: 'no-blocking-alerts',
      ok: openAlerts.length === 0,
      expected: `no open alert at ${floor} or above on ${build?.project ?? 'the artifact’s project'}`,
      actual: openAlerts.length === 0 ? 'none open' : openAlerts.slice(0, 5).map((alert) => `${alert.severity}: ${alert.title}`).join('; '),
      evidence: openAlerts.map((alert) => `/api/v1/alerts/${alert.id}`),
    })
  }
  return reasons
}
