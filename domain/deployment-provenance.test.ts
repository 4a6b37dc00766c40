import { describe, expect, it } from 'vitest'
import { bestProvenance, isFlagged, judgeProvenance, repoLabel, serviceOf, type ProvenanceFact } from './deployment-provenance'

const build = (over: Partial<ProvenanceFact>): ProvenanceFact => ({ id: 'a'.repeat(64), status: 'verified', failedCheck: null, sourceRepo: 'https://github.com/acme/api', sourceCommit: '1a2b3c4d5e6f', time: 1000, ...over })

describe('deployment provenance', () => {
  it('finds a verified path back to a source commit, preferring it over newer unverified builds', () => {
    const verified = build({ id: 'b'.repeat(64), time: 1 })
    const rogue = build({ id: 'c'.repeat(64), status: 'untrusted', time: 5 })
    expect(bestProvenance([rogue, verified])?.id).toBe(verified.id)
    expect(judgeProvenance([rogue, verified], [])).toEqual({
      status: 'verified',
      buildId: verified.id,
      sourceRepo: 'https://github.com/acme/api',
      sourceCommit: '1a2b3c4d5e6f',
      verifiedPath: true,
      rebuildDisagrees: false,
      reason: 'provenance verified, built from acme/api@1a2b3c4',
    })
  })

  it('has no verified path without provenance, with unverified provenance, or when the provenance names no commit', () => {
    expect(judgeProvenance([], [])).toMatchObject({ status: 'none', verifiedPath: false, reason: 'no provenance names this digest' })
    expect(judgeProvenance([build({ status: 'untrusted' })], [])).toMatchObject({ verifiedPath: false, reason: 'provenance signed by a key nothing trusted vouches for' })
    expect(judgeProvenance([build({ status: 'failed', failedCheck: 'envelope-signature' })], [])).toMatchObject({ status: 'failed', reason: 'provenance failed verification (envelope-signature)' })
    expect(judgeProvenance([build({ sourceCommit: null })], [])).toMatchObject({ status: 'verified', verifiedPath: false, reason: 'provenance verified, but it names no source commit' })
  })

  it('says a rebuild disagrees by each rebuilder’s latest verdict', () => {
    const one = { rebuilderId: 'r1', verdict: 'mismatch' as const, time: 1 }
    expect(judgeProvenance([build({})], [one])).toMatchObject({ verifiedPath: true, rebuildDisagrees: true, reason: 'provenance verified, built from acme/api@1a2b3c4; a rebuild produced a different digest' })
    // The same rebuilder reproduced it since: no longer a disagreement.
    expect(judgeProvenance([build({})], [one, { rebuilderId: 'r1', verdict: 'match', time: 2 }]).rebuildDisagrees).toBe(false)
  })

  it('flags a deployment when any digest lacks a verified path, and names its service', () => {
    expect(isFlagged([{ verifiedPath: true }, { verifiedPath: false }])).toBe(true)
    expect(isFlagged([{ verifiedPath: true }])).toBe(false)
    expect(serviceOf({ service: 'api', artifacts: [{ digest: 'sha256:aa', name: 'x' }] }, 'acme/api')).toBe('api')
    expect(serviceOf({ artifacts: [{ digest: 'sha256:aa', name: 'api-linux-amd64' }] }, 'acme/api')).toBe('api-linux-amd64')
    expect(serviceOf({ artifacts: [{ digest: 'sha256:aa' }] }, 'acme/api')).toBe('acme/api')
    expect(repoLabel('git+https://github.com/acme/api@refs/heads/main')).toBe('acme/api')
    expect(repoLabel('https://gitlab.com/payments/ledger')).toBe('https://gitlab.com/payments/ledger')
  })
})
