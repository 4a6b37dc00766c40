import { describe, expect, it } from 'vitest'
import { countStatuses, emptyCounts } from './status-counts'

describe('countStatuses', () => {
  it('counts one a row, or adds pre-counted rows, every status present', () => {
    expect(countStatuses([{ status: 'failed' }, { status: 'verified' }, { status: 'failed' }])).toEqual({ ...emptyCounts(), failed: 2, verified: 1 })
    expect(countStatuses([{ status: 'untrusted', count: '4' }, { status: 'untrusted', count: 3 }])).toEqual({ ...emptyCounts(), untrusted: 7 })
  })

  it('leaves out a status it does not know', () => {
    expect(countStatuses([{ status: 'great' }])).toEqual(emptyCounts())
  })
})
