import type { VsaRecord } from '../store/types'
import { childPath, Shape } from './shape'
import type { Statement } from './statement'

/*
 * SLSA Verification Summary Attestations: a verifier's signed word that it checked an artifact against a
 * policy (https://slsa.dev/spec/v1.0/verification_summary). The dashboard shows who verified what, when,
 * against which policy, with which result and levels, from which input attestations.
 */

export const VSA_V1 = 'https://slsa.dev/verification_summary/v1'
export const VSA_V02 = 'https://slsa.dev/verification_summary/v0.2'

const vsa = new Shape('invalid-vsa', 'a SLSA verification summary (VSA)')

export function isVsa(predicateType: string | null): boolean {
  return predicateType === VSA_V1 || predicateType === VSA_V02
}

/** Reads the VSA predicate of `statement`; `base` is where the Statement sits in the submitted document. */
export function readVsa(statement: Statement, base: string): VsaRecord {
  const path = childPath(base, 'predicate')
  const predicate = vsa.record(statement.predicate, path)
  const verifierPath = childPath(path, 'verifier')
  const verifier = vsa.record(predicate.verifier, verifierPath)
  const resultPath = childPath(path, 'verificationResult')
  const result = vsa.string(predicate.verificationResult, resultPath)
  if (result !== 'PASSED' && result !== 'FAILED') {
    throw vsa.error(resultPath, `verificationResult is ${JSON.stringify(result.slice(0, 40))}; expected "PASSED" or "FAILED"`)
  }
  const v1 = statement.predicateType === VSA_V1
  const levels = v1
    ? vsa.strings(predicate.verifiedLevels, childPath(path, 'verifiedLevels'))
    : [vsa.optionalString(predicate.policyLevel, childPath(path, 'policyLevel'))].filter((level) => level !== null)
  const inputsPath = childPath(path, 'inputAttestations')
  const policy = predicate.policy === undefined ? null : vsa.record(predicate.policy, childPath(path, 'policy'))
  return {
    vsaVersion: v1 ? 'v1' : 'v0.2',
    verifierId: vsa.string(verifier.id, childPath(verifierPath, 'id')),
    timeVerified: vsa.optionalTime(predicate.timeVerified, childPath(path, 'timeVerified')),
    resourceUri: vsa.optionalString(predicate.resourceUri, childPath(path, 'resourceUri')),
    policy,
    verificationResult: result,
    verifiedLevels: levels,
    inputAttestations: vsa.optionalArray(predicate.inputAttestations, inputsPath).map((entry, index) => {
      const at = childPath(inputsPath, index)
      const input = vsa.record(entry, at)
      return {
        uri: vsa.optionalString(input.uri, childPath(at, 'uri')),
        digest: input.digest === undefined ? {} : vsa.digestSet(input.digest, childPath(at, 'digest')),
      }
    }),
    subjects: statement.subjects,
  }
}
