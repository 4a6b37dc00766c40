import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { cycles, importGraph } from './import-cycles'

describe('cycles', () => {
  it('finds a cycle through type imports as well as value imports, and nothing in a one-way graph', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']])
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', []]]))).toEqual([])
    expect(cycles(new Map([['a', ['a']]]))).toEqual([['a']])
  })
})

describe('this repository', () => {
  it('has no import cycle, type imports included', () => {
    const root = fileURLToPath(new URL('..', import.meta.url))
    const graph = importGraph(root)
    expect(graph.size).toBeGreaterThan(100)
    expect(cycles(graph).map((component) => component.map((path) => relative(root, path)))).toEqual([])
  })
})
