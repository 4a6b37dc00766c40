import { describe, expect, it } from 'vitest'
import { decideGroup, decodeExpand, encodeExpand, expansionsOf, fetchLimit, GROUP_MAX_SHOWN, GROUP_SHOW, GROUP_THRESHOLD, groupId, groupLabel, groupState } from './lineage-grouping'

describe('lineage grouping', () => {
  it('lists up to the threshold one by one and groups beyond it, showing a few, then a page more per expansion', () => {
    expect(decideGroup(GROUP_THRESHOLD, undefined)).toEqual({ grouped: false, shown: GROUP_THRESHOLD })
    expect(decideGroup(GROUP_THRESHOLD + 1, undefined)).toEqual({ grouped: true, shown: GROUP_SHOW, nextShown: GROUP_THRESHOLD + 1 })
    expect(decideGroup(100, undefined)).toEqual({ grouped: true, shown: GROUP_SHOW, nextShown: GROUP_SHOW + 25 })
    expect(decideGroup(412, 28)).toEqual({ grouped: true, shown: 28, nextShown: 53 })
    expect(decideGroup(40, 28)).toEqual({ grouped: true, shown: 28, nextShown: 40 })
    expect(decideGroup(40, 40)).toEqual({ grouped: true, shown: 40, nextShown: null })
    expect(decideGroup(100_000, GROUP_MAX_SHOWN)).toEqual({ grouped: true, shown: GROUP_MAX_SHOWN, nextShown: null })
    // Enough is fetched to tell a group from a list, or everything an expansion shows.
    expect(fetchLimit(undefined)).toBe(GROUP_THRESHOLD + 1)
    expect(fetchLimit(53)).toBe(53)
  })

  it('round-trips expand cursors and refuses ones it did not make', () => {
    const group = groupId('artifact:sha256:ab', 'deployed-to', 'deployment')
    expect(group).toBe('group:artifact:sha256:ab|deployed-to|deployment')
    const cursor = encodeExpand({ group, shown: 28 })
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(decodeExpand(cursor)).toEqual({ group, shown: 28 })
    for (const bad of ['', 'not a cursor', 'bm90LWEtY3Vyc29y', encodeExpand({ group, shown: 0 }), encodeExpand({ group, shown: GROUP_MAX_SHOWN + 1 }), encodeExpand({ group: 'x', shown: 3 })]) {
      expect(decodeExpand(bad), bad).toBeNull()
    }
    expect(expansionsOf([{ group, shown: 28 }, { group, shown: 53 }, { group: 'group:b', shown: 28 }])).toEqual(new Map([[group, 53], ['group:b', 28]]))
  })

  it('labels a group with its count and the share verified, rounded down, and joins it by its worst state', () => {
    expect(groupLabel(412, 'build', 'of acme/api@1a2b3c4', { verified: 404, failed: 0, unverified: 8 })).toBe('412 builds of acme/api@1a2b3c4, 98% verified')
    expect(groupLabel(1000, 'build', 'of x', { verified: 999, failed: 1, unverified: 0 })).toBe('1000 builds of x, 99% verified, 1 failed')
    expect(groupLabel(60, 'deployment', 'to staging', { verified: 0, failed: 0, unverified: 60 }, 'deployed-to')).toBe('60 deployments to staging, 0% signed')
    expect(groupState({ verified: 10, failed: 1, unverified: 2 })).toEqual({ state: 'failed', reason: '10 of 13 verified, 1 failed, 2 unverified' })
    expect(groupState({ verified: 10, failed: 0, unverified: 2 }).state).toBe('unverified')
    expect(groupState({ verified: 10, failed: 0, unverified: 0 }).state).toBe('verified')
  })
})
