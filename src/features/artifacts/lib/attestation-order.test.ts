import { describe, expect, it } from 'vitest'
import type { ArtifactAttestation } from '../../../contract/artifacts'
import { orderAttestations, targetAttestation } from './attestation-order'

function attestation(id: string, status: ArtifactAttestation['verification']['status'], ingestedAt: string, checks: [string, boolean][] = []): ArtifactAttestation {
  return {
    documentId: id as ArtifactAttestation['documentId'],
    format: 'dsse',
    predicateType: null,
    buildId: null,
    ingestedAt,
    verification: { status, failedCheck: null, checks: checks.map(([name, ok]) => ({ name, ok })), signers: [] },
  }
}

describe('orderAttestations', () => {
  it('puts failures first, then the newest', () => {
    const list = [attestation('a', 'verified', '2026-01-01T00:00:00Z'), attestation('b', 'failed', '2025-01-01T00:00:00Z'), attestation('c', 'verified', '2026-02-01T00:00:00Z')]
    expect(orderAttestations(list).map((item) => item.documentId)).toEqual(['b', 'c', 'a'])
  })
})

describe('targetAttestation', () => {
  const list = [attestation('a', 'verified', '2026-01-01T00:00:00Z', [['x', true]]), attestation('b', 'failed', '2026-01-01T00:00:00Z', [['x', false]])]
  it('prefers the named document, then the one where the check failed', () => {
    expect(targetAttestation(list, 'a', 'x')).toBe('a')
    expect(targetAttestation(list, null, 'x')).toBe('b')
    expect(targetAttestation(list, 'nope', 'y')).toBeNull()
    expect(targetAttestation(list, null, null)).toBeNull()
  })
})
