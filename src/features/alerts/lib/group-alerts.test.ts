import { describe, expect, it } from 'vitest'
import type { Alert } from '../../../contract/alerts'
import { groupAlerts } from './group-alerts'
import { parseAlertsSearch, toAlertFilter, unknownAlertFilters } from './alerts-search'

const alert = (id: string, rule: Alert['rule'], project: string): Alert => ({
  id: id.padStart(24, '0'),
  rule,
  project,
  severity: 'high',
  cause: id,
  title: id,
  subject: { kind: 'build', id: 'a'.repeat(64), buildId: 'a'.repeat(64), label: id },
  evidence: { expected: 'x', found: 'y', basis: 'z', documents: [] },
  state: 'open',
  waiver: null,
  firstSeen: '2026-01-01T00:00:00.000Z',
  lastSeen: '2026-01-01T00:00:00.000Z',
  occurrences: 1,
  updatedAt: '2026-01-01T00:00:00.000Z',
})

describe('groupAlerts', () => {
  it('groups by rule then project in the order the API gave, and walks them in that order', () => {
    const { groups, flat } = groupAlerts([
      alert('1', 'verification-failed', 'acme/web'),
      alert('2', 'out-of-band-download', 'acme/api'),
      alert('3', 'verification-failed', 'acme/api'),
      alert('4', 'verification-failed', 'acme/web'),
    ])
    expect(groups.map((group) => [group.label, group.count, group.projects.map((project) => project.project)])).toEqual([
      ['Verification failed', 3, ['acme/web', 'acme/api']],
      ['Out-of-band download', 1, ['acme/api']],
    ])
    expect(flat.map((item) => item.cause)).toEqual(['1', '4', '3', '2'])
  })
})

describe('the queue’s URL', () => {
  it('reads known filters, defaults to open alerts by severity, and reports unknown values', () => {
    const params = new URLSearchParams('state=bogus&rule=duration-outlier&sort=recent')
    const search = parseAlertsSearch(params)
    expect(search).toEqual({ rule: 'duration-outlier', sort: 'recent' })
    expect(toAlertFilter(search)).toEqual({ state: 'open', rule: 'duration-outlier', sort: 'recent', limit: 500 })
    expect(unknownAlertFilters(params, search)).toEqual([{ param: 'state', value: 'bogus', message: 'state “bogus” is not one the queue knows, so it is ignored.' }])
  })
})
