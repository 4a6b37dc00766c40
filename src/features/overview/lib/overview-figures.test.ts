import { describe, expect, it } from 'vitest'
import { percent, sparklinePaths, trend } from './overview-figures'

describe('overview figures', () => {
  it('gives a share and how it moved', () => {
    expect(percent(97, 100)).toBe(97)
    expect(percent(1, 3)).toBe(33.3)
    expect(percent(0, 0)).toBeNull()
    expect(trend(95, 97)).toEqual({ text: 'down 2 points from 97%', direction: 'down' })
    expect(trend(95.7, 94.7)).toEqual({ text: 'up 1 point from 94.7%', direction: 'up' })
    expect(trend(94.2, 94.7)).toEqual({ text: 'down 0.5 points from 94.7%', direction: 'down' })
    expect(trend(97, 97)).toEqual({ text: 'unchanged from the window before', direction: 'flat' })
    expect(trend(97, null)).toEqual({ text: 'no earlier figure to compare', direction: 'none' })
    // No builds or rebuilds in the window: no figure, and what the window before had.
    expect(trend(null, 97)).toEqual({ text: '97% the window before', direction: 'none' })
    expect(trend(null, null)).toEqual({ text: 'none in the window before either', direction: 'none' })
  })
  it('draws a series in its box, a day without data as a gap', () => {
    expect(sparklinePaths([0, 50, 100], 100, 20, 100)).toEqual(['0,20 50,10 100,0'])
    expect(sparklinePaths([1, null, 1, 1], 30, 10, 1)).toEqual(['0,0', '20,0 30,0'])
  })
})
