import { z } from 'zod'
import type { Subject } from '../../src/contract/common'
import { IngestError } from './errors'
import { parseJsonPrefix } from './json'
import { digestSet, jsonObject, list, readAs, type DocumentFormat } from './read'

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

const STATEMENT: DocumentFormat = { code: 'invalid-statement', label: 'an in-toto Statement' }

const StatementFields = z.object({
  _type: z.enum(STATEMENT_TYPES, {
    error: (issue) => `_type is ${JSON.stringify(issue.input)?.slice(0, 80) ?? 'missing'}; expected one of ${STATEMENT_TYPES.join(', ')}`,
  }),
  predicateType: z.string().optional(),
  // Tekton Chains writes `subject: null`; that is a Statement about nothing in particular, not an error.
  subject: list(
    z.object({ digest: digestSet.optional(), name: z.string().optional() }).transform(({ name, digest }): Subject => ({ name: name ?? '', digest: digest ?? {} })),
  ),
  predicate: z.unknown().optional(),
})

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
  const record = readAs(STATEMENT, jsonObject, value, base)
  const fields = readAs(STATEMENT, StatementFields, record, base)
  return {
    type: fields._type,
    subjects: fields.subject,
    predicateType: fields.predicateType ?? null,
    predicate: fields.predicate,
    value: record,
    trailingBytes: 0,
  }
}
