import { describe, expect, it } from 'vitest'
import { preferredDigest, splitDigest } from './digests'

describe('splitDigest', () => {
  it('splits algorithm:hex, lower-cased; a bare value names no algorithm', () => {
    expect(splitDigest('SHA256:ABC')).toEqual({ algorithm: 'sha256', value: 'abc' })
    expect(splitDigest(' abc ')).toEqual({ algorithm: null, value: 'abc' })
  })
})

describe('preferredDigest', () => {
  it('prefers sha256, else the first algorithm by name', () => {
    expect(preferredDigest({ sha512: 'b', sha256: 'a' })).toEqual({ algorithm: 'sha256', value: 'a' })
    expect(preferredDigest({ sha512: 'b', gitCommit: 'c' })).toEqual({ algorithm: 'gitCommit', value: 'c' })
    expect(preferredDigest({})).toBeNull()
  })
})
