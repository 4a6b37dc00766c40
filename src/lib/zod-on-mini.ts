import * as m from 'zod/mini'

/**
 * The part of classic zod's API that the SPA's schemas use (src/contract/**, the URL filters), built on `zod/mini`.
 * The browser build resolves `import { z } from 'zod'` in code under src/ to this module's exports as `z`
 * (scripts/vite-zod-mini.ts); the server, the OpenAPI writer and type checking keep classic zod. Why: classic zod
 * puts every method on every schema, so the whole library (about 21 kB gzip) loaded with every screen; here only
 * what the contract calls is bundled.
 *
 * Each constructor is its own export and a schema's methods are installed on the prototype of its kind when the
 * first schema of that kind is made, so a kind that no schema the SPA bundles uses (a URL, say) costs nothing.
 *
 * Both libraries build the same schema definitions in zod's core and parse with the same code, so a schema made
 * here accepts, rejects and transforms exactly as the classic one does (zod-on-mini.test.ts compares every
 * schema of the contract and of the URL filters, definition by definition). A method the contract starts using
 * that is missing here fails that test on import.
 *
 * Not kept, because the browser never reads them: `.meta()` and `.describe()` (OpenAPI documentation only) return
 * the schema itself rather than a copy registered with its documentation.
 */

type Schema = m.ZodMiniType
type Params = string | { error?: string; message?: string } | undefined
type Shape = Record<string, Schema>

const methods = {
  optional(this: Schema) {
    return withMethods(m.optional(this))
  },
  nullable(this: Schema) {
    return withMethods(m.nullable(this))
  },
  array(this: Schema) {
    return withMethods(m.array(this))
  },
  default(this: Schema, value: unknown) {
    return withMethods(m._default(this, value))
  },
  catch(this: Schema, value: unknown) {
    return withMethods(m.catch(this, value))
  },
  transform(this: Schema, fn: (value: unknown, ctx: m.core.ParsePayload) => unknown) {
    return withMethods(m.pipe(this, withMethods(m.transform(fn))))
  },
  pipe(this: Schema, target: Schema) {
    return withMethods(m.pipe(this, target))
  },
  refine(this: Schema, fn: (value: unknown) => unknown, params?: Params) {
    return this.check(m.refine(fn, params))
  },
  superRefine(this: Schema, fn: (value: unknown, ctx: m.core.$RefinementCtx) => void) {
    return this.check(m.superRefine(fn))
  },
  meta(this: Schema) {
    return this
  },
  describe(this: Schema) {
    return this
  },
  // Numbers bound their value, strings and arrays their length, as in classic zod.
  min(this: Schema, value: number, params?: Params) {
    return this.check(this._zod.def.type === 'number' ? m.gte(value, params) : m.minLength(value, params))
  },
  max(this: Schema, value: number, params?: Params) {
    return this.check(this._zod.def.type === 'number' ? m.lte(value, params) : m.maxLength(value, params))
  },
  int(this: Schema, params?: Params) {
    return this.check(m.int(params))
  },
  positive(this: Schema, params?: Params) {
    return this.check(m.gt(0, params))
  },
  nonnegative(this: Schema, params?: Params) {
    return this.check(m.gte(0, params))
  },
  gt(this: Schema, value: number, params?: Params) {
    return this.check(m.gt(value, params))
  },
  // Classic zod's `.finite()` checks nothing (numbers are finite already) and returns the schema.
  finite(this: Schema) {
    return this
  },
  regex(this: Schema, pattern: RegExp, params?: Params) {
    return this.check(m.regex(pattern, params))
  },
  trim(this: Schema) {
    return this.check(m.trim())
  },
  toLowerCase(this: Schema) {
    return this.check(m.toLowerCase())
  },
  strict(this: m.ZodMiniObject) {
    // mergeDefs, as classic does: a spread would resolve the shape's getter.
    return this.clone(m.util.mergeDefs(this._zod.def, { catchall: m.never() }) as m.ZodMiniObject['_zod']['def'])
  },
  extend(this: m.ZodMiniObject, shape: Shape) {
    return m.extend(this, shape)
  },
}

// Not enumerable, so zod's own prototype scan does not copy them onto each instance.
const descriptors = Object.fromEntries(Object.entries(methods).map(([name, value]) => [name, { value, writable: true, configurable: true }]))
const installed = new WeakSet<object>()

/**
 * The schema, with classic's methods on the prototype of its kind. On the prototype, not the instance: schemas are
 * copied (`check()` clones) and copies keep their prototype.
 */
function withMethods<T extends Schema>(schema: T): T {
  const prototype = Object.getPrototypeOf(schema) as object
  if (!installed.has(prototype)) {
    installed.add(prototype)
    Object.defineProperties(prototype, descriptors)
  }
  return schema
}

// Error messages read as classic zod's (the API client shows the first issues of a response that breaks the
// contract); classic sets English when its first schema is made, mini leaves that to us. Not zod's whole English
// locale: only what the contract's schemas can report (`contractErrors`, below).
// (Classic zod also installs a memoizer for recursive schemas; this API offers no `z.lazy`, so none is needed.)
m.config({ localeError: (issue) => contractErrors(issue) })

/** A constructor of zod/mini that gives its schemas classic's methods. */
/* @__NO_SIDE_EFFECTS__ */
function classic<A extends unknown[], S extends Schema>(make: (...args: A) => S): (...args: A) => S {
  return (...args) => withMethods(make(...args))
}

export const string = /* @__PURE__ */ classic(m.string)
export const url = /* @__PURE__ */ classic(m.url)
export const iso = { datetime: /* @__PURE__ */ classic(m.iso.datetime) }
export const coerce = { number: /* @__PURE__ */ classic(m.coerce.number) }
export const number = /* @__PURE__ */ classic(m.number)
export const boolean = /* @__PURE__ */ classic(m.boolean)
export const object = /* @__PURE__ */ classic(m.object)
export const array = /* @__PURE__ */ classic(m.array)
export const tuple = /* @__PURE__ */ classic(m.tuple)
const enumOf = /* @__PURE__ */ classic(m.enum)
export { enumOf as enum }
export const literal = /* @__PURE__ */ classic(m.literal)
export const union = /* @__PURE__ */ classic(m.union)
export const discriminatedUnion = /* @__PURE__ */ classic(m.discriminatedUnion)
export const record = /* @__PURE__ */ classic(m.record)
export const partialRecord = /* @__PURE__ */ classic(m.partialRecord)
export const unknown = /* @__PURE__ */ classic(m.unknown)

const units: Partial<Record<string, string>> = { string: 'characters', file: 'bytes', array: 'items', set: 'items', map: 'entries' }
/** The string formats of zod's English locale that the contract's schemas use; zod-on-mini.test.ts checks there is no other. */
export const formats: Partial<Record<string, string>> = { regex: 'input', url: 'URL', datetime: 'ISO datetime' }

function typeName(type: string, input?: unknown): string {
  if (type === 'number' && typeof input === 'number' && !Number.isFinite(input)) return String(input)
  return type === 'nan' ? 'NaN' : type
}

/**
 * Zod's English messages (zod/locales/en) for the issues the contract's schemas can raise, in the same words: the
 * full locale also words a dozen string formats, file sizes and prefixes no schema here has.
 * zod-on-mini.test.ts compares the two, issue code by issue code.
 */
export function contractErrors(issue: m.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `Invalid input: expected ${typeName(issue.expected)}, received ${typeName(m.util.parsedType(issue.input), issue.input)}`
    case 'invalid_value':
      if (issue.values.length === 1) return `Invalid input: expected ${m.util.stringifyPrimitive(issue.values[0])}`
      return `Invalid option: expected one of ${m.util.joinValues(issue.values, '|')}`
    case 'too_big': {
      const bound = `${issue.exact ? 'exactly ' : issue.inclusive ? '<=' : '<'}${issue.maximum.toString()}`
      const unit = units[issue.origin]
      return unit ? `Too big: expected ${issue.origin} to have ${bound} ${unit}` : `Too big: expected ${issue.origin ?? 'value'} to be ${bound}`
    }
    case 'too_small': {
      const bound = `${issue.exact ? 'exactly ' : issue.inclusive ? '>=' : '>'}${issue.minimum.toString()}`
      const unit = units[issue.origin]
      return unit ? `Too small: expected ${issue.origin} to have ${bound} ${unit}` : `Too small: expected ${issue.origin} to be ${bound}`
    }
    case 'invalid_format':
      if (issue.format === 'regex') return `Invalid string: must match pattern ${String(issue.pattern)}`
      return `Invalid ${formats[issue.format] ?? issue.format}`
    case 'unrecognized_keys':
      return `Unrecognized key${issue.keys.length > 1 ? 's' : ''}: ${m.util.joinValues(issue.keys, ', ')}`
    case 'invalid_key':
      return `Invalid key in ${issue.origin}`
    case 'invalid_union':
      if (Array.isArray(issue.options) && issue.options.length > 0) return `Invalid discriminator value. Expected ${issue.options.map((option) => `'${String(option)}'`).join(' | ')}`
      return issue.inclusive === false ? 'Invalid input: more than one option matched' : 'Invalid input'
    case 'invalid_element':
      return `Invalid value in ${issue.origin}`
    default:
      return 'Invalid input'
  }
}
