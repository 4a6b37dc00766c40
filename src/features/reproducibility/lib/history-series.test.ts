import { describe, expect, it } from 'vitest'
import { bucketName, historySummary, toSeries } from './history-series'

const DAY = 86_400_000
const start = Date.UTC(2026, 0, 1)

function days(count: number, each: (index: number) => [number, number]) {
  return Array.from({ length: count }, (_, index) => {
    const [matched, mismatched] = each(index)
    return { start: new Date(start + index * DAY).toISOString(), matched, mismatched }
  })
}

describe('toSeries', () => {
  it('keeps short series as they are, with a pass rate per bucket and none for empty buckets', () => {
    const { points, bucketDays } = toSeries({ bucket: 'day', to: new Date(start + 3 * DAY).toISOString(), buckets: days(3, (i) => (i === 1 ? [0, 0] : [3, 1])) })
    expect(bucketDays).toBe(1)
    expect(points.map((point) => point.passRate)).toEqual([75, null, 75])
    expect(points[2]?.end).toBe(start + 3 * DAY)
  })

  it('merges two years of days into at most 120 bars without losing a rebuild', () => {
    const buckets = days(730, (i) => [10, i % 10 === 0 ? 1 : 0])
    const { points, bucketDays } = toSeries({ bucket: 'day', to: new Date(start + 730 * DAY).toISOString(), buckets })
    expect(points.length).toBeLessThanOrEqual(120)
    expect(bucketDays).toBe(7)
    expect(points.reduce((sum, point) => sum + point.matched + point.mismatched, 0)).toBe(7300 + 73)
    expect(points[1]?.start).toBe(start + 7 * DAY)
  })
})

describe('historySummary', () => {
  it('says the share matched, the total and the period', () => {
    expect(historySummary({ matched: 384, mismatched: 28 }, 30)).toBe('93% of 412 rebuilds matched in the last 30 days.')
    expect(historySummary({ matched: 999, mismatched: 1 }, 90)).toBe('99% of 1,000 rebuilds matched in the last 90 days.')
    expect(historySummary({ matched: 0, mismatched: 0 }, 30)).toBe('No rebuilds were recorded in the last 30 days.')
  })
  it('names bucket sizes', () => {
    expect([1, 7, 14, 3].map(bucketName)).toEqual(['day', 'week', '2 weeks', '3 days'])
  })
})
