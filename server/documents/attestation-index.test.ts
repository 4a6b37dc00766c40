import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signEnvelope } from '../demo/seed'
import { prepareDocument } from '../ingest/ingest'
import { IngestError } from '../ingest/errors'
import { loadPublicKey } from '../ingest/keys'
import { newKey } from '../testing/documents'
import { SHA_A, SHA_B, statement, vsaV02Predicate } from '../testing/format-documents'
import { engineStores } from '../store/testing/engines'
import type { Store } from '../store/types'
import type { IngestItem } from './records'
import { attestationSubjectRows } from './attestation-index'

const ed = newKey('index-ed25519', 'ed25519')
const T0 = Date.UTC(2026, 10, 1)
const prepare = (value: unknown, now = T0): IngestItem => prepareDocument(Buffer.from(JSON.stringify(value)), { keys: [loadPublicKey(ed.id, ed.publicKeyPem)], now: () => now }).item
const TEST_RESULT = 'https://in-toto.io/attestation/test-result/v0.1'
const VSA_V1 = 'https://slsa.dev/verification_summary/v1'
const testPredicate = (overrides: Record<string, unknown> = {}) => ({
  result: 'PASSED',
  configuration: [{ name: '.github/workflows/ci.yml', digest: { gitBlob: 'c'.repeat(40) } }],
  url: 'https://ci.example/runs/1',
  passedTests: ['unit', 'integration'],
  warnedTests: [],
  failedTests: [],
  ...overrides,
})

describe('attestationSubjectRows', () => {
  it('indexes each digest of each subject once, lower-cased, and nothing from subjects without a digest set', () => {
    expect(attestationSubjectRows('d', 'vsa', [{ name: 'a', digest: { sha256: SHA_A.toUpperCase(), gitCommit: 'c'.repeat(40) } }, { name: 'again', digest: { sha256: SHA_A } }, 'junk', { name: 'none' }])).toEqual([
      { document_id: 'd', kind: 'vsa', digest_algorithm: 'sha256', digest_value: SHA_A },
      { document_id: 'd', kind: 'vsa', digest_algorithm: 'gitcommit', digest_value: 'c'.repeat(40) },
    ])
    expect(attestationSubjectRows('d', 'vsa', { not: 'a list' })).toEqual([])
  })
})

describe('in-toto test results', () => {
  it('refuses a test result whose result is not PASSED, WARNED or FAILED, naming the field', () => {
    let thrown: unknown
    try {
      prepare(statement(TEST_RESULT, testPredicate({ result: 'OK' })))
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(IngestError)
    expect(thrown).toMatchObject({ code: 'invalid-test-result', path: '$.predicate.result' })
  })
})

const { fresh: freshStore } = engineStores('provenance-attestation-index')

describe.each(['sqlite', 'postgres'] as const)('VSAs and test results by artifact on %s', (kind) => {
  let store: Store
  beforeAll(async () => {
    store = await freshStore(kind)
  }, 60_000)
  afterAll(async () => store?.close())

  it('finds the VSAs and test results about each digest of a release in one call, newest first, with their documents’ verdicts', async () => {
    const passed = prepare(signEnvelope(statement(VSA_V1, { ...vsaV02Predicate(), verificationResult: 'PASSED', verifiedLevels: ['SLSA_BUILD_LEVEL_3'] }), ed), T0 + 2000)
    // v0.2, unsigned, about both artifacts.
    const older = prepare(statement('https://slsa.dev/verification_summary/v0.2', vsaV02Predicate(), [{ name: 'a', digest: { sha256: SHA_A } }, { name: 'b', digest: { sha256: SHA_B } }]), T0 + 1000)
    const tests = prepare(signEnvelope(statement(TEST_RESULT, testPredicate({ result: 'FAILED', failedTests: ['e2e'] })), ed), T0 + 3000)
    const outcomes = await store.documents.ingest([passed, older, tests])
    expect(outcomes.every((outcome) => outcome.created)).toBe(true)

    const vsas = await store.gates.vsasFor([`sha256:${SHA_A}`, `sha256:${SHA_B}`, `sha512:${SHA_A}`, `sha256:${'f'.repeat(64)}`])
    expect(vsas.get(`sha256:${SHA_A}`)).toEqual([
      expect.objectContaining({ documentId: passed.document.id, vsaVersion: 'v1', verificationResult: 'PASSED', verifiedLevels: ['SLSA_BUILD_LEVEL_3'], policyUri: 'https://example.com/policy.json', status: 'verified' }),
      expect.objectContaining({ documentId: older.document.id, vsaVersion: 'v0.2', verificationResult: 'FAILED', verifiedLevels: ['SLSA_LEVEL_3'], status: 'unsigned', verifierId: 'https://github.com/slsa-framework/slsa-verifier' }),
    ])
    expect(vsas.get(`sha256:${SHA_B}`)?.map((fact) => fact.documentId)).toEqual([older.document.id])
    // Another algorithm with the same hex is another artifact.
    expect(vsas.get(`sha512:${SHA_A}`)).toEqual([])
    expect(vsas.get(`sha256:${'f'.repeat(64)}`)).toEqual([])

    const results = await store.gates.testResultsFor([`sha256:${SHA_A}`, `sha256:${SHA_B}`])
    expect(results.get(`sha256:${SHA_A}`)).toEqual([
      expect.objectContaining({ documentId: tests.document.id, result: 'FAILED', passed: 2, warned: 0, failed: 1, failedTests: ['e2e'], url: 'https://ci.example/runs/1', status: 'verified' }),
    ])
    expect(results.get(`sha256:${SHA_B}`)).toEqual([])
  })
})
