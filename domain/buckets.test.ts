import { describe, expect, it } from 'vitest'
import { bucketRange, bucketStart, DAY, MAX_BUCKETS, WEEK } from './buckets'

const at = (text: string) => Date.parse(text)

describe('bucketStart', () => {
  it('starts days at UTC midnight and weeks on Monday', () => {
    expect(bucketStart(at('2026-11-27T16:01:00Z'), 'day')).toBe(at('2026-11-27T00:00:00Z'))
    // 2026-11-27 is a Friday; its week began on Monday the 23rd.
    expect(bucketStart(at('2026-11-27T16:01:00Z'), 'week')).toBe(at('2026-11-23T00:00:00Z'))
    expect(bucketStart(at('2026-11-23T00:00:00Z'), 'week')).toBe(at('2026-11-23T00:00:00Z'))
    expect(bucketStart(at('2026-11-22T23:59:59.999Z'), 'week')).toBe(at('2026-11-16T00:00:00Z'))
    expect(bucketStart(at('1970-01-01T12:00:00Z'), 'week')).toBe(at('1969-12-29T00:00:00Z'))
  })
})

describe('bucketRange', () => {
  const now = at('2026-11-27T16:00:00Z')

  it('defaults to the 120 days before now, in days, the last bucket holding now', () => {
    expect(bucketRange({ bucket: 'auto' }, now)).toEqual({ size: 'day', start: at('2026-07-30T00:00:00Z'), end: at('2026-11-28T00:00:00Z'), count: 121 })
  })

  it('covers whole buckets, `to` exclusive', () => {
    expect(bucketRange({ bucket: 'day', from: at('2026-11-01T00:00:00Z'), to: at('2026-11-08T00:00:00Z') }, now)).toMatchObject({ count: 7, end: at('2026-11-08T00:00:00Z') })
    expect(bucketRange({ bucket: 'week', from: at('2026-11-04T00:00:00Z'), to: at('2026-11-10T00:00:00Z') }, now)).toEqual({
      size: 'week',
      start: at('2026-11-02T00:00:00Z'),
      end: at('2026-11-16T00:00:00Z'),
      count: 2,
    })
  })

  it('picks weeks beyond 120 days', () => {
    expect(bucketRange({ bucket: 'auto', from: now - 120 * DAY, to: now }, now)).toMatchObject({ size: 'day' })
    expect(bucketRange({ bucket: 'auto', from: now - 121 * DAY, to: now }, now)).toMatchObject({ size: 'week' })
    const twoYears = bucketRange({ bucket: 'auto', from: at('2024-11-27T00:00:00Z'), to: at('2026-11-27T00:00:00Z') }, now)
    expect(twoYears).toMatchObject({ size: 'week', count: 105 })
  })

  it('names the parameter at fault', () => {
    expect(bucketRange({ bucket: 'day', from: now, to: now }, now)).toMatchObject({ path: 'query.from' })
    expect(bucketRange({ bucket: 'day', to: at('1970-01-01T00:00:00Z') - 1 }, now)).toMatchObject({ size: 'day' })
    expect(bucketRange({ bucket: 'day', from: now + DAY }, now)).toMatchObject({ path: 'query.from' })
    expect(bucketRange({ bucket: 'day', from: now - (MAX_BUCKETS + 5) * DAY, to: now }, now)).toMatchObject({ path: 'query.bucket' })
    expect(bucketRange({ bucket: 'week', from: now - (MAX_BUCKETS - 5) * WEEK, to: now }, now)).toMatchObject({ size: 'week' })
  })
})
