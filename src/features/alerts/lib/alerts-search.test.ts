import { describe, expect, it } from 'vitest'
import { parseAlertsSearch, toAlertFilter, toAlertsSearchParams, unknownAlertFilters } from './alerts-search'

const BUILD = 'd39d0b9a80d4e1a98d85fdb712c419a135897ad9235d03d39e5b94266f5b9f7b'

describe('the alert queue narrowed to one build', () => {
  it('asks the API for that build’s alerts and keeps the build in the address', () => {
    const params = new URLSearchParams({ build: BUILD, state: 'unresolved' })
    const search = parseAlertsSearch(params)
    expect(toAlertFilter(search)).toEqual({ state: 'unresolved', buildId: BUILD, sort: 'severity', limit: 500 })
    expect(toAlertsSearchParams(search)).toMatchObject({ build: BUILD, state: 'unresolved' })
    expect(unknownAlertFilters(params, search)).toEqual([])
  })

  it('shows every build’s alerts for a build that is not a build id, and says why', () => {
    for (const build of ['d39d0b9a80d4', BUILD.toUpperCase(), `${BUILD}0`]) {
      const params = new URLSearchParams({ build })
      const search = parseAlertsSearch(params)
      expect(toAlertFilter(search)).not.toHaveProperty('buildId')
      expect(unknownAlertFilters(params, search).map((notice) => notice.message)).toEqual([
        `build “${build}” is not a build id (64 hexadecimal characters), so the alerts of every build are shown.`,
      ])
    }
  })
})
