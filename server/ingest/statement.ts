import { z } from 'zod'
import type { Subject } from '../../src/contract/common'
import { IngestError, isRecord } from './errors'
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
  const { value, trailingBytes } = parsePayload(payload)
  return { ...readStatement(value, '$.payload'), trailingBytes }
}

/**
 * The JSON value of an envelope's payload, and how many bytes after it were ignored; not JSON is an IngestError of
 * the Statement it should have been. For a reader that looks at the value before taking it for a Statement.
 */
export function parsePayload(payload: Buffer): { value: unknown; trailingBytes: number } {
  try {
    const { value, ignoredBytes } = parseJsonPrefix(payload)
    return { value, trailingBytes: ignoredBytes }
  } catch (error) {
    if (error instanceof IngestError) throw new IngestError('invalid-statement', `the payload is not a JSON Statement: ${error.message}`, `$.payload(decoded)${error.path?.slice(1) ?? ''}`)
    throw error
  }
}

/** Statement `_type`s this server reads; a document whose `_type` starts with this is taken for a Statement. */
export const STATEMENT_TYPE_PREFIX = 'https://in-toto.io/Statement/'

/**
 * Reads an in-toto Statement (v0.1 or v1) already parsed from JSON. `base` is where the Statement sits in the
 * submitted document (`$.payload` inside an envelope, `$` when bare), so error paths point into what was sent.
 */
export function readStatement(value: unknown, base: string): Statement {
  return read(value, base, true)
}

/** readStatement with the schemas alone: what its well-formed shortcut is tested against. */
export function readStatementBySchema(value: unknown, base: string): Statement {
  return read(value, base, false)
}

function read(value: unknown, base: string, fast: boolean): Statement {
  const record = isRecord(value) ? value : readAs(STATEMENT, jsonObject, value, base)
  const fields = (fast ? wellFormedFields(record) : null) ?? readAs(STATEMENT, StatementFields, record, base)
  return {
    type: fields._type,
    subjects: fields.subject,
    predicateType: fields.predicateType ?? null,
    predicate: fields.predicate,
    value: record,
    trailingBytes: 0,
  }
}

/**
 * The Statement's fields when each has the form the specification gives, read as StatementFields reads them, without
 * zod (which cost as much as the rest of reading a Statement); null at the first value of another form, for the
 * schema to read and report.
 */
function wellFormedFields(record: Record<string, unknown>): z.output<typeof StatementFields> | null {
  const type = record._type
  const predicateType = record.predicateType
  if ((type !== STATEMENT_TYPES[0] && type !== STATEMENT_TYPES[1]) || (predicateType !== undefined && typeof predicateType !== 'string')) return null
  const subjects: Subject[] = []
  const subject = record.subject
  if (subject !== undefined && subject !== null) {
    if (!Array.isArray(subject)) return null
    for (const item of subject as unknown[]) {
      if (!isRecord(item)) return null
      const { name, digest } = item
      if (name !== undefined && typeof name !== 'string') return null
      if (digest !== undefined && !isRecord(digest)) return null
      const entries: [string, string][] = []
      if (digest !== undefined) for (const algorithm in digest) {
        const hex = digest[algorithm]
        if (typeof hex !== 'string') return null
        entries.push([algorithm.toLowerCase(), hex.toLowerCase()])
      }
      // fromEntries, as digestSet: even a "__proto__" key stays data.
      subjects.push({ name: name ?? '', digest: Object.fromEntries(entries) })
    }
  }
  return { _type: type, predicateType, subject: subjects, predicate: record.predicate }
}
