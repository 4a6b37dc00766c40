import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { parseAst, type ESTree, type Plugin } from 'vite'

/**
 * In the browser build, React DOM's client (react-dom-client.production.js) is specialised to what this app renders:
 * it renders with `createRoot` (src/main.tsx), never hydrates server-rendered HTML, and renders no `<ViewTransition>`,
 * `<Activity>` or `<SuspenseList>`. As published, the client carries those features behind module-level flags and
 * fiber tags that only they set; the bundler cannot know that, so it keeps every branch that tests them and the
 * functions only those branches call (hydration, view transitions' measuring and naming, Activity's and
 * SuspenseList's rendering): 6.2 kB gzip on every screen's first load and in the whole app (scripts/bundle-budget.ts).
 *
 * - `hydrateRoot` becomes a function that throws, saying why. Hydration starts nowhere else: a root, or a Suspense or
 *   Activity boundary, is hydrated only when it was made from server-rendered HTML, which only `hydrateRoot` does.
 * - Reads of `isHydrating` are `false`. React sets it true only where hydration of a root or of a dehydrated boundary
 *   starts (and in `popHydrationState`, which returns before that unless hydration started).
 * - Reads of `shouldStartViewTransition` are `false`. React sets it true only for a `<ViewTransition>` fiber (tag 30)
 *   or a subtree that holds one.
 * - What React does for fibers tagged 19, 30 and 31 (UNUSED_TAGS) goes: `createFiberFromTypeAndProps` makes such
 *   fibers only from those three components' elements. The build fails if any module but React's own uses one of
 *   them (`unrenderedUser`).
 *
 * Why each holds was read in the React DOM releases of REVIEWED; the build fails on any other release until someone
 * reads it again, and when the code stops looking as it did (a flag declared once at the top of the module as
 * `false`, only ever assigned `true` or `false`; `exports.hydrateRoot = …`). The dev server and the unit tests keep
 * React DOM as published; the end-to-end tests run this build.
 */
export function reactDomClientOnly(): Plugin {
  const require = createRequire(import.meta.url)
  const root = dirname(require.resolve('react-dom/package.json'))
  const client = join(root, 'cjs', 'react-dom-client.production.js')
  const version = (require('react-dom/package.json') as { version: string }).version
  // React and React DOM declare the components' symbols themselves.
  const reactItself = [`${root}/`, `${dirname(require.resolve('react/package.json'))}/`]
  let specialised = 0
  return {
    name: 'provenance:react-dom-client-only',
    apply: 'build',
    buildStart() {
      if (!REVIEWED.has(version)) this.error(`React DOM ${version} has not been reviewed for scripts/vite-react-dom-client-only.ts (reviewed: ${[...REVIEWED].join(', ')}): check that its hydration and view-transition flags are still set only as said there, then add the release to REVIEWED`)
    },
    transform(code, id) {
      if (id.split('?')[0] === client) {
        specialised++
        try {
          return { code: specialiseClient(code), map: null }
        } catch (error) {
          this.error(`${(error as Error).message}; update scripts/vite-react-dom-client-only.ts`)
        }
      }
      if (!reactItself.some((dir) => id.startsWith(dir))) {
        const used = unrenderedUser(code)
        if (used !== null) this.error(`${id} uses React's ${used}, which this build of React DOM cannot render (scripts/vite-react-dom-client-only.ts): take it out of that plugin's UNUSED_TAGS first`)
      }
      return null
    },
    buildEnd(error) {
      if (error === undefined && specialised !== 1) this.error(`React DOM's production client (${client}) was built ${specialised} times, not once; update scripts/vite-react-dom-client-only.ts`)
    },
  }
}

/** React DOM releases whose client was read to confirm what the comment of `reactDomClientOnly` says. */
export const REVIEWED: ReadonlySet<string> = new Set(['19.3.1'])

/** The flags whose reads become `false`. */
export const FOLDED = ['isHydrating', 'shouldStartViewTransition'] as const

const NO_HYDRATION = 'function () { throw Error("hydrateRoot is not in this build of React DOM (scripts/vite-react-dom-client-only.ts): render with createRoot"); }'

/** The client with `hydrateRoot` throwing and the FOLDED flags read as false; lines stay where they were. */
export function specialiseClient(code: string): string {
  const program = parseAst(code)
  const edits: Edit[] = []
  for (const name of FOLDED) edits.push(...foldFalse(program, code, name))
  edits.push(...pruneFiberTags(program, code, UNUSED_TAGS))
  const hydrateRoot = program.body.find(
    (statement): statement is ESTree.ExpressionStatement & { expression: ESTree.AssignmentExpression } =>
      statement.type === 'ExpressionStatement' && statement.expression.type === 'AssignmentExpression' && isExportsMember(statement.expression.left, 'hydrateRoot'),
  )
  if (hydrateRoot === undefined) throw new Error('React DOM\'s client has no `exports.hydrateRoot = …` statement')
  const right = hydrateRoot.expression.right
  edits.push({ start: right.start, end: right.end, text: NO_HYDRATION + '\n'.repeat(lineBreaks(code.slice(right.start, right.end))) })
  // Every edit but this one keeps its text's length, so edits inside others land where they were found.
  const replaced = edits.at(-1)!
  if (edits.some((edit) => edit !== replaced && edit.end > replaced.start && edit.start < replaced.end)) throw new Error('React DOM\'s `hydrateRoot` holds code this plugin also edits')
  edits.sort((a, b) => b.start - a.start)
  let result = code
  for (const edit of edits) result = result.slice(0, edit.start) + edit.text + result.slice(edit.end)
  return result
}

/** React's components this build of React DOM cannot render (`UNUSED_TAGS`), and the symbols of their elements. */
const UNRENDERED = ['ViewTransition', 'Activity', 'SuspenseList']
const UNRENDERED_NAME = new RegExp(`^(unstable_)?(${UNRENDERED.join('|')})$`)
const UNRENDERED_MEMBER = new RegExp(`\\bReact\\.((?:unstable_)?(?:${UNRENDERED.join('|')}))\\b`)

/**
 * Which of React's UNRENDERED components a module uses, or null: a named import of one from `react`, or a read of one
 * from a `React` namespace. (Their elements' symbols are not a use: react-is, say, declares them to tell elements
 * apart.)
 */
export function unrenderedUser(code: string): string | null {
  for (const match of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*["']react["']/g)) {
    const used = match[1]!.split(',').map((specifier) => specifier.trim().split(/\s+as\s+/)[0]!).find((name) => UNRENDERED_NAME.test(name))
    if (used !== undefined) return used
  }
  const member = UNRENDERED_MEMBER.exec(code)
  return member === null ? null : member[1]!
}

/**
 * Fiber tags no fiber of this app has: made only from `<SuspenseList>` (19), `<ViewTransition>` (30) and `<Activity>`
 * (31) elements, which it does not render (`unrenderedUser` fails the build on a use).
 */
export const UNUSED_TAGS: ReadonlySet<number> = new Set([19, 30, 31])

type Edit = { start: number; end: number; text: string }
type Node = ESTree.Node & { start: number; end: number }

const lineBreaks = (text: string) => text.split('\n').length - 1

function isExportsMember(node: ESTree.Node, property: string): boolean {
  return node.type === 'MemberExpression' && !node.computed && node.object.type === 'Identifier' && node.object.name === 'exports' && node.property.type === 'Identifier' && node.property.name === property
}

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression'])

/**
 * Edits that make every read of the module-level `name` the literal `false` (padded to the same length), leaving its
 * declaration and assignments alone. Throws unless `name` is declared once at the top level as `!1` and is only ever
 * assigned `!0` or `!1`: then its value is always one of the two, and the callers' reasons say it is never the first.
 * A function that declares its own `name` (a parameter, say) keeps its reads.
 */
export function foldFalse(program: ESTree.Program, code: string, name: string): Edit[] {
  const declarators = program.body.flatMap((statement) => (statement.type === 'VariableDeclaration' ? statement.declarations : [])).filter((declarator) => declarator.id.type === 'Identifier' && declarator.id.name === name)
  const init = declarators[0]?.init
  if (declarators.length !== 1 || init == null || code.slice(init.start, init.end) !== '!1') throw new Error(`React DOM's client does not declare \`${name} = !1\` once at its top level`)
  const edits: Edit[] = []
  const visit = (node: Node, parent: Node | null, key: string, shadowed: boolean) => {
    if (FUNCTIONS.has(node.type)) shadowed ||= declares(node as ESTree.Function, name)
    if (node.type === 'Identifier' && node.name === name && !shadowed) {
      if (parent?.type === 'AssignmentExpression' && key === 'left') {
        const value = code.slice(parent.right.start, parent.right.end)
        if (parent.operator !== '=' || (value !== '!0' && value !== '!1')) throw new Error(`React DOM's client assigns \`${name}\` something other than true or false: ${code.slice(parent.start, parent.end)}`)
      } else if (parent?.type === 'UpdateExpression') {
        throw new Error(`React DOM's client updates \`${name}\` in place`)
      } else if (!isNameOnly(parent, key)) {
        edits.push({ start: node.start, end: node.end, text: 'false'.padEnd(node.end - node.start) })
      }
    }
    for (const [childKey, child] of children(node)) visit(child, node, childKey, shadowed)
  }
  visit(program, null, '', false)
  if (edits.length === 0) throw new Error(`React DOM's client never reads \`${name}\``)
  return edits
}

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'

/** A node's child nodes, each with the key it is under. */
function* children(node: Node): Generator<[string, Node]> {
  for (const [key, value] of Object.entries(node)) for (const child of Array.isArray(value) ? value : [value]) if (isNode(child)) yield [key, child]
}

/** Where an identifier is a name, not a read: a declared name, a property's key, a member after its dot. */
function isNameOnly(parent: Node | null, key: string): boolean {
  if (parent === null) return false
  if (parent.type === 'VariableDeclarator' && key === 'id') return true
  if (parent.type === 'MemberExpression' && key === 'property' && !parent.computed) return true
  if ((parent.type === 'Property' || parent.type === 'MethodDefinition' || parent.type === 'PropertyDefinition') && key === 'key' && !parent.computed) return true
  return FUNCTIONS.has(parent.type) && key === 'id'
}

/** Whether a function declares `name` itself: its own name (an expression's), a parameter or a `var`/`let`/`const` inside it. */
function declares(fn: ESTree.Function, name: string): boolean {
  if (fn.type === 'FunctionExpression' && fn.id?.name === name) return true
  let found = false
  const names = (pattern: ESTree.Node | null) => {
    if (pattern === null || found) return
    if (pattern.type === 'Identifier') found = pattern.name === name
    else if (pattern.type === 'AssignmentPattern') names(pattern.left)
    else if (pattern.type === 'RestElement') names(pattern.argument)
    else if (pattern.type === 'ArrayPattern') pattern.elements.forEach(names)
    else if (pattern.type === 'ObjectPattern') pattern.properties.forEach((property) => names(property.type === 'RestElement' ? property : property.value))
  }
  fn.params.forEach(names)
  const inside = (node: Node) => {
    if (found) return
    if (node.type === 'VariableDeclarator') names(node.id)
    if (node.type === 'CatchClause') names(node.param)
    for (const [, child] of children(node)) if (!FUNCTIONS.has(child.type)) inside(child)
  }
  if (fn.body !== null) inside(fn.body)
  return found
}

const JUMPS = new Set(['ReturnStatement', 'ThrowStatement', 'BreakStatement', 'ContinueStatement'])

/**
 * Edits that take out what React does for fibers whose tag is in `tags`: in a `switch (x.tag)`, a case for such a tag
 * (its label, and its statements when no other label leads to them and the case before it cannot fall into them),
 * and each comparison `x.tag === t` (`false`) or `!==` (`true`).
 */
export function pruneFiberTags(program: ESTree.Program, code: string, tags: ReadonlySet<number>): Edit[] {
  const edits: Edit[] = []
  const isTag = (node: ESTree.Node) => node.type === 'MemberExpression' && !node.computed && node.property.type === 'Identifier' && node.property.name === 'tag'
  const unused = (node: ESTree.Node | null | undefined) => node?.type === 'Literal' && typeof node.value === 'number' && tags.has(node.value)
  const visit = (node: Node) => {
    if (node.type === 'SwitchStatement' && isTag(node.discriminant)) {
      const cases = node.cases as (ESTree.SwitchCase & Node)[]
      let from = 0
      // Labels stacked on one body form a group: [from, to] with the statements on `to`.
      for (let to = 0; to < cases.length; to++) {
        if (cases[to]!.consequent.length === 0 && to < cases.length - 1) continue
        const group = cases.slice(from, to + 1)
        const before = cases[from - 1]
        const last = before?.consequent.at(-1)
        const fallsIn = before !== undefined && (last === undefined || !JUMPS.has(last.type))
        const dropped = group.filter((label) => unused(label.test))
        if (dropped.length === group.length && !fallsIn) edits.push(blank(code, { start: group[0]!.start, end: group.at(-1)!.end }))
        else for (const label of dropped) if (label !== group.at(-1)) edits.push(blank(code, label))
        from = to + 1
      }
    }
    if (node.type === 'BinaryExpression' && ['===', '!==', '==', '!='].includes(node.operator)) {
      const { left, right } = node
      if ((isTag(left) && unused(right)) || (isTag(right) && unused(left))) {
        edits.push({ start: node.start, end: node.end, text: (node.operator.startsWith('!') ? 'true' : 'false').padEnd(node.end - node.start) })
        return
      }
    }
    for (const [, child] of children(node)) visit(child)
  }
  visit(program)
  return edits
}

/** Removed text becomes spaces, its line breaks kept. */
function blank(code: string, node: { start: number; end: number }): Edit {
  return { start: node.start, end: node.end, text: code.slice(node.start, node.end).replace(/[^\n]/g, ' ') }
}
