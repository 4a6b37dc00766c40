import { parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser'
import { IngestError } from './errors'

/**
 * Turns a JSON.parse failure into "line 3, column 14: …" for the person who has to fix the file. V8's own
 * message does not always carry the position, so jsonc-parser (in strict mode) locates the first error.
 */
function jsonError(text: string, error: unknown): IngestError {
  if (error instanceof RangeError) return new IngestError('invalid-json', 'the JSON is nested too deeply to read', '$')
  const errors: ParseError[] = []
  parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false })
  const first = errors[0]
  const message = error instanceof Error ? error.message : String(error)
  if (!first) return new IngestError('invalid-json', `not valid JSON: ${message}`, '$')
  const before = text.slice(0, first.offset)
  const line = before.split('\n').length
  const column = first.offset - before.lastIndexOf('\n')
  return new IngestError('invalid-json', `not valid JSON at line ${line}, column ${column}: ${printParseErrorCode(first.error)}`, '$')
}

/** Real provenance nests a dozen levels at most; a limit keeps hostile nesting out of every later walk. */
export const MAX_JSON_DEPTH = 64

export function parseJson(raw: Buffer): unknown {
  const text = raw.toString('utf8')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw jsonError(text, error)
  }
  checkDepth(value, MAX_JSON_DEPTH)
  return value
}

/** Iterative, so the check itself cannot overflow the stack it protects. */
export function checkDepth(root: unknown, limit: number): void {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value: root, depth: 0, path: '$' }]
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!
    if (typeof value !== 'object' || value === null) continue
    if (depth >= limit) throw new IngestError('too-deep', `the JSON nests deeper than ${limit} levels`, path)
    for (const [key, child] of Object.entries(value)) {
      if (typeof child === 'object' && child !== null) {
        stack.push({ value: child, depth: depth + 1, path: Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}` })
      }
    }
  }
}


/**
 * Parses JSON that may be followed by trailing bytes (some producers append a newline, a NUL or a second
 * copy after the signed JSON). Returns how many bytes were ignored, so the verdict can say so; anything
 * wrong before the end of the first value is still an error.
 */
export function parseJsonPrefix(raw: Buffer): { value: unknown; ignoredBytes: number } {
  const text = raw.toString('utf8')
  try {
    const value: unknown = JSON.parse(text)
    checkDepth(value, MAX_JSON_DEPTH)
    return { value, ignoredBytes: 0 }
  } catch (error) {
    if (error instanceof IngestError) throw error
    const errors: ParseError[] = []
    const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false })
    const end = root ? root.offset + root.length : 0
    if (!root || end === 0 || (errors[0] && errors[0].offset < end)) throw jsonError(text, error)
    const value = parseJson(Buffer.from(text.slice(0, end)))
    return { value, ignoredBytes: Buffer.byteLength(text.slice(end)) }
  }
}
