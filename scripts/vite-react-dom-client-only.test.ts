// @vitest-environment jsdom
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { compileFunction } from 'node:vm'
import type * as ReactModule from 'react'
import type * as ReactDom from 'react-dom'
import type * as ReactDomClient from 'react-dom/client'
import { parseAst } from 'vite'
import { describe, expect, it } from 'vitest'
import { foldFalse, pruneFiberTags, specialiseClient, unrenderedUser, UNUSED_TAGS } from './vite-react-dom-client-only'

const apply = (code: string, edits: { start: number; end: number; text: string }[]) =>
  [...edits].sort((a, b) => b.start - a.start).reduce((text, edit) => text.slice(0, edit.start) + edit.text + text.slice(edit.end), code)

describe('foldFalse', () => {
  const source = [
    'var flag = !1, other = 1;',
    'function reads() { return flag ? 1 : 2; }',
    'function sets() { flag = !0; }',
    'function shadows(flag) { return flag; }',
    'function local() { var flag = 3; return flag; }',
    'var object = { flag: 1 }; object.flag = flag;',
  ].join('\n')

  it('makes every read of the module-level flag false, and nothing else', () => {
    const lines = apply(source, foldFalse(parseAst(source), source, 'flag')).split('\n')
    expect(lines[0]).toBe('var flag = !1, other = 1;')
    expect(lines[1]).toBe('function reads() { return false ? 1 : 2; }')
    expect(lines[2]).toBe('function sets() { flag = !0; }')
    expect(lines[3]).toBe('function shadows(flag) { return flag; }')
    expect(lines[4]).toBe('function local() { var flag = 3; return flag; }')
    expect(lines[5]).toBe('var object = { flag: 1 }; object.flag = false;')
  })

  it('refuses a flag that is not plainly true or false', () => {
    const assigned = 'var flag = !1;\nfunction f(x) { flag = x; return flag; }'
    expect(() => foldFalse(parseAst(assigned), assigned, 'flag')).toThrow(/assigns `flag` something other than true or false/)
    const declared = 'var flag = 0;\nflag;'
    expect(() => foldFalse(parseAst(declared), declared, 'flag')).toThrow(/does not declare `flag = !1`/)
  })
})

describe('pruneFiberTags', () => {
  const prune = (source: string) => apply(source, pruneFiberTags(parseAst(source), source, new Set([30]))).replace(/ +/g, ' ').trim()

  it('takes out the cases of an unused tag that nothing falls into, and its comparisons', () => {
    expect(prune('switch (fiber.tag) { case 5: a(); break; case 30: b(); case 6: c(); }')).toBe('switch (fiber.tag) { case 5: a(); break; case 6: c(); }')
    expect(prune('x = 30 === fiber.tag; y = fiber.tag !== 30;')).toBe('x = false ; y = true ;')
  })

  it('keeps a body other labels share, or the case before falls into', () => {
    expect(prune('switch (fiber.tag) { case 30: case 6: b(); }')).toBe('switch (fiber.tag) { case 6: b(); }')
    expect(prune('switch (fiber.tag) { case 6: case 30: b(); }')).toBe('switch (fiber.tag) { case 6: case 30: b(); }')
    expect(prune('switch (fiber.tag) { case 5: a(); case 30: b(); }')).toBe('switch (fiber.tag) { case 5: a(); case 30: b(); }')
  })

  it('leaves switches on anything but a tag alone', () => {
    expect(prune('switch (lane) { case 30: b(); }')).toBe('switch (lane) { case 30: b(); }')
  })
})

describe('unrenderedUser', () => {
  it("finds an import or a namespace read of React's Activity, SuspenseList or ViewTransition", () => {
    expect(unrenderedUser('import { useState, ViewTransition as VT } from "react";')).toBe('ViewTransition')
    expect(unrenderedUser("import {\n  Activity,\n} from 'react'")).toBe('Activity')
    expect(unrenderedUser('React.unstable_SuspenseList')).toBe('unstable_SuspenseList')
    expect(unrenderedUser('import { useActivity } from "./activity"; const REACT_ACTIVITY_TYPE = Symbol.for("react.activity");')).toBeNull()
  })
})

/**
 * React DOM's production client as published and as specialised, each loaded with React's production build, render
 * the same app into this document: what the app does (state, effects, events, controlled inputs, lists, Suspense with
 * lazy code, error boundaries, portals, a hoisted <title>) must give the same page with both.
 */
describe("React DOM's client, specialised", () => {
  const require = createRequire(import.meta.url)
  const reactDir = dirname(require.resolve('react/package.json'))
  const domDir = dirname(require.resolve('react-dom/package.json'))
  const clientFile = join(domDir, 'cjs', 'react-dom-client.production.js')
  const published = readFileSync(clientFile, 'utf8')
  const specialised = specialiseClient(published)

  /** React, React DOM and its client, production builds, the client from `clientCode`; fresh modules each call. */
  function load(clientCode: string): { React: typeof ReactModule; client: typeof ReactDomClient; dom: typeof ReactDom } {
    const cache = new Map<string, unknown>()
    const files: Record<string, string> = {
      react: join(reactDir, 'cjs', 'react.production.js'),
      'react-dom': join(domDir, 'cjs', 'react-dom.production.js'),
      scheduler: join(dirname(require.resolve('scheduler/package.json')), 'cjs', 'scheduler.production.js'),
    }
    const run = (name: string, code: string): unknown => {
      if (cache.has(name)) return cache.get(name)
      const module = { exports: {} as Record<string, unknown> }
      cache.set(name, module.exports)
      const evaluate = compileFunction(code, ['require', 'module', 'exports', 'process']) as (...args: unknown[]) => void
      evaluate((dependency: string) => run(dependency, readFileSync(files[dependency]!, 'utf8')), module, module.exports, { env: { NODE_ENV: 'production' } })
      cache.set(name, module.exports)
      return module.exports
    }
    const React = run('react', readFileSync(files.react!, 'utf8')) as typeof ReactModule
    const dom = run('react-dom', readFileSync(files['react-dom']!, 'utf8')) as typeof ReactDom
    return { React, dom, client: run('client', clientCode) as typeof ReactDomClient }
  }

  async function scenario(clientCode: string): Promise<string[]> {
    const { React, client, dom } = load(clientCode)
    const h = React.createElement
    document.head.innerHTML = ''
    document.body.innerHTML = '<div id="root"></div><div id="elsewhere"></div>'
    const root = document.getElementById('root')!
    const elsewhere = document.getElementById('elsewhere')!
    let resolveLazy: (module: { default: () => ReturnType<typeof h> }) => void = () => {}
    const Later = React.lazy(() => new Promise<{ default: () => ReturnType<typeof h> }>((resolve) => (resolveLazy = resolve)))
    class Boundary extends React.Component<{ children: ReactModule.ReactNode }, { error: string | null }> {
      override state = { error: null as string | null }
      static getDerivedStateFromError(error: Error) {
        return { error: error.message }
      }
      override render() {
        return this.state.error === null ? this.props.children : h('p', { id: 'caught' }, `caught: ${this.state.error}`)
      }
    }
    function Throws({ when }: { when: boolean }): null {
      if (when) throw new Error('boom')
      return null
    }
    function App() {
      const [count, setCount] = React.useState(0)
      const [text, setText] = React.useState('start')
      const [effect, setEffect] = React.useState('')
      React.useEffect(() => setEffect(`effect saw ${count}`), [count])
      const items = count % 2 === 0 ? ['a', 'b', 'c'] : ['c', 'a', 'b', 'd']
      return h(
        'main',
        null,
        h('title', null, `Count ${count}`),
        h('button', { id: 'more', onClick: () => setCount((value) => value + 1) }, `clicked ${count}`),
        h('input', { id: 'field', value: text, onChange: (event: { target: HTMLInputElement }) => setText(event.target.value.toUpperCase()) }),
        h('ul', null, items.map((item) => h('li', { key: item }, item))),
        h('p', { id: 'effect' }, effect),
        h(React.Suspense, { fallback: h('p', { id: 'loading' }, 'loading') }, h(Later)),
        h(Boundary, null, h(Throws, { when: count >= 2 })),
        dom.createPortal(h('span', { id: 'portal' }, `portal ${count}`), elsewhere),
      )
    }
    const snapshots: string[] = []
    // Each step waits until the page shows what the step is for (React renders and runs effects in tasks of its own).
    const until = async (shown: () => boolean) => {
      for (const started = Date.now(); !shown(); ) {
        if (Date.now() - started > 5_000) throw new Error(`the page never got there: ${document.title}|${document.body.innerHTML}`)
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    }
    const text = (id: string) => document.getElementById(id)?.textContent ?? null
    const snap = () => snapshots.push(`${document.title}|${document.body.innerHTML}`)
    const caught: string[] = []
    client.createRoot(root, { onCaughtError: (error) => caught.push((error as Error).message) }).render(h(App))
    await until(() => text('effect') === 'effect saw 0' && text('loading') !== null)
    snap()
    resolveLazy({ default: () => h('p', { id: 'later' }, 'loaded later') })
    await until(() => text('later') !== null)
    snap()
    for (let click = 1; click <= 3; click++) {
      document.getElementById('more')!.dispatchEvent(new MouseEvent('click', { bubbles: true }))
      await until(() => text('effect') === `effect saw ${click}` && document.title === `Count ${click}`)
      snap()
    }
    const input = document.getElementById('field') as HTMLInputElement
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, 'typed')
    input.dispatchEvent(new Event('input', { bubbles: true }))
    await until(() => input.value === 'TYPED')
    snapshots.push(`${input.value}|${document.body.innerHTML}`, `caught: ${caught.join(', ')}`)
    return snapshots
  }

  it('takes out the hydration, view-transition, Activity and SuspenseList code', () => {
    expect(specialised.length).toBeLessThan(published.length)
    expect(specialised.split('\n')).toHaveLength(published.split('\n').length)
    expect(published).toMatch(/if \(isHydrating\)/)
    expect(specialised).not.toMatch(/if \(isHydrating\)/)
    expect(specialised).not.toMatch(/case 3[01]:/)
    expect(published).toMatch(/case 3[01]:/)
    expect(UNUSED_TAGS).toEqual(new Set([19, 30, 31]))
  })

  it('renders, updates and handles events as the published client does', async () => {
    const expected = await scenario(published)
    // The scenario shows what it claims to: each step changed the page.
    expect(expected[0]).toContain('id="loading"')
    expect(expected[1]).toContain('loaded later')
    expect(expected[2]).toContain('clicked 1')
    expect(expected[2]).toMatch(/^Count 1\|/)
    expect(expected[3]).toContain('caught: boom')
    expect(expected[4]).toContain('portal 3')
    expect(expected[4]).toContain('effect saw 3')
    expect(expected[5]).toMatch(/^TYPED\|/)
    expect(expected[6]).toBe('caught: boom')
    expect(await scenario(specialised)).toEqual(expected)
  })

  it('throws, saying why, where hydration was asked for', () => {
    const { client } = load(specialised)
    expect(() => client.hydrateRoot(document.createElement('div'), null)).toThrow(/hydrateRoot is not in this build of React DOM .* render with createRoot/)
  })
})
