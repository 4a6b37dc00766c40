import { describe, expect, it } from 'vitest'
import { hasFilters, parseBuildsSearch, toBuildListFilter, toSearchParams, unknownBuildFilters, BUILDS_PAGE_SIZE } from './builds-search'

describe('parseBuildsSearch', () => {
  it('reads every filter', () => {
    const params = new URLSearchParams('project=acme%2Fweb&status=failed&from=2026-10-01&to=2026-10-31')
    expect(parseBuildsSearch(params)).toEqual({
      project: 'acme/web',
      status: 'failed',
      commit: undefined,
      from: '2026-10-01',
      to: '2026-10-31',
    })
  })

  it('drops what it cannot read instead of failing', () => {
    const params = new URLSearchParams('project=&status=bogus&from=yesterday&to=2026-13-45')
    expect(parseBuildsSearch(params)).toEqual({
      project: undefined,
      status: undefined,
      commit: undefined,
      from: undefined,
      to: undefined,
    })
    expect(hasFilters(parseBuildsSearch(params))).toBe(false)
  })
})

describe('toBuildListFilter', () => {
  it('turns whole UTC days into the API bounds, `to` exclusive at the next midnight', () => {
    expect(toBuildListFilter({ project: 'acme/web', status: undefined, commit: undefined, from: '2026-10-01', to: '2026-10-31' })).toEqual({
      limit: BUILDS_PAGE_SIZE,
      project: 'acme/web',
      from: '2026-10-01T00:00:00.000Z',
      to: '2026-11-01T00:00:00.000Z',
    })
  })

  it('leaves out filters that are not set, so equal searches share one cache entry', () => {
    expect(toBuildListFilter({ project: undefined, status: undefined, commit: undefined, from: undefined, to: undefined })).toEqual({
      limit: BUILDS_PAGE_SIZE,
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

describe('commit and unknown values', () => {
  it('reads a commit SHA or 7+ prefix, lower-cased, and says what it could not read', () => {
    const params = new URLSearchParams('commit=ABCDEF1&status=bogus&project=nope')
    const search = parseBuildsSearch(params)
    expect(search).toMatchObject({ commit: 'abcdef1', status: undefined, project: 'nope' })
    expect(toBuildListFilter(search)).toMatchObject({ commit: 'abcdef1', project: 'nope' })
    expect(unknownBuildFilters(params, search, ['acme/web']).map((notice) => notice.message)).toEqual([
      'There is no project named nope, so no build matches it.',
      'There is no status named bogus; showing every status.',
    ])
    // Until the project list has loaded, a project is not called unknown.
    expect(unknownBuildFilters(params, search, undefined)).toHaveLength(1)
    const short = new URLSearchParams('commit=abc12')
    expect(unknownBuildFilters(short, parseBuildsSearch(short), [])[0]?.message).toContain('abc12 is not a commit')
  })

  it('reads a quick range instant and rejects a year still being typed', () => {
    expect(parseBuildsSearch(new URLSearchParams('from=2026-11-30T05:00Z')).from).toBe('2026-11-30T05:00Z')
    expect(toBuildListFilter(parseBuildsSearch(new URLSearchParams('from=2026-11-30T05:00Z'))).from).toBe('2026-11-30T05:00:00.000Z')
    expect(parseBuildsSearch(new URLSearchParams('from=0002-11-01')).from).toBeUndefined()
  })
})
