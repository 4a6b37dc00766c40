import { fileURLToPath } from 'node:url'
import { parseAst, type Plugin } from 'vite'

const SRC = fileURLToPath(new URL('../src/', import.meta.url))
const SHIM = fileURLToPath(new URL('../src/lib/zod-on-mini.ts', import.meta.url))
const CONTRACT = /\/src\/contract\/[^/]+\.ts$/
/** `zod` as the SPA's code sees it in the browser build: the shim's exports as the namespace `z`, as classic zod exports it. */
const ZOD = '\0provenance:zod-on-mini'

/**
 * In the browser build, `import { z } from 'zod'` in the SPA's own code (src/**, the contract included) resolves to
 * the exports of src/lib/zod-on-mini.ts as `z` (a namespace, so the bundler keeps only the constructors called):
 * classic zod's API for what the contract uses, built on `zod/mini`, which bundles only
 * what is called (about 11 kB gzip instead of 21). The server, scripts, tests and type checking keep classic zod;
 * both make the same core schemas (src/lib/zod-on-mini.test.ts compares them). Libraries under node_modules are
 * left alone. With it, `contractSchemasOnDemand` (below).
 */
export function zodOnMini(): Plugin[] {
  return [
    {
      name: 'provenance:zod-on-mini',
      apply: 'build',
      enforce: 'pre',
      resolveId(source, importer) {
        if (source !== 'zod' || importer === undefined || importer === SHIM) return null
        if (!importer.startsWith(SRC)) return null
        return ZOD
      },
      load(id) {
        return id === ZOD ? `export * as z from ${JSON.stringify(SHIM)}` : null
      },
    },
    contractSchemasOnDemand(),
  ]
}

/**
 * The contract's modules declare, beside the responses the SPA parses, what only the server reads: route tables,
 * query and body schemas. A bundler must keep a top-level `z.object(…).optional()` it cannot prove free of side
 * effects, so the browser built (and downloaded) every one of them. Building a schema has no side effect (the
 * browser's `.meta()` keeps nothing, src/lib/zod-on-mini.ts), so in the browser build each top-level declaration of
 * a contract module is marked pure and dropped where nothing the SPA bundles reads it. What is read is unchanged:
 * the declaration is wrapped as `/* @__PURE__ *\/ (() => (init))()`, evaluated where it was, and the minifier
 * unwraps it again. The documenting calls, `.meta(…)` and `.describe(…)`, are blanked first (`withoutDocumentation`).
 * A contract module is then declared free of side effects as a whole, so one that a module imports without reading
 * any of its schemas (a re-export, a server-only route table) is not loaded either: src/contract/builds.ts
 * re-exports the project list, which the screens that only filter by project import from ./projects.ts.
 */
export function contractSchemasOnDemand(): Plugin {
  return {
    name: 'provenance:contract-schemas-on-demand',
    apply: 'build',
    // After TypeScript is stripped: the initialisers are plain JavaScript here.
    enforce: 'post',
    transform: {
      filter: { id: CONTRACT },
      handler(code, id) {
        const bare = withoutDocumentation(code)
        const edits = pureDeclarations(bare)
        return { ...withInsertions(bare, edits, id), moduleSideEffects: false }
      },
    },
  }
}

/** The schema methods that only document (OpenAPI); in the browser they return the schema itself (src/lib/zod-on-mini.ts). */
const DOCUMENTING = new Set(['meta', 'describe'])

type Call = { type?: string; end: number; callee?: { type: string; computed: boolean; object: { end: number }; property: { type: string; name?: string } } }

/**
 * `code` with every `.meta(…)` and `.describe(…)` call blanked out (`z.string().meta({ description: '…' })` reads
 * `z.string()` followed by spaces): in the browser they return the schema they are called on, so only their
 * arguments, the OpenAPI descriptions, were left in the bundle (about 2 kB raw over the contract). Blanks keep
 * every other character where it was, line breaks included, so the source map `withInsertions` writes stays true.
 */
export function withoutDocumentation(code: string): string {
  const spans: { start: number; end: number }[] = []
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit)
    if (typeof node !== 'object' || node === null) return
    const call = node as Call
    const callee = call.type === 'CallExpression' && call.callee?.type === 'MemberExpression' && !call.callee.computed ? call.callee : undefined
    if (callee?.property.type === 'Identifier' && DOCUMENTING.has(callee.property.name ?? '')) spans.push({ start: callee.object.end, end: call.end })
    for (const value of Object.values(node)) if (typeof value === 'object') visit(value)
  }
  visit(parseAst(code).body)
  let out = code
  // A call inside another's arguments is blanked with it; blanking it twice changes nothing.
  for (const { start, end } of spans) out = out.slice(0, start) + out.slice(start, end).replace(/[^\n]/g, ' ') + out.slice(end)
  return out
}

type Insertion = { at: number; text: string }
type Node = { type: string; start: number; end: number }
type Declarator = { init: Node | null }
type Statement = Node & { declaration?: (Node & { declarations?: Declarator[] }) | null; declarations?: Declarator[] }

/** Initialisers that compute something (a call, a spread, a member read) are wrapped; literals and functions are left as they are. */
const INERT = new Set(['Literal', 'Identifier', 'ArrowFunctionExpression', 'FunctionExpression', 'TemplateLiteral'])

export function pureDeclarations(code: string): Insertion[] {
  const edits: Insertion[] = []
  for (const statement of parseAst(code).body as unknown as Statement[]) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement
    if (declaration?.type !== 'VariableDeclaration') continue
    for (const { init } of declaration.declarations ?? []) {
      if (init === null || INERT.has(init.type)) continue
      edits.push({ at: init.start, text: '/* @__PURE__ */ (() => (' }, { at: init.end, text: '))()' })
    }
  }
  return edits
}

/**
 * `code` with `insertions` (none holding a line break) and a source map back to `code`: every token keeps its exact
 * position in the build's maps, since composed maps do not interpolate within a segment.
 */
export function withInsertions(code: string, insertions: readonly Insertion[], source: string): { code: string; map: { version: 3; sources: string[]; names: string[]; mappings: string } } {
  const sorted = [...insertions].sort((a, b) => a.at - b.at)
  let out = ''
  const lines: string[] = []
  let segments: string[] = []
  let generated = 0 // column in the output line
  let previousGenerated = 0
  let previousOriginal = 0
  let line = 0 // the original line is the same as the output line: insertions hold no line break
  let previousLine = 0
  let original = 0 // column in the original line
  const segment = (column: number) => {
    segments.push(vlq(generated - previousGenerated) + vlq(0) + vlq(line - previousLine) + vlq(column - previousOriginal))
    previousGenerated = generated
    previousOriginal = column
    previousLine = line
  }
  const copy = (from: number, to: number) => {
    for (let index = from; index < to; index++) {
      const char = code[index]!
      if (char === '\n') {
        lines.push(segments.join(','))
        segments = []
        line += 1
        generated = previousGenerated = original = 0
        continue
      }
      // A segment where a token starts (after whitespace, or at a change between word and punctuation characters).
      const before = index > from ? code[index - 1] : undefined
      if (!/\s/.test(char) && (before === undefined || kind(before) !== kind(char) || kind(char) === 'punctuation')) segment(original)
      generated += 1
      original += 1
    }
    out += code.slice(from, to)
  }
  let from = 0
  for (const { at, text } of sorted) {
    copy(from, at)
    from = at
    segment(original)
    out += text
    generated += text.length
  }
  copy(from, code.length)
  lines.push(segments.join(','))
  return { code: out, map: { version: 3, sources: [source], names: [], mappings: lines.join(';') } }
}

const kind = (char: string): 'space' | 'word' | 'punctuation' => (/\s/.test(char) ? 'space' : /[\w$]/.test(char) ? 'word' : 'punctuation')

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

function vlq(value: number): string {
  let rest = value < 0 ? (-value << 1) | 1 : value << 1
  let out = ''
  do {
    let digit = rest & 31
    rest >>>= 5
    if (rest > 0) digit |= 32
    out += BASE64[digit]
  } while (rest > 0)
  return out
}
