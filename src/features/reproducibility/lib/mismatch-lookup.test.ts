import { describe, expect, it } from 'vitest'
import type { RebuilderMatrix } from '../../../contract/reproducibility'
import { findMismatch } from './mismatch-lookup'

const matrix: RebuilderMatrix = {
  project: 'p',
  rebuilders: ['r1', 'r2'],
  artifacts: [
    { name: 'a', digest: 'sha256:aa', agree: 1, total: 2, cells: [{ verdict: 'match', rebuildId: '1', time: '2026-01-02T00:00:00.000Z', status: 'verified' }, { verdict: 'mismatch', rebuildId: '2', time: '2026-01-02T05:00:00.000Z', status: 'verified' }] },
    { name: 'b', digest: 'sha256:bb', agree: 0, total: 1, cells: [null, { verdict: 'mismatch', rebuildId: '3', time: '2026-01-03T05:00:00.000Z', status: 'verified' }] },
  ],
}

describe('findMismatch', () => {
  it('finds the newest mismatching cell in the period', () => {
    expect(findMismatch(matrix, null, Date.parse('2026-01-01'), Date.parse('2026-01-05'))).toEqual({ digest: 'sha256:bb', rebuildId: '3', time: '2026-01-03T05:00:00.000Z' })
    expect(findMismatch(matrix, null, Date.parse('2026-01-02'), Date.parse('2026-01-03'))?.rebuildId).toBe('2')
  })
  it('knows nothing outside the matrix', () => {
    expect(findMismatch(matrix, null, Date.parse('2025-01-01'), Date.parse('2025-01-05'))).toBeNull()
  })
})
