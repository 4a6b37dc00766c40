import { describe, expect, it } from 'vitest'
import { demoBuilds } from '../../demo/model'
import { demoStatementFacts } from '../../demo/statement'
import { readProvenance } from '../ingest/slsa'
import { parseStatement } from '../ingest/statement'

describe('the mocks and the server read the demo alike', () => {
  it('gives the facts the server extracts from each demo Statement, for SLSA v1 and v0.2', () => {
    const builds = demoBuilds(60)
    expect(new Set(builds.map((build) => build.slsaVersion))).toEqual(new Set(['v1', 'v0.2']))
    for (const build of builds) {
      const facts = demoStatementFacts(build)
      const provenance = readProvenance(parseStatement(Buffer.from(JSON.stringify(facts.statement))))
      expect(provenance, build.project).toMatchObject({
        externalParameters: facts.externalParameters,
        internalParameters: facts.internalParameters,
        resolvedDependencies: facts.resolvedDependencies,
        sourceRepo: build.sourceRepo,
        sourceCommit: build.commit,
      })
    }
  })
})
