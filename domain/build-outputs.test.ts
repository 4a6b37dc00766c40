import { describe, expect, it } from 'vitest'
import { compareOutputs, describeComparison, manifestText, outputsMatch } from './build-outputs'

const hex = (char: string) => char.repeat(64)

describe('compareOutputs', () => {
  it('sorts every file into matched, changed, missing, unlisted or undigested', () => {
    const comparison = compareOutputs(
      [
        { name: 'dist/b.js', digest: { sha256: hex('b') } },
        { name: 'dist/a.js', digest: { sha256: hex('A') } },
        { name: 'dist/gone.js', digest: { sha256: hex('c') } },
        { name: 'dist/sha512-only.js', digest: { sha512: hex('d') } },
      ],
      [
        { name: 'dist/a.js', sha256: hex('a') },
        { name: 'dist/b.js', sha256: hex('e') },
        { name: 'dist/new.js', sha256: hex('f') },
        { name: 'dist/sha512-only.js', sha256: hex('d') },
      ],
    )
    expect(comparison).toEqual({
      matched: ['dist/a.js'],
      changed: [{ name: 'dist/b.js', expected: hex('b'), actual: hex('e') }],
      missing: ['dist/gone.js'],
      unlisted: ['dist/new.js'],
      undigested: ['dist/sha512-only.js'],
    })
    expect(outputsMatch(comparison)).toBe(false)
    expect(describeComparison(comparison)).toEqual([
      `dist/b.js: SHA-256 ${hex('e')} on disk, ${hex('b')} attested`,
      'dist/gone.js: attested, but not on disk',
      'dist/new.js: on disk, but not attested',
      'dist/sha512-only.js: attested without a SHA-256, so it cannot be compared',
    ])
  })

  it('says how many more differences there are beyond a limit', () => {
    const comparison = compareOutputs([], [{ name: 'dist/a', sha256: hex('1') }, { name: 'dist/b', sha256: hex('2') }, { name: 'dist/c', sha256: hex('3') }])
    expect(describeComparison(comparison, 2)).toEqual(['dist/a: on disk, but not attested', 'dist/b: on disk, but not attested', '… and 1 more'])
  })

  it('matches when every file is attested with its bytes', () => {
    const comparison = compareOutputs([{ name: 'dist/a.js', digest: { sha256: hex('a') } }], [{ name: 'dist/a.js', sha256: hex('a') }])
    expect(outputsMatch(comparison)).toBe(true)
    expect(describeComparison(comparison)).toEqual([])
  })
})

describe('manifestText', () => {
  it('is sha256sum lines in code-unit order, whatever order the files came in', () => {
    expect(manifestText([{ name: 'dist/b', sha256: hex('2') }, { name: 'dist/B', sha256: hex('1') }, { name: 'dist/a', sha256: hex('3') }])).toBe(
      `${hex('1')}  dist/B\n${hex('3')}  dist/a\n${hex('2')}  dist/b\n`,
    )
  })
})
