import type { Subject } from '../../src/contract/common'
import { IngestError, isRecord, kindOf } from './errors'
import { parseJsonPrefix } from './json'

export const STATEMENT_TYPES = ['https://in-toto.io/Statement/v0.1', 'https://in-toto.io/Statement/v1'] as const

export type Statement = {
  type: string
  subjects: Subject[]
  predicateType: string | null
  predicate: unknown
  /** The Statement as decoded, for display. */
  value: Record<string, unknown>
  /** Bytes after the Statement's JSON that were ignored (sloppy producers); 0 normally. */
  trailingBytes: number
}

/** Reads an in-toto Statement (v0.1 or v1) from an envelope's payload bytes. */
export function parseStatement(payload: Buffer): Statement {
  let value: unknown
  let trailingBytes = 0
  try {
    ;({ value, ignoredBytes: trailingBytes } = parseJsonPrefix(payload))
  } catch (error) {
    if (error instanceof IngestError) throw new IngestError('invalid-statement', `the payload is not a JSON Statement: ${error.message}`, `$.payload(decoded)${error.path?.slice(1) ?? ''}`)
    throw error
  }
  return { ...readStatement(value, '$.payload'), trailingBytes }
}

/** Statement `_type`s this server reads; a document whose `_type` starts with this is taken for a Statement. */
export const STATEMENT_TYPE_PREFIX = 'https://in-toto.io/Statement/'

/**
 * Reads an in-toto Statement (v0.1 or v1) already parsed from JSON. `base` is where the Statement sits in the
 * submitted document (`$.payload` inside an envelope, `$` when bare), so error paths point into what was sent.
 */
export function readStatement(value: unknown, base: string): Statement {
  const where = base === '$' ? 'the document' : 'the payload'
  if (!isRecord(value)) throw new IngestError('invalid-statement', `${where} is ${kindOf(value)}, not an in-toto Statement`, base)
  const type = value._type
  if (typeof type !== 'string' || !(STATEMENT_TYPES as readonly string[]).includes(type)) {
    throw new IngestError(
      'invalid-statement',
      `${where}'s _type is ${JSON.stringify(type)}; expected one of ${STATEMENT_TYPES.join(', ')}`,
      `${base}._type`,
    )
  }
  const predicateType = value.predicateType
  if (predicateType !== undefined && typeof predicateType !== 'string') {
    throw new IngestError('invalid-statement', `predicateType must be a string, found ${kindOf(predicateType)}`, `${base}.predicateType`)
  }
  return {
    type,
    // Tekton Chains writes `subject: null`; that is a Statement about nothing in particular, not an error.
    subjects: readSubjects(value.subject, base),
    predicateType: predicateType ?? null,
    predicate: value.predicate,
    value,
    trailingBytes: 0,
  }
}

function readSubjects(value: unknown, base: string): Subject[] {
  if (value === null || value === undefined) return []
  if (!Array.isArray(value)) throw new IngestError('invalid-statement', `subject must be an array, found ${kindOf(value)}`, `${base}.subject`)
  return value.map((subject, index) => {
    const path = `${base}.subject[${index}]`
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
