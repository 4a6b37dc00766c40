import { describe, expect, it } from 'vitest'
import { countTicks } from './count-ticks'

describe('countTicks', () => {
  const bars = (...totals: number[]) => totals.map((total) => ({ matched: total, mismatched: 0 }))
  it('runs from 0 to the first tick at or above the tallest bar, in 1, 2 or 5 times a power of ten', () => {
    expect(countTicks(bars(3, 7))).toEqual([0, 2, 4, 6, 8])
    expect(countTicks(bars(40))).toEqual([0, 10, 20, 30, 40])
    expect(countTicks(bars(43, 12))).toEqual([0, 20, 40, 60])
    expect(countTicks(bars(1161))).toEqual([0, 500, 1000, 1500])
  })
  it('counts matched and mismatched together, in whole steps, and gives an empty chart one step', () => {
    expect(countTicks([{ matched: 2, mismatched: 1 }])).toEqual([0, 1, 2, 3])
    expect(countTicks(bars(1))).toEqual([0, 1])
    expect(countTicks(bars(0, 0))).toEqual([0, 1])
  })
})
