import { describe, expect, it } from 'vitest'
import { hasFilters, parseBuildsSearch, toBuildListFilter, toSearchParams } from './builds-search'

describe('parseBuildsSearch', () => {
  it('reads every filter', () => {
    const params = new URLSearchParams('project=acme%2Fweb&status=failed&from=2026-10-01&to=2026-10-31')
    expect(parseBuildsSearch(params)).toEqual({
      project: 'acme/web',
      status: 'failed',
      from: '2026-10-01',
      to: '2026-10-31',
    })
  })

  it('drops what it cannot read instead of failing', () => {
    const params = new URLSearchParams('project=&status=bogus&from=yesterday&to=2026-13-45')
    expect(parseBuildsSearch(params)).toEqual({
      project: undefined,
      status: undefined,
      from: undefined,
      to: undefined,
    })
    expect(hasFilters(parseBuildsSearch(params))).toBe(false)
  })
})

describe('toBuildListFilter', () => {
  it('turns whole UTC days into the API bounds, `to` exclusive at the next midnight', () => {
    expect(toBuildListFilter({ project: 'acme/web', status: undefined, from: '2026-10-01', to: '2026-10-31' })).toEqual({
      limit: 100,
      project: 'acme/web',
      from: '2026-10-01T00:00:00.000Z',
      to: '2026-11-01T00:00:00.000Z',
    })
  })

  it('leaves out filters that are not set, so equal searches share one cache entry', () => {
    expect(toBuildListFilter({ project: undefined, status: undefined, from: undefined, to: undefined })).toEqual({
      limit: 100,
    })
  })
})

describe('toSearchParams', () => {
  it('writes only the filters that are set, and parses back to the same search', () => {
    const search = { project: 'acme/web', status: 'failed' as const, from: undefined, to: '2026-10-31' }
    const params = toSearchParams(search)
    expect(params.toString()).toBe('project=acme%2Fweb&status=failed&to=2026-10-31')
    expect(parseBuildsSearch(params)).toEqual(search)
  })
})
