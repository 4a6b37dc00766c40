import { describe, expect, it } from 'vitest'
import type { ArtifactAttestation, ArtifactDetail } from '../../../contract/artifacts'
import type { VerificationStatus } from '../../../contract/common'
import type { Rebuild } from '../../../contract/rebuilds'
import { artifactHeadline, artifactVerdicts } from './artifact-verdicts'

const attestation = (status: VerificationStatus, failedCheck: string | null = null): ArtifactAttestation => ({
  documentId: 'a'.repeat(64) as ArtifactAttestation['documentId'],
  format: 'dsse',
  predicateType: 'https://slsa.dev/provenance/v1',
  buildId: null,
  ingestedAt: '2026-01-01T00:00:00Z',
  verification: { status, failedCheck, checks: [], signers: [] },
})

const artifact = (overrides: Partial<ArtifactDetail>): ArtifactDetail => ({
  digest: `sha256:${'b'.repeat(64)}`,
  digests: { sha256: 'b'.repeat(64) },
  names: ['app.tgz'],
  producedBy: null,
  builds: [],
  attestations: [],
  sbom: null,
  rebuilds: [],
  reproducibility: { rebuilders: 0, matched: 0, mismatched: 0, notCounted: 0 },
  deployments: [],
  ...overrides,
})

describe('artifactVerdicts', () => {
  it('does not let verified attestations hide a disagreeing rebuilder', () => {
    const verdicts = artifactVerdicts(artifact({ attestations: [attestation('verified')], reproducibility: { rebuilders: 3, matched: 2, mismatched: 1, notCounted: 0 } }))
    expect(verdicts.map((verdict) => [verdict.topic, verdict.tone, verdict.text])).toEqual([
      ['Attestations', 'good', 'The attestation is verified.'],
      ['Rebuilds', 'bad', '2 of 3 rebuilders agree with the published digest; 1 disagrees.'],
      ['SBOM', 'none', 'No SBOM describing it was ingested.'],
      ['Deployments', 'none', 'No deployment of it is recorded.'],
    ])
    expect(artifactHeadline(verdicts)).toEqual({ tone: 'bad', text: 'Not every verdict about this artifact is good: see rebuilds.' })
  })

  it('flags a deployment without verified provenance and says where it runs now', () => {
    const deployment = (environment: string, current: boolean, flagged: boolean): ArtifactDetail['deployments'][number] => ({ environment, at: '2026-01-01T00:00:00Z', id: `${environment}-${String(flagged)}`, service: 'web', current, flagged })
    expect(artifactVerdicts(artifact({ deployments: [deployment('production', true, true), deployment('staging', false, false)] }))[3]).toEqual({
      topic: 'Deployments',
      tone: 'bad',
      text: '1 deployment has no verified path back to a source commit (deployed without verified provenance). It runs now in production.',
      section: 'deployments',
    })
    expect(artifactVerdicts(artifact({ deployments: [deployment('staging', true, false), deployment('production', true, false)] }))[3]).toMatchObject({
      tone: 'good',
      text: '2 deployments are recorded, each with verified provenance. It runs now in production, staging.',
    })
  })

  it('says what the SBOM is and whether its signature holds', () => {
    const sbom = (status: VerificationStatus, componentCount: number): ArtifactDetail['sbom'] => ({
      documentId: 'e'.repeat(64) as ArtifactAttestation['documentId'],
      format: 'dsse',
      standard: 'cyclonedx',
      specVersion: '1.6',
      serial: null,
      subject: { name: 'web', version: null, purl: null, digest: {} },
      statementSubjects: [],
      componentCount,
      tools: [],
      formulation: null,
      status,
      ingestedAt: '2026-01-01T00:00:00Z',
      createdAt: null,
      viaBuild: null,
    })
    expect(artifactVerdicts(artifact({ sbom: sbom('verified', 1234) }))[2]).toMatchObject({ tone: 'good', text: 'A CycloneDX SBOM of 1,234 components describes it; its signature is verified.' })
    expect(artifactVerdicts(artifact({ sbom: sbom('failed', 1) }))[2]).toMatchObject({ tone: 'bad', text: expect.stringMatching(/^A CycloneDX SBOM of 1 component describes it; its signature /) })
  })

  it('says when a rebuilder’s agreement is only a claim, its verdict not verified with a trusted key', () => {
    const rebuild = (rebuilderId: string, status: VerificationStatus): Rebuild => ({
      id: 'c'.repeat(64),
      documentId: 'd'.repeat(64) as Rebuild['documentId'],
      rebuilderId,
      project: 'acme/web',
      artifact: { name: 'app.tgz', digest: { sha256: 'b'.repeat(64) } },
      rebuiltDigest: { sha256: 'b'.repeat(64) },
      verdict: 'match',
      source: 'rebuild-statement',
      status,
      startedAt: null,
      finishedAt: null,
      time: '2026-01-01T00:00:00Z',
      diffoscope: null,
    })
    const [, rebuilds] = artifactVerdicts(
      artifact({ rebuilds: [rebuild('r1', 'verified'), rebuild('r2', 'untrusted')], reproducibility: { rebuilders: 1, matched: 1, mismatched: 0, notCounted: 1 } }),
    )
    expect(rebuilds).toMatchObject({ tone: 'bad', text: '1 of 1 rebuilder agrees with the published digest. 1 rebuild verdict was not counted: its document did not verify with a trusted key, so it is only a claim.' })
    const [, onlyClaims] = artifactVerdicts(artifact({ rebuilds: [rebuild('r2', 'untrusted'), rebuild('r3', 'failed')], reproducibility: { rebuilders: 0, matched: 0, mismatched: 0, notCounted: 2 } }))
    expect(onlyClaims).toMatchObject({
      tone: 'bad',
      text: 'No rebuild verdict signed by a trusted rebuilder is recorded, so nobody trusted has checked that its source produces it. 2 rebuild verdicts were not counted: their documents did not verify with a trusted key, so they are only claims.',
    })
  })

  it('counts attestations by status and names the failing checks', () => {
    const [verdict] = artifactVerdicts(artifact({ attestations: [attestation('verified'), attestation('failed', 'envelope-signature'), attestation('untrusted')] }))
    expect(verdict).toMatchObject({
      tone: 'bad',
      text: '3 attestations: 1 verified, 1 failed, 1 signed by a key this server does not trust (failing: envelope-signature).',
    })
  })

  it('puts a file this server serves with other bytes than attested first, and makes the headline bad', () => {
    const changed = [{ name: 'dist/assets/index-abc.js', attested: 'sha256:' + 'a'.repeat(64), served: 'sha256:' + 'b'.repeat(64) }]
    const verdicts = artifactVerdicts(artifact({}), changed)
    expect(verdicts[0]).toEqual({
      topic: 'Served copy',
      tone: 'bad',
      text: 'This server serves dist/assets/index-abc.js (SHA-256 bbbbbbbbbbbb…) with other bytes than its provenance attests for this artifact: the file changed after the build.',
      section: 'served-copy',
    })
    expect(artifactHeadline(verdicts).text).toMatch(/^Not every verdict about this artifact is good: see the copy this server serves/)
    expect(artifactVerdicts(artifact({})).map((verdict) => verdict.topic)).not.toContain('Served copy')
  })

  it('is good only when every verdict made is good, and says which were never made', () => {
    const good = artifactVerdicts(artifact({ attestations: [attestation('verified'), attestation('verified')], reproducibility: { rebuilders: 2, matched: 2, mismatched: 0, notCounted: 0 } }))
    expect(good[0]?.text).toBe('All 2 attestations are verified.')
    expect(artifactHeadline(good)).toEqual({ tone: 'good', text: 'No verdict about this artifact is bad, but some were never made: the SBOM.' })
    expect(artifactHeadline(artifactVerdicts(artifact({})))).toEqual({ tone: 'none', text: 'Nothing about this artifact has been checked.' })
  })
})
