import { isRecord } from './errors'

/**
 * The canonical JSON that in-toto v0.9 metadata is signed over (securesystemslib's `encode_canonical`, after
 * OLPC's Canonical JSON): object keys sorted by code point, no whitespace, only strings, integers, booleans,
 * null, arrays and objects, and strings escaped only for `"` and `\` (every other character, control characters
 * included, is written as itself in UTF-8). A signer and a verifier must produce the same bytes, so anything the
 * encoding cannot represent is refused rather than approximated.
 */
export class CanonicalJsonError extends Error {
  constructor(
    message: string,
    /** A JSON path into the value that was being encoded. */
    readonly path: string,
  ) {
    super(message)
    this.name = 'CanonicalJsonError'
  }
}

/** Sorts by Unicode code point as Python does; JavaScript's default sort compares UTF-16 code units. */
export function compareCodePoints(a: string, b: string): number {
  const left = a[Symbol.iterator]()
  const right = b[Symbol.iterator]()
  for (;;) {
    const x = left.next()
    const y = right.next()
    if (x.done === true) return y.done === true ? 0 : -1
    if (y.done === true) return 1
    const diff = (x.value.codePointAt(0) ?? 0) - (y.value.codePointAt(0) ?? 0)
    if (diff !== 0) return diff
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/
/** `$.a.b` for plain keys, `$["a-b"]` for others, so a path can always be read back unambiguously. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`
}

function encodeString(value: string): string {
  return `"${value.replace(/["\\]/g, (char) => `\\${char}`)}"`
}

/**
 * `at` is the path to `value` as keys, spelled out (with childPath) only when a value cannot be encoded: building
 * a path string for every value would cost more than the encoding.
 */
function encode(value: unknown, at: (string | number)[], out: string[]): void {
  if (value === null) out.push('null')
  else if (value === true) out.push('true')
  else if (value === false) out.push('false')
  else if (typeof value === 'string') out.push(encodeString(value))
  else if (typeof value === 'number') {
    if (!Number.isInteger(value)) {
      throw new CanonicalJsonError(`${String(value)} is not an integer; canonical JSON has no floating-point numbers`, pathOf(at))
    }
    // BigInt prints every integer digit for digit (1e21 as 1000000000000000000000), as Python's int does.
    out.push(BigInt(value).toString())
  } else if (Array.isArray(value)) {
    out.push('[')
    value.forEach((item: unknown, index) => {
      if (index > 0) out.push(',')
      at.push(index)
      encode(item, at, out)
      at.pop()
    })
    out.push(']')
  } else if (isRecord(value)) {
    const record = value
    out.push('{')
    Object.keys(record)
      .sort(compareCodePoints)
      .forEach((key, index) => {
        if (index > 0) out.push(',')
        out.push(encodeString(key), ':')
        at.push(key)
        encode(record[key], at, out)
        at.pop()
      })
    out.push('}')
  } else {
    throw new CanonicalJsonError(`${typeof value} has no canonical JSON form`, pathOf(at))
  }
}

const pathOf = (at: readonly (string | number)[]) => at.reduce<string>(childPath, '$')

/** Encodes a parsed JSON value canonically. Throws CanonicalJsonError naming the first value it cannot encode. */
export function canonicalJson(value: unknown): string {
  const out: string[] = []
  try {
    encode(value, [], out)
  } catch (error) {
    // A value nested deeper than the stack allows cannot be signed by anyone either.
    if (error instanceof RangeError) throw new CanonicalJsonError('the value is nested too deeply to encode', '$')
    throw error
  }
  return out.join('')
}
