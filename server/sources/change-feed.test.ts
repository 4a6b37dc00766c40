import { describe, expect, it } from 'vitest'
import { feedMode } from './change-feed'

describe('feedMode', () => {
  const base = { trigger: 'scheduled' as const, cursor: 4, lastFullCheckAt: 1_000_000, now: 1_000_000 + 60_000, fullCheckSeconds: 3600 }

  it('reads only the events for a scheduled sync after a recent full check', () => {
    expect(feedMode(base)).toBe('changes')
  })

  it('checks everything on demand, before the first full check, without a cursor, and when the full check is due', () => {
    expect(feedMode({ ...base, trigger: 'on-demand' })).toBe('full')
    expect(feedMode({ ...base, lastFullCheckAt: null })).toBe('full')
    expect(feedMode({ ...base, cursor: null })).toBe('full')
    expect(feedMode({ ...base, now: base.lastFullCheckAt + 3600 * 1000 })).toBe('full')
    expect(feedMode({ ...base, now: base.lastFullCheckAt + 3600 * 1000 - 1 })).toBe('changes')
  })
})
