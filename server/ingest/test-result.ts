import type { TestResultRecord } from '../documents/records'
import { z } from 'zod'
import { childPath } from './canonical-json'
import { found, jsonObject, list, optional, readAs, type DocumentFormat } from './read'
import type { Statement } from './statement'

/*
 * in-toto test results (https://github.com/in-toto/attestation/blob/main/spec/predicates/test-result.md): one run
 * of a test suite against the subjects, with its result and the tests that passed, warned and failed. A release
 * gate can require a verified one whose result is PASSED.
 */

export const TEST_RESULT_V01 = 'https://in-toto.io/attestation/test-result/v0.1'

const TEST_RESULT: DocumentFormat = { code: 'invalid-test-result', label: 'an in-toto test result' }

export function isTestResult(predicateType: string | null): boolean {
  return predicateType === TEST_RESULT_V01
}

/** Failed tests kept by name; the counts say how many there were. */
const MAX_FAILED_NAMES = 20

const Predicate = z.object({
  result: z.enum(['PASSED', 'WARNED', 'FAILED'], {
    error: (issue) =>
      typeof issue.input === 'string'
        ? `result is ${JSON.stringify(issue.input.slice(0, 40))}; expected "PASSED", "WARNED" or "FAILED"`
        : `expected a string, found ${found(issue.input)}`,
  }),
  // Required by the spec; kept as written (ResourceDescriptors), shown, not interpreted.
  configuration: z.array(jsonObject, { error: (issue) => `expected a list of resource descriptors, found ${found(issue.input)}` }),
  url: optional(z.string()),
  passedTests: list(z.string()),
  warnedTests: list(z.string()),
  failedTests: list(z.string()),
})

/** Reads the test-result predicate of `statement`; `base` is where the Statement sits in the submitted document. */
export function readTestResult(statement: Statement, base: string): TestResultRecord {
  const predicate = readAs(TEST_RESULT, Predicate, statement.predicate, childPath(base, 'predicate'))
  return {
    result: predicate.result,
    url: predicate.url,
    configuration: predicate.configuration,
    passed: predicate.passedTests.length,
    warned: predicate.warnedTests.length,
    failed: predicate.failedTests.length,
    failedTests: predicate.failedTests.slice(0, MAX_FAILED_NAMES),
    subjects: statement.subjects,
  }
}
