import { describe, expect, it } from 'vitest'
import { isStoreUnavailable } from './unavailable'

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code })

describe('telling an unreachable store from other failures', () => {
  it('recognises refused and dropped connections, and PostgreSQL shutting down or starting up', () => {
    expect(isStoreUnavailable(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true)
    expect(isStoreUnavailable(withCode('terminating connection due to administrator command', '57P01'))).toBe(true)
    expect(isStoreUnavailable(withCode('the database system is starting up', '57P03'))).toBe(true)
    expect(isStoreUnavailable(withCode('connection failure', '08006'))).toBe(true)
    expect(isStoreUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true)
    expect(isStoreUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true)
    expect(isStoreUnavailable(new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''))).toBe(true)
    expect(isStoreUnavailable(new Error('query failed', { cause: withCode('read ECONNRESET', 'ECONNRESET') }))).toBe(true)
  })

  it('leaves query errors and our own faults to be what they are', () => {
    expect(isStoreUnavailable(withCode('syntax error at or near "selec"', '42601'))).toBe(false)
    expect(isStoreUnavailable(withCode('duplicate key value violates unique constraint', '23505'))).toBe(false)
    expect(isStoreUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false)
    expect(isStoreUnavailable('Connection terminated')).toBe(false)
    expect(isStoreUnavailable(null)).toBe(false)
  })
})
