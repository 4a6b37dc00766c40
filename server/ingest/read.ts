import { z } from 'zod'
import { decodeBase64Text } from './base64'
import { childPath } from './canonical-json'
import { IngestError, isRecord, kindOf } from './errors'

/*
 * The one way a format reader reads untrusted JSON: a zod schema, parsed with `readAs`. A document that does
 * not fit becomes an IngestError that names the format it was read as and points at the first offending value
 * (`$.a[0].b`, the syntax of `childPath`), so the person who has to fix the file knows both what we took it
 * for and where it went wrong:
 *
 *   const Envelope = z.object({ payloadType: z.string(), signatures: list(Signature) })
 *   const envelope = readAs(DSSE, Envelope, value)            // throws IngestError('invalid-dsse', …, '$.payloadType')
 *
 * Plain zod schemas get messages in the house wording ("expected a string, found an array"); refinements add
 * their own with `ctx.addIssue({ code: 'custom', message })`, and a custom issue may carry its own IngestError
 * code in `params: { code }` (base64 fields say `invalid-base64` whichever format they sit in).
 *
 * A reader that is deliberately lenient says so with `lenientSchema` and `readLeniently`: the fields it
 * tolerates read as a fallback instead of failing, and it gets back every tolerated problem with its path, to
 * record in the document's verification rather than drop.
 */

/** A document format as errors name it. */
export type DocumentFormat = {
  /** The IngestError code, e.g. `invalid-cyclonedx`. */
  readonly code: string
  /** The format as a person names it, article included: "a CycloneDX SBOM". */
  readonly label: string
}

/** An IngestError for `format`: "read as a CycloneDX SBOM: <problem>" at `path`. */
export function readError(format: DocumentFormat, path: string, problem: string): IngestError {
  return new IngestError(format.code, `read as ${format.label}: ${problem}`, path)
}

/** Parses `value`, found at `path` in the submitted document, with `schema`; throws only IngestError. */
export function readAs<S extends z.ZodType>(format: DocumentFormat, schema: S, value: unknown, path = '$'): z.output<S> {
  const result = schema.safeParse(value, { error: houseMessage })
  if (result.success) return result.data
  const [first] = result.error.issues
  if (first === undefined) throw readError(format, path, 'the value does not fit')
  const at = pathOf(path, first.path)
  const code = first.code === 'custom' && typeof first.params?.code === 'string' ? first.params.code : format.code
  throw new IngestError(code, `read as ${format.label}: ${first.message}`, at)
}

/** `$.a` + ['b', 0] → `$.a.b[0]`. */
export function pathOf(base: string, keys: readonly PropertyKey[]): string {
  return keys.reduce<string>((path, key) => childPath(path, typeof key === 'symbol' ? String(key) : key), base)
}

/** What a JSON value is, for "found …": "an array", "a number", "null", and "nothing" for a missing field. */
export function found(value: unknown): string {
  return value === undefined ? 'nothing' : kindOf(value)
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  array: 'an array',
  object: 'an object',
  record: 'an object',
  null: 'null',
  nonoptional: 'a value',
}

const clip = (text: string, length = 40) => (text.length > length ? `${text.slice(0, length)}…` : text)

/** The house wording for zod's own issues; anything not listed keeps zod's message. */
function houseMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type') return `expected ${EXPECTED[issue.expected] ?? issue.expected}, found ${found(issue.input)}`
  if (issue.code === 'invalid_value') {
    const input = JSON.stringify(issue.input)
    return `expected ${issue.values.map((value) => JSON.stringify(value)).join(' or ')}, found ${input === undefined ? 'nothing' : clip(input)}`
  }
  if (issue.code === 'invalid_union') return `found ${found(issue.input)}, which fits none of the accepted shapes`
  return undefined
}

/**
 * A schema-level error for a value that is not even the right kind: `z.object(shape, expecting('a digest set'))`
 * says "expected a digest set, found an array" instead of "expected an object, …".
 */
export function expecting(what: string): { error: (issue: z.core.$ZodRawIssue) => string | undefined } {
  return { error: (issue) => (issue.code === 'invalid_type' ? `expected ${what}, found ${found(issue.input)}` : undefined) }
}

/** Absent and null both read as "not given": null. */
export function optional<S extends z.ZodType>(schema: S) {
  return schema.nullish().transform((value): z.output<S> | null => value ?? null)
}

/** Absent and null both read as empty. */
export function list<S extends z.ZodType>(item: S) {
  return z
    .array(item)
    .nullish()
    .transform((value): z.output<S>[] => value ?? [])
}

/** An RFC 3339 instant as milliseconds since the epoch; absent, null and "" read as null. */
export const instant = z
  .string()
  .nullish()
  .transform((text, ctx): number | null => {
    if (text === undefined || text === null || text === '') return null
    const ms = Date.parse(text)
    if (Number.isFinite(ms)) return ms
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text.slice(0, 40))} is not an RFC 3339 time`, input: text })
    return z.NEVER
  })

/**
 * Any value, absence included: the base of the hand-written fields below, so that their transform runs (and
 * says what it expected) when an object lacks the field, where zod would only say the value is not optional.
 */
const anyValue = z.custom<unknown>(() => true)

const DIGEST_SET = 'a digest set such as {"sha256": "…"}'

/**
 * An in-toto DigestSet (`{ "sha256": "…" }`); algorithm names and hex values lower-cased, as statements are.
 * Written by hand rather than with z.record, which drops a "__proto__" key unread: here it is data like any other.
 */
export const digestSet = anyValue.transform((value, ctx): Record<string, string> => {
  if (!isRecord(value)) {
    ctx.addIssue({ code: 'custom', message: `expected ${DIGEST_SET}, found ${found(value)}`, input: value })
    return z.NEVER
  }
  const entries: [string, string][] = []
  for (const [algorithm, hex] of Object.entries(value)) {
    if (typeof hex === 'string') entries.push([algorithm.toLowerCase(), hex.toLowerCase()])
    else ctx.addIssue({ code: 'custom', message: `expected a string, found ${found(hex)}`, input: hex, path: [algorithm] })
  }
  // fromEntries defines own properties, so even a "__proto__" key stays data.
  return Object.fromEntries(entries)
})

/**
 * An object of named entries, each read with `entry` (`{ "app.tgz": { "sha256": "…" } }`). Every key is kept as
 * data, "__proto__" included, which z.record would drop unread.
 */
export function recordOf<S extends z.ZodType>(entry: S) {
  return anyValue.transform((value, ctx): Record<string, z.output<S>> => {
    if (!isRecord(value)) {
      ctx.addIssue({ code: 'custom', message: `expected an object, found ${found(value)}`, input: value })
      return z.NEVER
    }
    const entries: [string, z.output<S>][] = []
    for (const [key, item] of Object.entries(value)) {
      const result = entry.safeParse(item, { error: houseMessage })
      if (result.success) entries.push([key, result.data])
      else for (const issue of result.error.issues) ctx.addIssue({ ...issue, path: [key, ...issue.path] })
    }
    return Object.fromEntries(entries)
  })
}

/**
 * Reads with the schema `choose` picks for the value (an array form or an object form of one field), so a
 * problem is reported where it is in the shape the value has, not as fitting none of a union's options.
 */
export function pick<T>(choose: (value: unknown) => z.ZodType<T>) {
  return anyValue.transform((value, ctx): T => {
    const result = choose(value).safeParse(value, { error: houseMessage })
    if (result.success) return result.data
    for (const issue of result.error.issues) ctx.addIssue({ ...issue })
    return z.NEVER
  })
}

/** A JSON object kept exactly as written (the same object, no key dropped), for parts stored or shown as sent. */
export const jsonObject = z.custom<Record<string, unknown>>(isRecord, { error: (issue) => `expected an object, found ${found(issue.input)}` })

/** Standard or URL-safe base64 as bytes; anything else fails with the code `invalid-base64`, whichever format it is in. */
export const base64 = anyValue.transform((value, ctx): Buffer => {
  const decoded = typeof value === 'string' ? decodeBase64Text(value) : { problem: `expected a base64 string, found ${found(value)}` }
  if ('bytes' in decoded) return decoded.bytes
  ctx.addIssue({ code: 'custom', message: decoded.problem, input: value, params: { code: 'invalid-base64' } })
  return z.NEVER
})

/** A problem a lenient reader let pass: where it was and what was wrong. The reader used a fallback instead. */
export type Tolerance = { path: string; problem: string }

/** Marks a field as tolerated: read leniently, a value `schema` refuses reads as `fallback` instead of failing. */
export type Tolerate = <S extends z.ZodType>(schema: S, fallback: z.output<S>) => S | z.ZodCatch<S>

/** A schema with tolerated fields, built twice by `lenientSchema`. */
export type LenientSchema<T> = {
  readonly lenient: z.ZodType<T>
  readonly strict: z.ZodType<T>
  /** How many times, ever, a tolerated field fell back: unchanged across a read means nothing was tolerated. */
  readonly fallbacks: () => number
}

/**
 * Builds a schema whose `tolerate`d fields fall back instead of failing. It is built twice, once lenient, to
 * read, and once strict, to list what was tolerated: every problem the strict one finds in a value the lenient
 * one accepted is a tolerated field, with its path. Build it once, at module load.
 */
export function lenientSchema<T>(build: (tolerate: Tolerate) => z.ZodType<T>): LenientSchema<T> {
  let fallbacks = 0
  return {
    lenient: build((schema, fallback) =>
      schema.catch(() => {
        fallbacks++
        return fallback
      }),
    ),
    strict: build((schema) => schema),
    fallbacks: () => fallbacks,
  }
}

/**
 * Reads like `readAs`, except that problems in tolerated fields come back as `tolerated` (first problem first)
 * instead of failing; anything not tolerated still throws IngestError.
 */
export function readLeniently<T>(format: DocumentFormat, schema: LenientSchema<T>, value: unknown, path = '$'): { value: T; tolerated: Tolerance[] } {
  const before = schema.fallbacks()
  const read = readAs(format, schema.lenient, value, path)
  // Parsing is synchronous, so the count moved only for this read; the strict pass runs only when it did.
  if (schema.fallbacks() === before) return { value: read, tolerated: [] }
  const strict = schema.strict.safeParse(value, { error: houseMessage })
  const tolerated = strict.success ? [] : strict.error.issues.map((issue) => ({ path: pathOf(path, issue.path), problem: issue.message }))
  return { value: read, tolerated }
}
