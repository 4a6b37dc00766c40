import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiErrorBody } from '../../src/contract/common'
import { openResourceApp, type ResourceApp } from '../testing/resource-app'

/*
 * A malformed query is answered with a 400 whose message says, in words, what was sent and what was wanted, at the
 * parameter's place (`query.limit`), rather than the validation library's wording ("expected number, received NaN").
 */

let app: ResourceApp['app']
let dispose: ResourceApp['dispose']

beforeAll(async () => {
  ;({ app, dispose } = await openResourceApp())
})
afterAll(async () => dispose())

describe('bad query parameters', () => {
  it('say what was sent and what was wanted', async () => {
    for (const [query, message] of [
      ['/api/v1/artifacts?limit=many', 'query.limit: "many" is not a number'],
      ['/api/v1/artifacts?limit=1.5', 'query.limit: 1.5 is not a whole number'],
      ['/api/v1/artifacts?limit=0', 'query.limit: must be at least 1 (got 0)'],
      ['/api/v1/artifacts?limit=201', 'query.limit: must be at most 200 (got 201)'],
      ['/api/v1/artifacts?perBuild=all', 'query.perBuild: "all" is not a number'],
      [`/api/v1/artifacts?name=${'n'.repeat(513)}`, 'query.name: must be at most 512 characters long (got 513)'],
      ['/api/v1/signatures?status=nope', 'query.status: "nope" is not one of verified, failed, untrusted, unsigned, unverifiable'],
      ['/api/v1/overview?day=2026-13-01', 'query.day: no such day in the calendar: a day is YYYY-MM-DD (UTC)'],
      ['/api/v1/overview?day=2026-02-30', 'query.day: no such day in the calendar: a day is YYYY-MM-DD (UTC)'],
      ['/api/v1/signatures?from=yesterday', 'query.from: "yesterday" is not a date and time like 2026-11-27T10:00:00Z (ISO 8601, with its time zone)'],
    ] as const) {
      const response = await app.request(query)
      expect(response.status, query).toBe(400)
      expect(ApiErrorBody.parse(await response.json()).error, query).toMatchObject({ code: 'invalid-query', message })
    }
  })

  it('keep a schema’s own message', async () => {
    const response = await app.request('/api/v1/artifacts/not-a-digest')
    expect(response.status).toBe(400)
    expect(ApiErrorBody.parse(await response.json()).error.message).toMatch(/^path\.digest: a digest is `algorithm:hex` or hex, at least 12 hex characters/)
  })
})
