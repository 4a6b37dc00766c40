import { describe, expect, it } from 'vitest'
import { nameSummary, searchReadings } from './search-query'

describe('searchReadings', () => {
  const hex = (n: number) => 'ab'.repeat(n).slice(0, n)
  it('tries a 64-character hex value as a build id, then as a digest', () => {
    expect(searchReadings(hex(64))).toEqual(['build-id', 'digest'])
  })
  it('tries 40 hex characters as a commit, then as a build id prefix, then as a digest prefix', () => {
    expect(searchReadings(hex(40).toUpperCase())).toEqual(['commit', 'build-id-prefix', 'digest'])
  })
  it('reads a short commit as the tables show it (7 hex characters) as a commit or build id prefix, then text', () => {
    expect(searchReadings(hex(7))).toEqual(['commit-prefix', 'build-id-prefix', 'text'])
    expect(searchReadings(` ${hex(11).toUpperCase()} `)).toEqual(['commit-prefix', 'build-id-prefix', 'text'])
  })
  it('reads 12 to 39 hex characters as a short commit, a build id prefix, then a digest prefix', () => {
    expect(searchReadings(hex(12))).toEqual(['commit-prefix', 'build-id-prefix', 'digest'])
    expect(searchReadings(hex(41))).toEqual(['build-id-prefix', 'digest'])
  })
  it('reads algorithm:hex of 12 or more hex characters as a digest only', () => {
    expect(searchReadings(`sha256:${hex(12)}`)).toEqual(['digest'])
  })
  it('reads everything else as text', () => {
    expect(searchReadings(hex(6))).toEqual(['text'])
    expect(searchReadings(`sha256:${hex(11)}`)).toEqual(['text'])
    expect(searchReadings('api-linux')).toEqual(['text'])
    expect(searchReadings('pkg:npm/left-pad@1.3.0')).toEqual(['text'])
  })
})

describe('nameSummary', () => {
  it('counts the artifacts and builds sharing a name, saying when a count was capped', () => {
    expect(nameSummary('api', 3, false, 5, false)).toBe('3 artifacts named api from 5 builds')
    expect(nameSummary('api', 1, false, 1, false)).toBe('1 artifact named api from 1 build')
    expect(nameSummary('api', 200, true, 1000, true)).toBe('200+ artifacts named api from 1,000+ builds')
    expect(nameSummary('api', null, false, 100, true)).toBe('artifacts named api from 100+ builds')
  })
})
