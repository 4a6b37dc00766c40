import type { Subject } from '../../src/contract/common'
import { IngestError, isRecord, kindOf } from './errors'

export const STATEMENT_TYPES = ['https://in-toto.io/Statement/v0.1', 'https://in-toto.io/Statement/v1'] as const

export type Statement = {
  type: string
  subjects: Subject[]
  predicateType: string | null
  predicate: unknown
  /** The Statement as decoded, for display. */
  value: Record<string, unknown>
}

/** Reads an in-toto Statement (v0.1 or v1) from an envelope's payload bytes. */
export function parseStatement(payload: Buffer): Statement {
  let value: unknown
  try {
    value = JSON.parse(payload.toString('utf8'))
  } catch (error) {
    throw new IngestError('invalid-statement', `the payload is not JSON: ${error instanceof Error ? error.message : String(error)}`, '$.payload')
  }
  if (!isRecord(value)) throw new IngestError('invalid-statement', `the payload is ${kindOf(value)}, not an in-toto Statement`, '$.payload')
  const type = value._type
  if (typeof type !== 'string' || !(STATEMENT_TYPES as readonly string[]).includes(type)) {
    throw new IngestError(
      'invalid-statement',
      `the payload's _type is ${JSON.stringify(type)}; expected one of ${STATEMENT_TYPES.join(', ')}`,
      '$.payload._type',
    )
  }
  const predicateType = value.predicateType
  if (predicateType !== undefined && typeof predicateType !== 'string') {
    throw new IngestError('invalid-statement', `predicateType must be a string, found ${kindOf(predicateType)}`, '$.payload.predicateType')
  }
  return {
    type,
    // Tekton Chains writes `subject: null`; that is a Statement about nothing in particular, not an error.
    subjects: readSubjects(value.subject),
    predicateType: predicateType ?? null,
    predicate: value.predicate,
    value,
  }
}

function readSubjects(value: unknown): Subject[] {
  if (value === null || value === undefined) return []
  if (!Array.isArray(value)) throw new IngestError('invalid-statement', `subject must be an array, found ${kindOf(value)}`, '$.payload.subject')
  return value.map((subject, index) => {
    const path = `$.payload.subject[${index}]`
    if (!isRecord(subject)) throw new IngestError('invalid-statement', `a subject is an object, found ${kindOf(subject)}`, path)
    const digest: Record<string, string> = {}
    if (subject.digest !== undefined) {
      if (!isRecord(subject.digest)) {
        throw new IngestError('invalid-statement', `digest must be an object, found ${kindOf(subject.digest)}`, `${path}.digest`)
      }
      for (const [algorithm, hex] of Object.entries(subject.digest)) {
        if (typeof hex !== 'string') {
          throw new IngestError('invalid-statement', `digest values are strings, found ${kindOf(hex)}`, `${path}.digest.${algorithm}`)
        }
        digest[algorithm.toLowerCase()] = hex.toLowerCase()
      }
    }
    const name = subject.name
    if (name !== undefined && typeof name !== 'string') {
      throw new IngestError('invalid-statement', `name must be a string, found ${kindOf(name)}`, `${path}.name`)
    }
    return { name: name ?? '', digest }
  })
}
