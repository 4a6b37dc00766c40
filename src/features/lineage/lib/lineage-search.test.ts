import { describe, expect, it } from 'vitest'
import { readLineageSearch, writeLineageSearch } from './lineage-search'

describe('lineage URL state', () => {
  it('reads every part and writes it back', () => {
    const params = new URLSearchParams(
      'from=sha256:abc&depth=4&direction=down&focus=build:1&selected=artifact:sha256:abc&expand=c1,c2&collapsed=deployment:9&more=abc1234&view=-10,250,0.5',
    )
    const search = readLineageSearch(params)
    expect(search).toEqual({
      from: 'sha256:abc',
      depth: 4,
      direction: 'down',
      focus: 'build:1',
      selected: 'artifact:sha256:abc',
      expand: ['c1', 'c2'],
      collapsed: ['deployment:9'],
      more: ['abc1234'],
      view: { x: -10, y: 250, scale: 0.5 },
    })
    const written = new URLSearchParams()
    for (const [key, value] of Object.entries(writeLineageSearch(search))) if (value !== undefined) written.set(key, value)
    expect(readLineageSearch(written)).toEqual(search)
    expect(written.get('view')).toBe('-10,250,0.5')
  })

  it('falls back to defaults for what it cannot read', () => {
    const search = readLineageSearch(new URLSearchParams('depth=99&direction=sideways&view=1,2&expand=bad%20cursor&focus=x'))
    expect(search).toEqual({ from: undefined, depth: 3, direction: 'both', focus: undefined, selected: undefined, expand: [], collapsed: [], more: [], view: undefined })
    expect(readLineageSearch(new URLSearchParams('view=0,0,99')).view).toBeUndefined()
  })
})
