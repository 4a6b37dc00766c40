import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { demoBuilds } from '../../demo/model'
import { demoStatement } from '../../demo/statement'
import { jsonMutation } from '../testing/mutation'
import { IngestError } from './errors'
import { readStatement, readStatementBySchema } from './statement'

// readStatement reads well-formed Statements without the schema: it must read, or refuse, every value exactly as the
// schema does.

const statements = demoBuilds(20, 5).map((build) => JSON.parse(JSON.stringify(demoStatement(build))) as Record<string, unknown>)

/** The reading, or the IngestError's code, message and path. */
function outcome(read: () => unknown): unknown {
  try {
    return { read: JSON.parse(JSON.stringify(read())) as unknown, value: read() }
  } catch (error) {
    if (error instanceof IngestError) return { code: error.code, message: error.message, path: error.path }
    throw error
  }
}

describe('the well-formed shortcut of readStatement', () => {
  it('reads the demo Statements as the schema does', () => {
    for (const statement of statements) expect(outcome(() => readStatement(statement, '$'))).toEqual(outcome(() => readStatementBySchema(statement, '$')))
  })

  it('reads, or refuses, a Statement with any one value changed as the schema does', () => {
    const document = statements[0]
    fc.assert(
      fc.property(jsonMutation(document), (mutated) => {
        expect(outcome(() => readStatement(mutated, '$.payload'))).toEqual(outcome(() => readStatementBySchema(mutated, '$.payload')))
      }),
      { numRuns: 400 },
    )
  }, 60_000)

  it('reads digests as the schema does: lower case, "__proto__" kept as data, duplicates after lower-casing the last', () => {
    const subject = JSON.parse('[{"name":"a","digest":{"SHA256":"AB","sha256":"cd","__proto__":"ef"}},{"digest":{}},{"name":"b"}]') as unknown
    for (const value of [subject, null, undefined, []]) {
      const statement = { ...statements[0], subject: value }
      expect(outcome(() => readStatement(statement, '$'))).toEqual(outcome(() => readStatementBySchema(statement, '$')))
    }
  })
})
