import type { AlertSeverity } from '../../src/contract/alerts'
import { alertSeverities } from '../../src/contract/alerts'
import type { ArtifactDetail } from '../../src/contract/artifacts'
import type { GateAttestationRequirement, GateReason, GateRules, TestResultRequirement, VsaRequirement } from '../../src/contract/gate'
import type { Policy } from '../../src/contract/policy'
import type { TestResultFact, VsaFact } from '../documents/attestation-index'
import { matchesGlob } from '../policy/policy'

export type OpenAlert = { id: string; severity: AlertSeverity; title: string }

/** Severities at or above `floor`, most severe first (alertSeverities is ordered so). */
export const severitiesAtOrAbove = (floor: AlertSeverity): AlertSeverity[] => alertSeverities.slice(0, alertSeverities.indexOf(floor) + 1)

/** A deployment of the artifact, as promotion order reads it. */
export type DeploymentFact = { id: string; environment: string; at: string }

export type GateInput = {
  digest: string
  artifact: ArtifactDetail | null
  policy: Policy
  rules: GateRules
  openAlerts: readonly OpenAlert[]
  /** Every recorded deployment of the digest (any order). */
  deployments: readonly DeploymentFact[]
  /** The environment the request promotes to; null when it names none. */
  environment: string | null
  /** The VSAs about the digest, newest ingested first (read only when a rule requires them). */
  vsas?: readonly VsaFact[]
  /** The in-toto test results about the digest, newest ingested first (read only when a rule requires them). */
  testResults?: readonly TestResultFact[]
}

/**
 * One artifact against a policy's gate: every rule judged, each with what it expected, what it found and the API
 * paths of the evidence. An artifact nothing is recorded about fails provenance (there is none), never passes.
 */
export function judgeArtifact({ digest, artifact, policy, rules, openAlerts, deployments, environment, vsas = [], testResults = [] }: GateInput): GateReason[] {
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
  for (const requirement of rules.requiredAttestations) {
    if (typeof requirement === 'string') {
      reasons.push(requirement === 'vsa' ? vsaReason({ kind: 'vsa', verifiedLevels: [] }, digest, vsas) : requirement === 'test-result' ? testResultReason({ kind: 'test-result', allowWarned: false }, digest, testResults) : attestationReason(requirement, digest, artifact))
    } else if (requirement.kind === 'vsa') {
      reasons.push(vsaReason(requirement, digest, vsas))
    } else {
      reasons.push(testResultReason(requirement, digest, testResults))
    }
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
  const before = environment === null ? undefined : rules.promotion[environment]
  if (environment !== null && before !== undefined) reasons.push(promotionReason(digest, environment, before, deployments))
  return reasons
}

const SLSA_PROVENANCE = /^https:\/\/slsa\.dev\/provenance\//

/** A required kind of attestation: present and verified, else what was found instead. */
function attestationReason(kind: Extract<GateAttestationRequirement, 'slsa-provenance' | 'sbom'>, digest: string, artifact: ArtifactDetail | null): GateReason {
  if (kind === 'sbom') {
    const sbom = artifact?.sbom ?? null
    return {
      rule: 'attestations-present',
      ok: sbom?.status === 'verified',
      expected: 'a verified SBOM about the artifact',
      actual: sbom === null ? 'no SBOM names the artifact' : `${sbom.standard === 'cyclonedx' ? 'CycloneDX' : 'SPDX'} ${sbom.specVersion} SBOM, ${sbom.status}`,
      evidence: sbom === null ? [`/api/v1/artifacts/${digest}`] : [`/api/v1/documents/${sbom.documentId}`],
    }
  }
  const provenance = (artifact?.attestations ?? []).filter((attestation) => attestation.predicateType !== null && SLSA_PROVENANCE.test(attestation.predicateType))
  const verified = provenance.find((attestation) => attestation.verification.status === 'verified')
  const shown = verified ?? provenance[0]
  return {
    rule: 'attestations-present',
    ok: verified !== undefined,
    expected: 'a verified SLSA provenance listing the artifact',
    actual:
      shown === undefined
        ? 'no SLSA provenance lists the artifact'
        : `${shown.predicateType?.replace('https://slsa.dev/', '') ?? 'provenance'}, ${shown.verification.status}${provenance.length > 1 ? ` (${provenance.length} found)` : ''}`,
    evidence: shown === undefined ? [`/api/v1/artifacts/${digest}`] : [`/api/v1/documents/${shown.documentId}`],
  }
}

const documentPath = (documentId: string) => `/api/v1/documents/${documentId}`

/** When a VSA says it verified, else when it was stored: VSAs are compared by this, newest first. */
const vsaTime = (vsa: VsaFact) => vsa.timeVerified ?? vsa.ingestedAt

/**
 * A required VSA: among the VSAs that fit the requirement's verifier, policy and levels, the newest whose own
 * document verified decides, and it must say PASSED. A VSA that did not verify (unsigned, untrusted, failed) is no
 * one's word and is only shown.
 */
export function vsaReason(requirement: VsaRequirement, digest: string, vsas: readonly VsaFact[]): GateReason {
  const conditions = [
    requirement.verifierId === undefined ? null : `from ${requirement.verifierId}`,
    requirement.policyUri === undefined ? null : `against policy ${requirement.policyUri}`,
    requirement.verifiedLevels.length === 0 ? null : `verifying ${requirement.verifiedLevels.join(', ')}`,
  ].filter((part) => part !== null)
  const expected = `a verified VSA about the artifact${conditions.length > 0 ? ` ${conditions.join(', ')}` : ''} whose result is PASSED`
  const newestFirst = [...vsas].sort((a, b) => (vsaTime(a) < vsaTime(b) ? 1 : vsaTime(a) > vsaTime(b) ? -1 : 0))
  const fitting = newestFirst.filter(
    (vsa) =>
      (requirement.verifierId === undefined || matchesGlob(requirement.verifierId, vsa.verifierId)) &&
      (requirement.policyUri === undefined || vsa.policyUri === requirement.policyUri) &&
      requirement.verifiedLevels.every((level) => vsa.verifiedLevels.includes(level)),
  )
  const deciding = fitting.find((vsa) => vsa.status === 'verified')
  const describe = (vsa: VsaFact) =>
    `VSA from ${vsa.verifierId}${vsa.policyUri === null ? '' : ` against ${vsa.policyUri}`} at ${vsaTime(vsa)}: ${vsa.verificationResult}${vsa.verifiedLevels.length > 0 ? ` (${vsa.verifiedLevels.join(', ')})` : ''}, document ${vsa.status}`
  if (deciding !== undefined) {
    return { rule: 'attestations-present', ok: deciding.verificationResult === 'PASSED', expected, actual: `${describe(deciding)}${fitting.length > 1 ? ` (newest of ${fitting.length} that fit)` : ''}`, evidence: [documentPath(deciding.documentId)] }
  }
  const shown = fitting[0] ?? newestFirst[0]
  const actual =
    shown === undefined
      ? 'no VSA names the artifact'
      : fitting.length > 0
        ? `no verified VSA fits: ${describe(shown)}${fitting.length > 1 ? ` (${fitting.length} fit, none verified)` : ''}`
        : `${vsas.length} VSA${vsas.length === 1 ? '' : 's'} name the artifact, none fits: newest is ${describe(shown)}`
  return { rule: 'attestations-present', ok: false, expected, actual, evidence: shown === undefined ? [`/api/v1/artifacts/${digest}`] : [documentPath(shown.documentId)] }
}

/** A required test result: the newest whose own document verified decides; PASSED (or WARNED when allowed) passes. */
export function testResultReason(requirement: TestResultRequirement, digest: string, results: readonly TestResultFact[]): GateReason {
  const accepted = requirement.allowWarned ? ['PASSED', 'WARNED'] : ['PASSED']
  const expected = `a verified in-toto test result about the artifact whose result is ${accepted.join(' or ')}`
  const newestFirst = [...results].sort((a, b) => (a.ingestedAt < b.ingestedAt ? 1 : a.ingestedAt > b.ingestedAt ? -1 : 0))
  const describe = (result: TestResultFact) =>
    `test run${result.url === null ? '' : ` ${result.url}`} ${result.result}: ${result.passed} passed, ${result.warned} warned, ${result.failed} failed${result.failedTests.length > 0 ? ` (${result.failedTests.slice(0, 5).join(', ')})` : ''}, document ${result.status}`
  const deciding = newestFirst.find((result) => result.status === 'verified')
  if (deciding !== undefined) {
    return { rule: 'attestations-present', ok: accepted.includes(deciding.result), expected, actual: `${describe(deciding)}${newestFirst.length > 1 ? ` (newest of ${newestFirst.length})` : ''}`, evidence: [documentPath(deciding.documentId)] }
  }
  const shown = newestFirst[0]
  return {
    rule: 'attestations-present',
    ok: false,
    expected,
    actual: shown === undefined ? 'no test result names the artifact' : `none verified: ${describe(shown)}`,
    evidence: shown === undefined ? [`/api/v1/artifacts/${digest}`] : [documentPath(shown.documentId)],
  }
}

/**
 * Promotion order: the artifact ran in every earlier environment before it first reached the target (or before
 * now, when it has not reached it yet). A deployment at the same instant as the first one to the target does not count.
 */
export function promotionReason(digest: string, target: string, before: readonly string[], deployments: readonly DeploymentFact[]): GateReason {
  const firstIn = (name: string) => deployments.filter((deployment) => deployment.environment === name).reduce<DeploymentFact | null>((first, deployment) => (first === null || deployment.at < first.at ? deployment : first), null)
  const firstTarget = firstIn(target)
  const missing: string[] = []
  const found: string[] = []
  const evidence: string[] = []
  for (const name of before) {
    const first = firstIn(name)
    if (first === null || (firstTarget !== null && !(first.at < firstTarget.at))) missing.push(name)
    if (first !== null) {
      found.push(`${name} since ${first.at}`)
      evidence.push(`/api/v1/deployments/${first.id}`)
    }
  }
  if (firstTarget !== null) evidence.push(`/api/v1/deployments/${firstTarget.id}`)
  const actualParts = [found.length > 0 ? `deployed to ${found.join(', ')}` : `never deployed to ${before.join(' or ')}`]
  if (firstTarget !== null) actualParts.push(`first deployed to ${target} at ${firstTarget.at}`)
  if (missing.length > 0 && found.length > 0) actualParts.push(`not in ${missing.join(', ')} before ${target}`)
  return {
    rule: 'promotion-order',
    ok: missing.length === 0,
    expected: `deployed to ${before.join(' and ')} before ${target}`,
    actual: actualParts.join('; '),
    evidence: evidence.length > 0 ? evidence : [`/api/v1/deployments?digest=${digest}`],
  }
}
