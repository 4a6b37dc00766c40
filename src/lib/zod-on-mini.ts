import { en } from 'zod/locales'
import * as m from 'zod/mini'

/**
 * The part of classic zod's API that the SPA's schemas use (src/contract/**, the URL filters), built on `zod/mini`.
 * The browser build resolves `zod` to this module for code under src/ (scripts/vite-zod-mini.ts); the server, the
 * OpenAPI writer and type checking keep classic zod. Why: classic zod puts every method on every schema, so the
 * whole library (about 21 kB gzip) loaded with every screen; here only what the contract calls is bundled.
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

// Error messages read as classic zod's (the API client shows the first issues of a response that breaks the
// contract); classic sets English when its first schema is made, mini leaves that to us.
// (Classic zod also installs a memoizer for recursive schemas; this API offers no `z.lazy`, so none is needed.)
m.config(en())

const methods = {
  optional(this: Schema) {
    return m.optional(this)
  },
  nullable(this: Schema) {
    return m.nullable(this)
  },
  array(this: Schema) {
    return m.array(this)
  },
  default(this: Schema, value: unknown) {
    return m._default(this, value)
  },
  catch(this: Schema, value: unknown) {
    return m.catch(this, value)
  },
  transform(this: Schema, fn: (value: unknown, ctx: m.core.ParsePayload) => unknown) {
    return m.pipe(this, m.transform(fn))
  },
  pipe(this: Schema, target: Schema) {
    return m.pipe(this, target)
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

// On the prototype of each kind of schema the SPA makes, not on instances: schemas are copied (`check()` clones)
// and copies keep their prototype. Not enumerable, so zod's own prototype scan does not copy them per instance.
const kinds = [
  m.ZodMiniString,
  m.ZodMiniURL,
  m.ZodMiniISODateTime,
  m.ZodMiniNumber,
  m.ZodMiniNumberFormat,
  m.ZodMiniBoolean,
  m.ZodMiniObject,
  m.ZodMiniArray,
  m.ZodMiniTuple,
  m.ZodMiniEnum,
  m.ZodMiniLiteral,
  m.ZodMiniUnion,
  m.ZodMiniDiscriminatedUnion,
  m.ZodMiniRecord,
  m.ZodMiniUnknown,
  m.ZodMiniOptional,
  m.ZodMiniNullable,
  m.ZodMiniDefault,
  m.ZodMiniCatch,
  m.ZodMiniPipe,
  m.ZodMiniTransform,
]
const descriptors = Object.fromEntries(Object.entries(methods).map(([name, value]) => [name, { value, writable: true, configurable: true }]))
for (const kind of kinds) Object.defineProperties(kind.prototype, descriptors)

export const z = {
  string: m.string,
  url: m.url,
  iso: { datetime: m.iso.datetime },
  coerce: { number: m.coerce.number },
  number: m.number,
  boolean: m.boolean,
  object: m.object,
  array: m.array,
  tuple: m.tuple,
  enum: m.enum,
  literal: m.literal,
  union: m.union,
  discriminatedUnion: m.discriminatedUnion,
  record: m.record,
  partialRecord: m.partialRecord,
  unknown: m.unknown,
}
