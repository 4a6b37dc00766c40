import { describe, expect, it } from 'vitest'
import { signEnvelope } from '../demo/seed'
import { newKey, slsaV1Statement } from '../testing/documents'
import { prepareDocument } from './ingest'
import { loadPublicKey } from './keys'
import { readProvenance, SLSA_V02 } from './slsa'
import { readStatement } from './statement'

const ed = newKey('release-ed25519', 'ed25519')
const context = { keys: [loadPublicKey(ed.id, ed.publicKeyPem)], now: () => Date.UTC(2026, 10, 1) }
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value))

/** SLSA v1 provenance with `change` applied to its predicate. */
function provenance(change: (predicate: { buildDefinition: Record<string, unknown>; runDetails: { builder: Record<string, unknown>; metadata: Record<string, unknown> } }) => void) {
  const document = slsaV1Statement()
  change(document.predicate)
  return document
}

const badBuilder = provenance((predicate) => {
  predicate.runDetails.builder.id = 42
})
const badTime = provenance((predicate) => {
  predicate.runDetails.metadata.startedOn = 'yesterday'
})

describe('readProvenance is lenient, and says where', () => {
  it('reads a malformed builder id as null and lists it', () => {
    const read = readProvenance(readStatement(badBuilder, '$'))
    expect(read).toMatchObject({ builderId: null, sourceRepo: 'https://github.com/example/app', startedAt: Date.parse('2026-11-01T10:00:00Z') })
    expect(read?.tolerated).toEqual([{ path: 'predicate.runDetails.builder.id', problem: 'expected a string, found a number' }])
  })

  it('reads a time that is not RFC 3339 as null and lists it', () => {
    const read = readProvenance(readStatement(badTime, '$'))
    expect(read).toMatchObject({ startedAt: null, finishedAt: Date.parse('2026-11-01T10:05:00Z'), builderId: 'https://github.com/actions/runner/github-hosted' })
    expect(read?.tolerated).toEqual([{ path: 'predicate.runDetails.metadata.startedOn', problem: '"yesterday" is not an RFC 3339 time' }])
  })

  it('leaves out digest values that are not strings and dependencies that are not objects, listing each', () => {
    const document = provenance((predicate) => {
      predicate.buildDefinition.resolvedDependencies = [7, { uri: 'git+https://github.com/example/app@refs/heads/main', digest: { gitCommit: 'c'.repeat(40), sha256: 5 } }]
    })
    const read = readProvenance(readStatement(document, '$'))
    expect(read?.resolvedDependencies).toEqual([{ uri: 'git+https://github.com/example/app@refs/heads/main', name: null, digest: { gitCommit: 'c'.repeat(40) } }])
    expect(read?.tolerated.map((entry) => entry.path)).toEqual(['predicate.buildDefinition.resolvedDependencies[0]', 'predicate.buildDefinition.resolvedDependencies[1].digest.sha256'])
  })

  it('reads a predicate that is not an object as no facts at all, and lists that', () => {
    const read = readProvenance(readStatement({ ...slsaV1Statement(), predicate: 'none' }, '$'))
    expect(read).toMatchObject({ slsaVersion: 'v1', builderId: null, sourceRepo: null, resolvedDependencies: [] })
    expect(read?.tolerated).toEqual([{ path: 'predicate', problem: 'expected an object, found a string' }])
  })

  it('lists nothing for well-formed provenance, absent fields and empty strings included', () => {
    expect(readProvenance(readStatement(slsaV1Statement(), '$'))?.tolerated).toEqual([])
    const sparse = provenance((predicate) => {
      predicate.runDetails.builder.id = ''
      delete predicate.runDetails.metadata.startedOn
    })
    expect(readProvenance(readStatement(sparse, '$'))).toMatchObject({ builderId: null, startedAt: null, tolerated: [] })
  })

  it('does not list a build type\'s own parameters it merely looks in for the source', () => {
    const other = provenance((predicate) => {
      predicate.buildDefinition.externalParameters = { workflow: 'release.yml', source: 42 }
    })
    expect(readProvenance(readStatement(other, '$'))).toMatchObject({ sourceRepo: 'https://github.com/example/app', tolerated: [] })
  })

  it('reads v0.2 the same way', () => {
    const v02 = {
      _type: 'https://in-toto.io/Statement/v0.1',
      subject: [],
      predicateType: SLSA_V02,
      predicate: {
        builder: { id: ['not', 'a', 'string'] },
        buildType: 'https://example.com/build',
        invocation: { configSource: { uri: 'git+https://github.com/example/app', digest: { sha1: 'd'.repeat(40) } } },
        metadata: { buildFinishedOn: 'soon' },
      },
    }
    const read = readProvenance(readStatement(v02, '$'))
    expect(read).toMatchObject({ builderId: null, finishedAt: null, sourceRepo: 'https://github.com/example/app', sourceCommit: 'd'.repeat(40) })
    expect(read?.tolerated.map((entry) => entry.path)).toEqual(['predicate.builder.id', 'predicate.metadata.buildFinishedOn'])
  })
})

describe('a document whose provenance was read leniently', () => {
  it('is stored with the field null and the leniency listed as a passing check, its verdict unchanged', () => {
    const { item } = prepareDocument(bytes(signEnvelope(badBuilder, ed)), context)
    expect(item.build).toMatchObject({ builderId: null, status: 'verified', project: 'example/app' })
    expect(item.document.verification).toMatchObject({ status: 'verified', failedCheck: null })
    expect(item.document.verification.checks.at(-1)).toEqual({
      name: 'provenance-fields-ignored',
      ok: true,
      expected: 'SLSA provenance fields in the form their specification gives',
      actual: '1 malformed field, stored as not given',
      detail: expect.stringContaining('predicate.runDetails.builder.id: expected a string, found a number'),
    })
  })

  it('keeps a bad time out of the build and says so, for unsigned Statements too', () => {
    const { item } = prepareDocument(bytes(badTime), context)
    expect(item.build).toMatchObject({ startedAt: null, finishedAt: Date.parse('2026-11-01T10:05:00Z'), status: 'unsigned' })
    expect(item.document.verification.status).toBe('unsigned')
    expect(item.document.verification.checks.map((check) => [check.name, check.ok])).toEqual([
      ['signature', false],
      ['provenance-fields-ignored', true],
    ])
  })

  it('adds no check when nothing was tolerated', () => {
    const { item } = prepareDocument(bytes(signEnvelope(slsaV1Statement(), ed)), context)
    expect(item.document.verification.checks.map((check) => check.name)).not.toContain('provenance-fields-ignored')
  })

  it('bounds the list for a document with many malformed fields', () => {
    const many = provenance((predicate) => {
      predicate.buildDefinition.resolvedDependencies = Array.from({ length: 40 }, (_, index) => index)
    })
    const check = prepareDocument(bytes(many), context).item.document.verification.checks.find((entry) => entry.name === 'provenance-fields-ignored')
    expect(check?.actual).toBe('40 malformed fields, stored as not given')
    expect(check?.detail).toContain('; and 35 more.')
  })
})
