import { parseTree, printParseErrorCode, type Node, type ParseError, type ParseOptions } from 'jsonc-parser'
import { IngestError } from './errors'

/**
 * Turns a JSON.parse failure into "line 3, column 14: …" for the person who has to fix the file. V8's own
 * message does not always carry the position, so jsonc-parser (in strict mode) locates the first error.
 */
function jsonError(text: string, error: unknown): IngestError {
  if (error instanceof RangeError) return new IngestError('invalid-json', 'the JSON is nested too deeply to read', '$')
  const pem = /^\s*-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1]
  if (pem) return new IngestError('invalid-json', `not valid JSON: this is a PEM ${pem.toLowerCase()}, not a document; ${pemAdvice(pem)}`, '$')
  const errors: ParseError[] = []
  const message = error instanceof Error ? error.message : String(error)
  if (treeOf(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false }) === null) {
    return new IngestError('invalid-json', `not valid JSON, nested too deeply to say where: ${message}`, '$')
  }
  const first = errors[0]
  if (!first) return new IngestError('invalid-json', `not valid JSON: ${message}`, '$')
  const before = text.slice(0, first.offset)
  const line = before.split('\n').length
  const column = first.offset - before.lastIndexOf('\n')
  const found = text.slice(first.offset, first.offset + Math.max(first.length, 1)).slice(0, 20)
  return new IngestError('invalid-json', `not valid JSON at line ${line}, column ${column}: ${inWords(first, found)}`, '$')
}

/**
 * jsonc-parser's tree of the text, or null when the text opens more arrays and objects than its parser, which
 * recurses, can follow: `[` ten thousand times, never closed, is refused by JSON.parse and then overflows it.
 */
function treeOf(text: string, errors: ParseError[], options: ParseOptions): Node | undefined | null {
  try {
    return parseTree(text, errors, options)
  } catch (error) {
    if (error instanceof RangeError) return null
    throw error
  }
}

/** Where a PEM block sent as a document belongs instead. */
function pemAdvice(label: string): string {
  if (label.includes('PRIVATE')) return 'this server needs public keys only (trust.keys in the config); keep the private key secret'
  if (label.includes('CERTIFICATE')) return 'certificates are trusted through a Sigstore trusted root, named in the config under trust.trustedRoots'
  return 'a trusted key goes in the config under trust.keys (publicKeyPem)'
}

/** jsonc-parser's errors in words (by the names printParseErrorCode gives), with what was found there. */
const IN_WORDS: Record<string, (at: string) => string> = {
  InvalidSymbol: (at) => `unexpected ${at}`,
  InvalidNumberFormat: (at) => `a malformed number, ${at}`,
  PropertyNameExpected: (at) => `a property name in double quotes was expected, found ${at}`,
  ValueExpected: (at) => `a value was expected, found ${at}`,
  ColonExpected: (at) => `a colon was expected, found ${at}`,
  CommaExpected: (at) => `a comma was expected, found ${at}`,
  CloseBraceExpected: (at) => `a closing } was expected, found ${at}`,
  CloseBracketExpected: (at) => `a closing ] was expected, found ${at}`,
  EndOfFileExpected: (at) =>
    `more text follows the JSON value, from ${at}${/^"[{[]/.test(at) ? ' (a second document: send one a request, or JSONL with one document a line)' : ''}`,
  InvalidCommentToken: () => 'a comment, which JSON does not allow',
  UnexpectedEndOfComment: () => 'a comment, which JSON does not allow',
  UnexpectedEndOfString: () => 'a string that is not closed',
  UnexpectedEndOfNumber: () => 'a number that ends too soon',
  InvalidUnicode: (at) => `a malformed \\u escape, ${at}`,
  InvalidEscapeCharacter: (at) => `an escape JSON does not have, ${at}`,
  InvalidCharacter: () => 'a control character inside a string (tabs and newlines in strings must be escaped)',
}

/** The first error in words; `found` is the text it is about, shown as a JSON string. */
function inWords(error: ParseError, found: string): string {
  const name = printParseErrorCode(error.error)
  return IN_WORDS[name]?.(found === '' ? 'the end of the text' : JSON.stringify(found)) ?? name
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

/**
 * Iterative, so the check itself cannot overflow the stack it protects. Each entry keeps its parent and key, and
 * the path is spelled out only for the value that is too deep: a path string per value would cost more than the
 * walk itself on every document.
 */
export function checkDepth(root: unknown, limit: number): void {
  type Entry = { value: object; depth: number; parent: Entry | null; key: string; inArray: boolean }
  if (typeof root !== 'object' || root === null) return
  const stack: Entry[] = [{ value: root, depth: 0, parent: null, key: '', inArray: false }]
  while (stack.length > 0) {
    const entry = stack.pop()!
    if (entry.depth >= limit) throw new IngestError('too-deep', `the JSON nests deeper than ${limit} levels`, pathOf(entry))
    const inArray = Array.isArray(entry.value)
    for (const key in entry.value) {
      const child: unknown = (entry.value as Record<string, unknown>)[key]
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: entry.depth + 1, parent: entry, key, inArray })
    }
  }

  function pathOf(entry: Entry): string {
    const keys: string[] = []
    for (let at: Entry | null = entry; at?.parent; at = at.parent) keys.push(at.inArray ? `[${at.key}]` : `.${at.key}`)
    return `$${keys.reverse().join('')}`
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
    const root = treeOf(text, errors, { disallowComments: true, allowTrailingComma: false })
    const end = root ? root.offset + root.length : 0
    if (!root || end === 0 || (errors[0] && errors[0].offset < end)) throw jsonError(text, error)
    const value = parseJson(Buffer.from(text.slice(0, end)))
    return { value, ignoredBytes: Buffer.byteLength(text.slice(end)) }
  }
}
