import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build, type Plugin, type Rolldown } from 'vite'
import { afterAll, describe, expect, it } from 'vitest'
import { markTreeShakable, reactRouterProduction } from './vite-react-router-production'

describe('markTreeShakable', () => {
  const source = [
    'import * as React from "react";',
    'import * as Other from "other";',
    'var Before = React.createContext(null);',
    'Before.displayName = "Before";',
    'var Box = class extends React.Component {',
    '  render() { return null; }',
    '};',
    'Box.contextType = Before;',
    'var Late = class extends React.Component {};',
    'Late.contextType = After;',
    'var After = React.createContext(null);',
    'var Linky = React.forwardRef(function Linky() { return null; });',
    'Linky.displayName = `Link`;',
    'var Memo = /* @__PURE__ */ React.memo(function Memo() { return null; });',
    'var NotReact = Other.createContext(null);',
    'function Plain() { return null; }',
    'Plain.displayName = "Plain";',
    'export { Before, Box, Late, After, Linky, Memo, NotReact, Plain };',
  ].join('\n')
  const { code, factories } = markTreeShakable(source)
  const lines = code.split('\n')

  it("marks React's factories pure, once, and only React's", () => {
    expect(factories).toBe(4)
    expect(lines[2]).toBe('var Before = /* @__PURE__ */ React.createContext(null);')
    expect(lines[11]).toBe('var Linky = /* @__PURE__ */ React.forwardRef(function Linky() { return null; });')
    expect(lines[13]).toBe('var Memo = /* @__PURE__ */ React.memo(function Memo() { return null; });')
    expect(lines[14]).toBe('var NotReact = Other.createContext(null);')
  })

  it('drops displayName statements and keeps every line where it was', () => {
    expect(lines).toHaveLength(source.split('\n').length)
    expect(code).not.toContain('displayName')
    expect(lines[3]?.trim()).toBe('')
    expect(lines[16]?.trim()).toBe('')
  })

  it('makes contextType a static field only when the context is declared before the class', () => {
    expect(lines[4]).toBe('var Box = class extends React.Component { static contextType = Before;')
    expect(lines[7]?.trim()).toBe('')
    // `After` does not exist yet when `Late` is made: a static field would read it too early.
    expect(lines[8]).toBe('var Late = class extends React.Component {};')
    expect(lines[9]).toBe('Late.contextType = After;')
  })
})

describe("React Router's production bundle, built", () => {
  const dir = mkdtempSync(join(tmpdir(), 'react-router-shake-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  // What the app imports: the declarative router, the hooks its links are made of, nothing of Link's.
  const entry = join(dir, 'entry.js')
  writeFileSync(entry, "export { Router, Outlet, useParams, useHref, useLinkClickHandler, useResolvedPath, useSearchParams, matchRoutes } from 'react-router'\n")

  async function bundle(plugin: Plugin): Promise<string> {
    const output = (await build({
      configFile: false,
      logLevel: 'silent',
      root: dir,
      plugins: [plugin],
      build: { write: false, minify: false, lib: { entry, formats: ['es'], fileName: 'entry' }, rolldownOptions: { external: ['react', 'react-dom'] } },
    })) as Rolldown.RolldownOutput[]
    return output.flatMap((result) => result.output).flatMap((file) => (file.type === 'chunk' ? [file.code] : [])).join('\n')
  }

  // Strings only Link's prefetching, the data router's error boundary and its way of navigating have.
  const unused = ['data-discover', 'React Router caught the following error during render', 'can only be used on routes that contain a unique "id"']

  it('leaves out what only Link, NavLink and the data router use', async () => {
    const shaken = await bundle(reactRouterProduction())
    for (const text of unused) expect(shaken).not.toContain(text)
    expect(shaken).toContain('function useLinkClickHandler')
  }, 60_000)

  it('would keep them without the rewrite (so the test above can fail)', async () => {
    const plain = reactRouterProduction()
    // The same resolution to the production bundle, without the transform.
    const { transform: _transform, buildEnd: _buildEnd, ...resolveOnly } = plain
    const kept = await bundle(resolveOnly)
    for (const text of unused) expect(kept).toContain(text)
  }, 60_000)
})
