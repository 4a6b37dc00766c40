import { describe, expect, it } from 'vitest'
import {
  digestEntries,
  formatAbsolute,
  formatBytes,
  formatDay,
  formatDuration,
  formatCount,
  formatRelative,
  compareText,
  relativeUnits,
  shortCommit,
  shortHex,
  stripScheme,
} from './format'

describe('shortHex', () => {
  it('shortens long digests with an ellipsis and leaves short ones', () => {
    expect(shortHex('0123456789abcdef0123')).toBe('0123456789ab…')
    expect(shortHex('abc')).toBe('abc')
  })
})

describe('shortCommit', () => {
  it('takes 7 characters of a SHA-1 or SHA-256 commit id', () => {
    expect(shortCommit('a'.repeat(40))).toBe('aaaaaaa')
    expect(shortCommit('b'.repeat(64))).toBe('bbbbbbb')
  })
  it('leaves anything that is not a full commit id unchanged', () => {
    expect(shortCommit('refs/heads/main')).toBe('refs/heads/main')
    expect(shortCommit('abc1234')).toBe('abc1234')
  })
})

describe('digestEntries', () => {
  it('puts sha256 first, then the others by name', () => {
    expect(digestEntries({ sha512: 'c', gitCommit: 'b', sha256: 'a' })).toEqual([
      ['sha256', 'a'],
      ['gitCommit', 'b'],
      ['sha512', 'c'],
    ])
  })
})

describe('stripScheme', () => {
  it('drops http and https prefixes only', () => {
    expect(stripScheme('https://github.com/acme')).toBe('github.com/acme')
    expect(stripScheme('tekton.dev/v1beta1/TaskRun')).toBe('tekton.dev/v1beta1/TaskRun')
  })
})

describe('formatAbsolute', () => {
  it('writes UTC with seconds', () => {
    expect(formatAbsolute('2026-11-27T09:05:03.000Z')).toBe('2026-11-27 09:05:03 UTC')
    expect(formatAbsolute('2026-11-27T10:05:03+01:00')).toBe('2026-11-27 09:05:03 UTC')
  })
  it('returns text it cannot read unchanged', () => {
    expect(formatAbsolute('yesterday')).toBe('yesterday')
  })
})

describe('formatRelative', () => {
  const now = Date.parse('2026-11-27T12:00:00Z')
  it.each([
    ['2026-11-27T11:59:30Z', 'just now'],
    ['2026-11-27T11:55:00Z', '5 minutes ago'],
    ['2026-11-27T09:00:00Z', '3 hours ago'],
    ['2026-11-26T12:00:00Z', 'yesterday'],
    ['2026-11-20T12:00:00Z', 'last week'],
    ['2026-09-27T12:00:00Z', '2 months ago'],
    ['2026-11-29T12:00:00Z', 'in 2 days'],
  ])('%s is %s', (iso, expected) => {
    expect(formatRelative(iso, now)).toBe(expected)
  })

  it('says what Intl.RelativeTimeFormat says, in every unit, for every whole count from 3,000 back to 3,000 ahead', () => {
    const intl = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })
    relativeUnits.forEach(([unit, size], index) => {
      // Counts this unit is chosen for: below one of the next larger unit (every count for years).
      const larger = relativeUnits[index - 1]?.[1]
      for (let count = 1; count <= 3000 && (larger === undefined || count * size < larger); count++) {
        for (const value of [-count, count]) expect(formatRelative(new Date(now + value * size).toISOString(), now), `${value} ${unit}`).toBe(intl.format(value, unit))
      }
    })
  })
})

describe('formatDay', () => {
  it('says what Intl.DateTimeFormat says for every UTC day from 1900 to 2199, at midnight and just before the next', () => {
    const forms = {
      day: new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', timeZone: 'UTC' }),
      month: new Intl.DateTimeFormat('en', { month: 'short', year: 'numeric', timeZone: 'UTC' }),
      date: new Intl.DateTimeFormat('en', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }),
    } as const
    const differ: string[] = []
    let days = 0
    for (let day = Date.UTC(1900, 0, 1); day < Date.UTC(2200, 0, 1); day += 86_400_000) {
      for (const ms of [day, day + 86_399_999]) {
        for (const [parts, intl] of Object.entries(forms) as [keyof typeof forms, Intl.DateTimeFormat][]) {
          if (formatDay(ms, parts) !== intl.format(ms)) differ.push(`${new Date(ms).toISOString()} ${parts}: ${formatDay(ms, parts)} != ${intl.format(ms)}`)
        }
      }
      days++
    }
    expect(differ.slice(0, 5)).toEqual([])
    expect(days).toBe(109_573)
  })

  it.each([
    [Date.UTC(2026, 2, 3), 'day', 'Mar 3'],
    [Date.UTC(2026, 11, 31, 23, 59), 'month', 'Dec 2026'],
    [Date.UTC(2027, 0, 1), 'date', 'Jan 1, 2027'],
  ] as const)('%d as %s is %s', (ms, parts, expected) => {
    expect(formatDay(ms, parts)).toBe(expected)
  })
})

describe('formatDuration', () => {
  it.each([
    [850, '850 ms'],
    [45_000, '45 s'],
    [60_000, '1 min'],
    [252_000, '4 min 12 s'],
    [3_780_000, '1 h 3 min'],
    [-1, '—'],
  ])('%d ms is %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected)
  })
})

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1234, '1.2 kB'],
    [56_789, '57 kB'],
    [3_400_000, '3.4 MB'],
  ])('%d bytes is %s', (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected)
  })
})

describe('formatCount', () => {
  it('writes a whole count as toLocaleString("en") does, thousands apart', () => {
    for (const count of [0, 7, 999, 1000, 1234, 99_999, 100_000, 1_234_567, 2 ** 53 - 1, -1, -1000, -123_456_789]) expect(formatCount(count)).toBe(count.toLocaleString('en'))
    for (let count = 0; count < 20_000; count += 7) expect(formatCount(count)).toBe(count.toLocaleString('en'))
  })
})

describe('compareText', () => {
  it('orders text by code unit, the same in every browser and locale', () => {
    expect(['b', 'a', 'B', 'a-b', 'a.b', ''].sort(compareText)).toEqual(['', 'B', 'a', 'a-b', 'a.b', 'b'])
    expect(compareText('x', 'x')).toBe(0)
  })
})
