import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { demoBuilds } from '../../demo/model'
import { demoStatement } from '../../demo/statement'
import { jsonMutation } from '../testing/mutation'
import { readProvenance, readProvenanceBySchema, SLSA_V02, SLSA_V1 } from './slsa'
import { readStatement } from './statement'

// readProvenance reads well-formed predicates without the schemas (slsa.ts): it must read every predicate exactly as
// the schemas do, stored bytes included, whatever one value of it is changed to.

const statements = demoBuilds(40, 3).map((build) => JSON.parse(JSON.stringify(demoStatement(build))) as Record<string, unknown>)
const v1 = statements.find((statement) => statement.predicateType === SLSA_V1)
const v02 = statements.find((statement) => statement.predicateType === SLSA_V02)

function same(document: unknown) {
  const statement = readStatement(document, '$')
  const fast = readProvenance(statement)
  const schema = readProvenanceBySchema(statement)
  expect(fast).toEqual(schema)
  // The build's facts are stored as JSON: the same keys in the same order.
  expect(JSON.stringify(fast)).toBe(JSON.stringify(schema))
  return fast
}

describe('the well-formed shortcut of readProvenance', () => {
  it('reads every demo predicate as the schemas do, with nothing tolerated', () => {
    for (const statement of statements) expect(same(statement)?.tolerated).toEqual([])
  })

  it.each([
    ['v1', v1],
    ['v0.2', v02],
  ])('reads SLSA %s with any one value changed as the schemas do, tolerated fields included', (_, document) => {
    expect(document).toBeDefined()
    fc.assert(
      fc.property(jsonMutation(document), (mutated) => {
        // A mutation that breaks the Statement itself is the Statement reader's, not this test's.
        let statement
        try {
          statement = readStatement(mutated, '$')
        } catch {
          return
        }
        const fast = readProvenance(statement)
        const schema = readProvenanceBySchema(statement)
        expect(fast).toEqual(schema)
        expect(JSON.stringify(fast)).toBe(JSON.stringify(schema))
      }),
      { numRuns: 400 },
    )
  }, 60_000)

  it('reads absent parts, empty strings and empty digests as the schemas do', () => {
    const predicate = (value: unknown) => ({ ...v1, predicate: value })
    for (const value of [
      null,
      {},
      { buildDefinition: null, runDetails: null },
      { buildDefinition: { buildType: '', resolvedDependencies: null }, runDetails: { builder: null, metadata: { startedOn: '', finishedOn: null } } },
      { buildDefinition: { resolvedDependencies: [{ uri: 'git+https://example.com/a@main', digest: null }, { name: 'n', digest: { sha1: 'ab' } }] } },
      { buildDefinition: { externalParameters: { source: 'git+https://example.com/b' } } },
      { buildDefinition: { externalParameters: { source: { uri: 'https://example.com/c' }, workflow: null } } },
      { buildDefinition: { externalParameters: { workflow: { repository: '' } } } },
    ]) {
      same(predicate(value))
      same({ ...v02, predicate: value })
    }
  })
})
