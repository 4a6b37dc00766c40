import { parseAst, type ESTree, type Plugin } from 'vite'

/**
 * d3 publishes each package as one bundled file (dist/<package>.mjs), and in it two patterns keep code the program
 * never uses: a prototype assigned after its constructor (`function Basis(context) {…}` then `Basis.prototype = {…}`),
 * and a factory called at the top level (`var curveBundle = (function custom(beta) {…})(0.85)`,
 * `var interpolateRgb = (function rgbGamma(y) {…})(1)`), which the bundler must assume have effects. So our one line
 * chart shipped all of d3-shape's curves and symbols, and d3-interpolate's colour interpolators with the whole of
 * d3-color. In the packages in PACKAGES (`markTreeShakable`):
 * - a constructor and the prototype statement right after it become one `/* @__PURE__ *\/` function call that
 *   declares the constructor, assigns its prototype and returns it, where the prototype statement was;
 * - a top-level `var x = f(…)` gets `/* @__PURE__ *\/` (d3's top-level calls build functions and tables only).
 * Lines stay where they were, so the modules need no source map of their own. The build fails if a package shows
 * neither pattern any more (it changed shape: look again at what it bundles).
 */
const PACKAGES = ['d3-interpolate', 'd3-shape'] as const
const FILE = new RegExp(`/node_modules/(${PACKAGES.join('|')})/dist/(${PACKAGES.join('|')})\\.mjs$`)

export function d3TreeShakable(): Plugin {
  return {
    name: 'provenance:d3-tree-shakable',
    apply: 'build',
    enforce: 'pre',
    transform(code, id) {
      const match = FILE.exec(id)
      if (!match || match[1] !== match[2]) return null
      const result = markTreeShakable(code)
      if (result.edits === 0)
        return this.error(`${match[1]} has no constructor with a prototype or top-level factory call left: update scripts/vite-d3-tree-shakable.ts`)
      return { code: result.code, map: null }
    },
  }
}

type Edit = { at: number; text: string }

/** The rewrite described above, for one d3 dist module. */
export function markTreeShakable(code: string): { code: string; edits: number } {
  const body = parseAst(code).body
  const edits: Edit[] = []
  body.forEach((statement, index) => {
    if (statement.type === 'VariableDeclaration') {
      for (const { init } of statement.declarations) {
        if (init?.type === 'CallExpression' && !/__PURE__\s*\*\/\s*$/.test(code.slice(Math.max(0, init.start - 30), init.start)))
          edits.push({ at: init.start, text: '/* @__PURE__ */ ' })
      }
    }
    const previous = body[index - 1]
    if (statement.type !== 'ExpressionStatement' || previous?.type !== 'FunctionDeclaration' || previous.id === null) return
    const name = previous.id.name
    if (prototypeOf(statement.expression) !== name) return
    edits.push({ at: previous.start, text: `var ${name} = /* @__PURE__ */ (() => { ` }, { at: statement.end, text: ` return ${name} })();` })
  })
  edits.sort((a, b) => b.at - a.at)
  let result = code
  for (const edit of edits) result = result.slice(0, edit.at) + edit.text + result.slice(edit.at)
  return { code: result, edits: edits.length }
}

/** `X` for `X.prototype = …` and for `(X.prototype = …).y = …`; otherwise null. */
function prototypeOf(expression: ESTree.Expression): string | null {
  if (expression.type !== 'AssignmentExpression' || expression.left.type !== 'MemberExpression') return null
  const { object, property, computed } = expression.left
  if (!computed && property.type === 'Identifier' && property.name === 'prototype' && object.type === 'Identifier') return object.name
  return object.type === 'AssignmentExpression' ? prototypeOf(object) : null
}
