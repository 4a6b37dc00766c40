import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { parseAst, type ESTree, type Plugin } from 'vite'

/**
 * In the browser build, `react-router` resolves to the package's production bundle (dist/production/index.mjs).
 * React Router 7's package exports name only its development bundle, whatever the mode (remix-run/react-router
 * #12532, #14102), so a plain build ships its development warnings and checks: about 3 kB gzip on every screen's
 * first load. The production bundle is the same code built by the same release with those stripped. The dev server
 * and the tests keep the development bundle and its warnings. The build fails if the package stops shipping it.
 *
 * The bundle's modules are then made tree-shakable (`markTreeShakable`): as published, a build that uses only
 * `<Router>` and a few hooks still ships `Link`, `NavLink`, `Form`, the framework-mode prefetching they render and
 * the data router's error boundary, 33 kB raw, because statements the bundler must assume have effects keep them.
 *
 * `useNavigate` (which `useSearchParams` and `useLinkClickHandler` call) asks its route context whether it renders
 * under a data router, and then takes that router's way of navigating. This app has no data router: its route
 * contexts (src/app/router.tsx) always say `isDataRoute: false`. So `useNavigate` is made to take the declarative
 * way only (`DECLARATIVE_NAVIGATE`), and the data router's navigating and the hooks it needs are left out.
 */
export function reactRouterProduction(): Plugin {
  const require = createRequire(import.meta.url)
  // The package's own directory, from its (exported) package.json.
  const root = dirname(require.resolve('react-router/package.json'))
  const production = join(root, 'dist', 'production', 'index.mjs')
  const productionDir = `${join(root, 'dist', 'production')}/`
  let factories = 0
  let navigates = 0
  return {
    name: 'provenance:react-router-production',
    apply: 'build',
    enforce: 'pre',
    async resolveId(source) {
      if (source !== 'react-router') return null
      const resolved = await this.resolve(production, undefined, { skipSelf: true })
      if (resolved === null) this.error(`React Router's production bundle is missing (${production}); update scripts/vite-react-router-production.ts`)
      return resolved
    },
    transform(code, id) {
      if (!id.startsWith(productionDir) || !id.endsWith('.mjs')) return null
      const result = markTreeShakable(code)
      factories += result.factories
      const declarative = result.code.split(DECLARATIVE_NAVIGATE.find).join(DECLARATIVE_NAVIGATE.replace)
      if (declarative !== result.code) navigates++
      // Lines stay where they were (removed statements become blanks), so the module needs no source map of its own.
      return result.edits === 0 && declarative === result.code ? null : { code: declarative, map: null }
    },
    buildEnd(error) {
      if (error === undefined && navigates !== 1) this.error(`useNavigate's choice of a data router was found in ${navigates} modules of React Router's production bundle, not 1; update scripts/vite-react-router-production.ts`)
      // The components module of the bundle declares its contexts with React's factories; finding none means the
      // bundle changed shape and every screen would silently carry the whole of React Router again.
      if (error === undefined && factories === 0) this.error("no React factory calls found in React Router's production bundle; update scripts/vite-react-router-production.ts")
    },
  }
}

/** `useNavigate`'s choice between a data router's navigating and the declarative one, and the declarative one alone. */
export const DECLARATIVE_NAVIGATE = {
  find: 'return isDataRoute ? useNavigateStable() : useNavigateUnstable();',
  replace: 'return useNavigateUnstable();',
} as const

/** React's factories whose result is a fresh object: calling one has no effect the program can observe. */
const PURE_FACTORIES = new Set(['createContext', 'forwardRef', 'memo'])
/** Static fields React reads from a class component; assigned after the class, they keep an unused class alive. */
const CLASS_STATICS = new Set(['contextType'])

type Edit = { start: number; end: number; text: string }

/**
 * Rewrites a module so that a bundler can drop what nothing uses, without changing what the used code does:
 * - `/* @__PURE__ *\/` before top-level `React.createContext(…)`, `React.forwardRef(…)` and `React.memo(…)`, which
 *   the bundler cannot know to be free of effects;
 * - top-level `X.displayName = "…"` statements are removed (the name only shows in React DevTools; in production
 *   React's error stacks use the function's own name);
 * - `C.contextType = Context` after `var C = class … {}` becomes a static field of the class, when `Context` is
 *   declared before the class (so the field reads the same value), so that an unused class goes with its field.
 * Removed text is replaced by spaces and line breaks kept, so lines and columns before an insertion stay put.
 */
export function markTreeShakable(code: string): { code: string; edits: number; factories: number } {
  const program = parseAst(code)
  const reactNamespaces = new Set<string>()
  const declaredAt = new Map<string, number>()
  const classes = new Map<string, { bodyStart: number; declaredAt: number }>()
  const edits: Edit[] = []
  let factories = 0

  for (const statement of program.body) {
    if (statement.type === 'ImportDeclaration' && statement.source.value === 'react') {
      for (const specifier of statement.specifiers) if (specifier.type === 'ImportNamespaceSpecifier') reactNamespaces.add(specifier.local.name)
    }
    if ((statement.type === 'FunctionDeclaration' || statement.type === 'ClassDeclaration') && statement.id !== null) declaredAt.set(statement.id.name, statement.start)
    if (statement.type === 'VariableDeclaration') {
      for (const declarator of statement.declarations) {
        if (declarator.id.type !== 'Identifier') continue
        declaredAt.set(declarator.id.name, declarator.start)
        const init = declarator.init
        if (init?.type === 'ClassExpression') classes.set(declarator.id.name, { bodyStart: init.body.start + 1, declaredAt: declarator.start })
        if (init?.type === 'CallExpression' && isReactFactory(init.callee, reactNamespaces)) {
          factories++
          if (!/__PURE__\s*\*\/\s*$/.test(code.slice(Math.max(0, init.start - 30), init.start))) edits.push({ start: init.start, end: init.start, text: '/* @__PURE__ */ ' })
        }
      }
    }
    if (statement.type === 'ExpressionStatement') {
      const assigned = staticAssignment(statement.expression)
      if (assigned === null || !declaredAt.has(assigned.target)) continue
      const { target, property, value } = assigned
      if (property === 'displayName' && (value.type === 'Literal' || value.type === 'TemplateLiteral')) {
        edits.push(blank(code, statement))
        continue
      }
      const owner = classes.get(target)
      const source = value.type === 'Identifier' ? declaredAt.get(value.name) : undefined
      if (owner !== undefined && CLASS_STATICS.has(property) && source !== undefined && source < owner.declaredAt) {
        edits.push({ start: owner.bodyStart, end: owner.bodyStart, text: ` static ${property} = ${code.slice(value.start, value.end)};` }, blank(code, statement))
      }
    }
  }

  edits.sort((a, b) => b.start - a.start)
  let result = code
  for (const edit of edits) result = result.slice(0, edit.start) + edit.text + result.slice(edit.end)
  return { code: result, edits: edits.length, factories }
}

function isReactFactory(callee: ESTree.Expression | ESTree.Super, namespaces: ReadonlySet<string>): boolean {
  return (
    callee.type === 'MemberExpression' &&
    !callee.computed &&
    callee.object.type === 'Identifier' &&
    namespaces.has(callee.object.name) &&
    callee.property.type === 'Identifier' &&
    PURE_FACTORIES.has(callee.property.name)
  )
}

/** `target.property = value;` with plain names, or null. */
function staticAssignment(expression: ESTree.Expression): { target: string; property: string; value: ESTree.Expression } | null {
  if (expression.type !== 'AssignmentExpression' || expression.operator !== '=') return null
  const left = expression.left
  if (left.type !== 'MemberExpression' || left.computed || left.object.type !== 'Identifier' || left.property.type !== 'Identifier') return null
  return { target: left.object.name, property: left.property.name, value: expression.right }
}

function blank(code: string, node: { start: number; end: number }): Edit {
  return { start: node.start, end: node.end, text: code.slice(node.start, node.end).replace(/[^\n]/g, ' ') }
}
