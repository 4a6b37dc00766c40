import type { VsaRecord } from '../documents/records'
import { z } from 'zod'
import { childPath } from './canonical-json'
import { digestSet, found, instant, jsonObject, list, optional, readAs, type DocumentFormat } from './read'
import type { Statement } from './statement'

/*
 * SLSA Verification Summary Attestations: a verifier's signed word that it checked an artifact against a
 * policy (https://slsa.dev/spec/v1.0/verification_summary). The dashboard shows who verified what, when,
 * against which policy, with which result and levels, from which input attestations.
 */

export const VSA_V1 = 'https://slsa.dev/verification_summary/v1'
export const VSA_V02 = 'https://slsa.dev/verification_summary/v0.2'

const VSA: DocumentFormat = { code: 'invalid-vsa', label: 'a SLSA verification summary (VSA)' }

export function isVsa(predicateType: string | null): boolean {
  return predicateType === VSA_V1 || predicateType === VSA_V02
}

const Common = z.object({
  verifier: z.object({ id: z.string() }),
  verificationResult: z.enum(['PASSED', 'FAILED'], {
    error: (issue) =>
      typeof issue.input === 'string'
        ? `verificationResult is ${JSON.stringify(issue.input.slice(0, 40))}; expected "PASSED" or "FAILED"`
        : `expected a string, found ${found(issue.input)}`,
  }),
  timeVerified: instant,
  resourceUri: optional(z.string()),
  // Kept as written ({ uri, digest }): shown, not interpreted.
  policy: jsonObject.optional(),
  inputAttestations: list(z.object({ uri: optional(z.string()), digest: digestSet.optional() })),
})
const V1 = Common.extend({ verifiedLevels: list(z.string()) })
// v0.2 has a single policyLevel where v1 lists verified levels.
const V02 = Common.extend({ policyLevel: optional(z.string()) }).transform(({ policyLevel, ...rest }) => ({ ...rest, verifiedLevels: policyLevel === null ? [] : [policyLevel] }))

/** Reads the VSA predicate of `statement`; `base` is where the Statement sits in the submitted document. */
export function readVsa(statement: Statement, base: string): VsaRecord {
  const v1 = statement.predicateType === VSA_V1
  const predicate = readAs(VSA, v1 ? V1 : V02, statement.predicate, childPath(base, 'predicate'))
  return {
    vsaVersion: v1 ? 'v1' : 'v0.2',
    verifierId: predicate.verifier.id,
    timeVerified: predicate.timeVerified,
    resourceUri: predicate.resourceUri,
    policy: predicate.policy ?? null,
    verificationResult: predicate.verificationResult,
    verifiedLevels: predicate.verifiedLevels,
    inputAttestations: predicate.inputAttestations.map(({ uri, digest }) => ({ uri, digest: digest ?? {} })),
    subjects: statement.subjects,
  }
}
