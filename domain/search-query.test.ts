import { describe, expect, it } from 'vitest'
import { searchReadings } from './search-query'

describe('searchReadings', () => {
  const hex = (n: number) => 'ab'.repeat(n).slice(0, n)
  it('tries a 64-character hex value as a build id, then as a digest', () => {
    expect(searchReadings(hex(64))).toEqual(['build-id', 'digest'])
  })
  it('tries 40 hex characters as a commit, then as a digest prefix', () => {
    expect(searchReadings(hex(40).toUpperCase())).toEqual(['commit', 'digest'])
  })
  it('reads 12 or more hex characters, or algorithm:hex, as a digest', () => {
    expect(searchReadings(hex(12))).toEqual(['digest'])
    expect(searchReadings(`sha256:${hex(12)}`)).toEqual(['digest'])
  })
  it('reads everything else as text', () => {
    expect(searchReadings(hex(11))).toEqual(['text'])
    expect(searchReadings(`sha256:${hex(11)}`)).toEqual(['text'])
    expect(searchReadings('api-linux')).toEqual(['text'])
  })
})
