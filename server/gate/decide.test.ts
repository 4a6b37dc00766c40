import { describe, expect, it } from 'vitest'
import { ArtifactDetail } from '../../src/contract/artifacts'
import { GateRules } from '../../src/contract/gate'
import { Policy } from '../../src/contract/policy'
import type { TestResultFact, VsaFact } from '../documents/attestation-index'
import { judgeArtifact, promotionReason, severitiesAtOrAbove, testResultReason, vsaReason, type GateInput } from './decide'

/* The gate's rules on their own: what blocks, and what each reason says and links to. */

const policy = Policy.parse({ name: 'release', repositories: ['**'], builders: ['https://ci.example/*'] })
const digest = `sha256:${'d'.repeat(64)}`
const docId = (char: string) => char.repeat(64)
const verification = (status: 'verified' | 'failed' | 'untrusted') => ({ status, failedCheck: status === 'failed' ? 'envelope-signature' : null, checks: [], signers: [] })

const at = '2026-11-01T00:00:00.000Z'

/** An artifact with SLSA provenance from the allowed builder (verified unless said), an SBOM as asked, three rebuilders agreeing. */
function artifact(overrides: { sbomStatus?: 'verified' | 'untrusted' | null; provenance?: 'verified' | 'failed' } = {}): ArtifactDetail {
  const status = overrides.provenance ?? 'verified'
  const build = {
    id: 'b'.repeat(64),
    project: 'acme/api',
    sourceRepo: 'https://github.com/acme/api',
    sourceCommit: null,
    builderId: 'https://ci.example/runner',
    buildType: null,
    subjects: [],
    status,
    failedCheck: status === 'failed' ? 'envelope-signature' : null,
    startedAt: null,
    finishedAt: null,
    ingestedAt: at,
    time: at,
  }
  const sbom =
    overrides.sbomStatus === null || overrides.sbomStatus === undefined
      ? null
      : {
          documentId: docId('2'),
          format: 'cyclonedx-json',
          standard: 'cyclonedx',
          specVersion: '1.6',
          serial: null,
          subject: { name: 'api', version: null, purl: null, digest: { sha256: 'd'.repeat(64) } },
          statementSubjects: [],
          componentCount: 3,
          tools: [],
          formulation: null,
          status: overrides.sbomStatus,
          ingestedAt: at,
          createdAt: null,
          viaBuild: null,
        }
  return ArtifactDetail.parse({
    digest,
    digests: { sha256: 'd'.repeat(64) },
    names: ['api'],
    producedBy: build,
    builds: [build],
    attestations: [{ documentId: docId('1'), format: 'dsse', predicateType: 'https://slsa.dev/provenance/v1', buildId: build.id, ingestedAt: at, verification: verification(status) }],
    sbom,
    rebuilds: [],
    reproducibility: { rebuilders: 3, matched: 3, mismatched: 0, notCounted: 0 },
    deployments: [],
  })
}

const input = (over: Partial<GateInput>): GateInput => ({
  digest,
  artifact: artifact({ sbomStatus: 'verified' }),
  policy,
  rules: GateRules.parse({}),
  openAlerts: [],
  deployments: [],
  environment: null,
  ...over,
})

describe('judgeArtifact', () => {
  it('takes the severities at or above the floor, most severe first', () => {
    expect(severitiesAtOrAbove('critical')).toEqual(['critical'])
    expect(severitiesAtOrAbove('medium')).toEqual(['critical', 'high', 'medium'])
  })

  it('denies on an open alert, linking to it, and on a builder the policy does not allow', () => {
    const reasons = judgeArtifact(
      input({
        artifact: null,
        rules: GateRules.parse({ blockOnAlertsAtOrAbove: 'high' }),
        openAlerts: [{ id: 'a'.repeat(24), severity: 'critical', title: 'new host contacted' }],
      }),
    )
    expect(reasons.map((reason) => [reason.rule, reason.ok, reason.actual, reason.evidence])).toEqual([
      ['provenance-verified', false, 'no stored provenance lists the artifact', [`/api/v1/artifacts/${digest}`]],
      ['builder-allowed', false, 'no build', []],
      ['no-blocking-alerts', false, 'critical: new host contacted', [`/api/v1/alerts/${'a'.repeat(24)}`]],
    ])
  })

  it('requires each named attestation verified, saying what it found instead', () => {
    const rules = GateRules.parse({ requiredAttestations: ['slsa-provenance', 'sbom'] })
    const judged = (subject: ArtifactDetail) =>
      judgeArtifact(input({ artifact: subject, rules }))
        .filter((reason) => reason.rule === 'attestations-present')
        .map((reason) => [reason.ok, reason.actual, reason.evidence])
    expect(judged(artifact({ sbomStatus: 'verified' }))).toEqual([
      [true, 'provenance/v1, verified', [`/api/v1/documents/${docId('1')}`]],
      [true, 'CycloneDX 1.6 SBOM, verified', [`/api/v1/documents/${docId('2')}`]],
    ])
    expect(judged(artifact({ sbomStatus: null }))[1]).toEqual([false, 'no SBOM names the artifact', [`/api/v1/artifacts/${digest}`]])
    expect(judged(artifact({ sbomStatus: 'untrusted' }))[1]).toEqual([false, 'CycloneDX 1.6 SBOM, untrusted', [`/api/v1/documents/${docId('2')}`]])
    expect(judged(artifact({ provenance: 'failed', sbomStatus: 'verified' }))[0]).toEqual([false, 'provenance/v1, failed', [`/api/v1/documents/${docId('1')}`]])
  })

  it('judges promotion order only for an environment the policy orders', () => {
    const rules = GateRules.parse({ promotion: { production: ['staging'] } })
    expect(judgeArtifact(input({ rules, environment: 'staging' })).map((reason) => reason.rule)).not.toContain('promotion-order')
    expect(judgeArtifact(input({ rules })).map((reason) => reason.rule)).not.toContain('promotion-order')
    const promotion = judgeArtifact(input({ rules, environment: 'production' })).find((reason) => reason.rule === 'promotion-order')
    expect(promotion).toMatchObject({ ok: false, actual: 'never deployed to staging', evidence: [`/api/v1/deployments?digest=${digest}`] })
  })
})

describe('promotionReason', () => {
  const staging = { id: 's'.repeat(64), environment: 'staging', at: '2026-11-02T10:00:00.000Z' }
  const production = { id: 'p'.repeat(64), environment: 'production', at: '2026-11-03T10:00:00.000Z' }

  it('passes when the artifact ran in every earlier environment first', () => {
    expect(promotionReason(digest, 'production', ['staging'], [staging])).toMatchObject({
      ok: true,
      expected: 'deployed to staging before production',
      actual: 'deployed to staging since 2026-11-02T10:00:00.000Z',
      evidence: [`/api/v1/deployments/${staging.id}`],
    })
    expect(promotionReason(digest, 'production', ['staging'], [production, staging]).ok).toBe(true)
  })

  it('fails when production came first, or an earlier environment is missing', () => {
    const late = { ...staging, at: '2026-11-04T10:00:00.000Z' }
    expect(promotionReason(digest, 'production', ['staging'], [production, late])).toMatchObject({
      ok: false,
      actual: 'deployed to staging since 2026-11-04T10:00:00.000Z; first deployed to production at 2026-11-03T10:00:00.000Z; not in staging before production',
    })
    expect(promotionReason(digest, 'production', ['staging', 'qa'], [staging])).toMatchObject({ ok: false, expected: 'deployed to staging and qa before production' })
  })
})

describe('GateRules', () => {
  it('names the field of a bad rule', () => {
    const issue = (rules: unknown) => GateRules.safeParse(rules).error?.issues[0]
    expect(issue({ requiredAttestations: ['sbom', 'tests'] })).toMatchObject({ path: ['requiredAttestations', 1], message: expect.stringMatching(/^expected one of slsa-provenance, sbom, vsa, test-result/) as unknown })
    expect(issue({ requiredAttestations: ['sbom', 'sbom'] })).toMatchObject({ path: ['requiredAttestations'], message: 'each requirement once' })
    expect(issue({ requiredAttestations: [{ kind: 'test-result', allowWarned: 'yes' }] })).toMatchObject({ path: ['requiredAttestations', 0], message: expect.stringMatching(/^allowWarned: /) as unknown })
    expect(issue({ requiredAttestations: [{ kind: 'vsa', verifierId: 'x', policy: 'y' }] })).toMatchObject({ path: ['requiredAttestations', 0], message: 'Unrecognized key: "policy"' })
    expect(issue({ requiredAttestations: [{ kind: 'sbom' }] })?.message).toMatch(/^expected one of/)
    expect(issue({ promotion: { production: [] } })?.path).toEqual(['promotion', 'production'])
    expect(issue({ promotion: { production: ['production'] } })).toMatchObject({ path: ['promotion', 'production'], message: 'production cannot come before itself' })
    expect(issue({ promotion: { 'prod env': ['staging'] } })?.path).toEqual(['promotion', 'prod env'])
  })
})

describe('VSA and test-result requirements', () => {
  const vsa = (overrides: Partial<VsaFact>): VsaFact => ({
    documentId: docId('5'),
    digest,
    vsaVersion: 'v1',
    verifierId: 'https://verifier.example/slsa',
    verificationResult: 'PASSED',
    verifiedLevels: ['SLSA_BUILD_LEVEL_2'],
    policyUri: 'https://policy.example/release',
    resourceUri: null,
    timeVerified: '2026-11-02T00:00:00.000Z',
    status: 'verified',
    failedCheck: null,
    ingestedAt: at,
    ...overrides,
  })
  const run = (overrides: Partial<TestResultFact>): TestResultFact => ({
    documentId: docId('6'),
    digest,
    result: 'PASSED',
    url: null,
    passed: 4,
    warned: 0,
    failed: 0,
    failedTests: [],
    status: 'verified',
    failedCheck: null,
    ingestedAt: at,
    ...overrides,
  })

  it('counts only a VSA that lists every required level and names the required policy', () => {
    const rules = GateRules.parse({ requiredAttestations: [{ kind: 'vsa', policyUri: 'https://policy.example/release', verifiedLevels: ['SLSA_BUILD_LEVEL_3'] }] })
    const requirement = rules.requiredAttestations[0]
    if (requirement === undefined || typeof requirement === 'string' || requirement.kind !== 'vsa') throw new Error('expected a VSA requirement')
    const level2 = vsa({})
    expect(vsaReason(requirement, digest, [level2])).toMatchObject({
      ok: false,
      expected: 'a verified VSA about the artifact against policy https://policy.example/release, verifying SLSA_BUILD_LEVEL_3 whose result is PASSED',
      actual: expect.stringMatching(/^1 VSA name the artifact, none fits: newest is VSA from https:\/\/verifier\.example\/slsa/) as unknown,
      evidence: [`/api/v1/documents/${docId('5')}`],
    })
    const level3 = vsa({ documentId: docId('7'), verifiedLevels: ['SLSA_BUILD_LEVEL_3'] })
    expect(vsaReason(requirement, digest, [level2, level3])).toMatchObject({ ok: true, evidence: [`/api/v1/documents/${docId('7')}`] })
    expect(vsaReason(requirement, digest, [vsa({ verifiedLevels: ['SLSA_BUILD_LEVEL_3'], policyUri: 'https://policy.example/other' })]).ok).toBe(false)
  })

  it('judges the newest verified test result, WARNED passing only when the policy allows it', () => {
    const warned = run({ result: 'WARNED', warned: 1, ingestedAt: '2026-11-03T00:00:00.000Z' })
    const older = run({ documentId: docId('8') })
    expect(testResultReason({ kind: 'test-result', allowWarned: false }, digest, [older, warned])).toMatchObject({ ok: false, evidence: [`/api/v1/documents/${docId('6')}`] })
    expect(testResultReason({ kind: 'test-result', allowWarned: true }, digest, [older, warned])).toMatchObject({ ok: true, expected: 'a verified in-toto test result about the artifact whose result is PASSED or WARNED' })
    // An untrusted newer run is no one's word: the verified older one decides.
    expect(testResultReason({ kind: 'test-result', allowWarned: false }, digest, [older, run({ documentId: docId('9'), result: 'FAILED', status: 'untrusted', ingestedAt: '2026-11-04T00:00:00.000Z' })])).toMatchObject({ ok: true, evidence: [`/api/v1/documents/${docId('8')}`] })
  })

  it('reads `vsa` and `test-result` by name from the rules into judgeArtifact, with the facts it was given', () => {
    const rules = GateRules.parse({ requiredAttestations: ['vsa', 'test-result'] })
    const input: GateInput = { digest, artifact: artifact(), policy, rules, openAlerts: [], deployments: [], environment: null, vsas: [vsa({})], testResults: [] }
    expect(judgeArtifact(input).filter((reason) => reason.rule === 'attestations-present').map((reason) => [reason.ok, reason.actual])).toEqual([
      [true, 'VSA from https://verifier.example/slsa against https://policy.example/release at 2026-11-02T00:00:00.000Z: PASSED (SLSA_BUILD_LEVEL_2), document verified'],
      [false, 'no test result names the artifact'],
    ])
  })
})
