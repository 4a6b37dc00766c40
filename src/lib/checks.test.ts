import { describe, expect, it } from 'vitest'
import { orderChecks } from './checks'

describe('orderChecks', () => {
  it('puts failing checks first and keeps the order within each group', () => {
    const checks = [
      { name: 'a', ok: true },
      { name: 'b', ok: false },
      { name: 'c', ok: true },
      { name: 'd', ok: false },
    ]
    expect(orderChecks(checks).map((check) => check.name)).toEqual(['b', 'd', 'a', 'c'])
    expect(checks.map((check) => check.name)).toEqual(['a', 'b', 'c', 'd'])
  })
})
