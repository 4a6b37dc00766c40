import { describe, expect, it } from 'vitest'
import type { LineageGraph } from '../../../contract/lineage'
import { createAnswerReader, type AnswerReply } from './answer-reader'
import { applyPatch } from './graph-patch'
import { syntheticLineage } from './synthetic-lineage'

const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value)).buffer
const versionOf = (reply: AnswerReply): number => {
  if (!('version' in reply)) throw new Error(`an answer, not ${JSON.stringify(reply)}`)
  return reply.version
}
const ask = (read: ReturnType<typeof createAnswerReader>, key: string, body: unknown, base: number | null, id = 1): AnswerReply =>
  read({ id, key, bytes: bytes(body), base, status: 200, endpoint: '/api/v1/lineage' })

describe('the lineage answer reader', () => {
  const graph = syntheticLineage(200)
  const changed: LineageGraph = { ...graph, nodes: graph.nodes.map((node, index) => (index === 7 ? { ...node, state: node.state === 'failed' ? 'verified' : 'failed' } : node)) }

  it('gives a new request’s whole graph, then a refresh of it as a patch against the version the page holds', () => {
    const read = createAnswerReader()
    const first = ask(read, 'a', graph, null)
    if (!('graph' in first)) throw new Error(`a whole graph, not ${JSON.stringify(first)}`)
    expect(first.graph).toEqual(graph)
    const second = ask(read, 'a', changed, first.version, 2)
    if (!('patch' in second)) throw new Error('a patch')
    expect(second.base).toBe(first.version)
    expect(second.patch.nodes.map(([index]) => index)).toEqual([7])
    expect(applyPatch(first.graph, second.patch)).toEqual(changed)
  })

  it('gives the whole graph when the page names a version it no longer matches, or another request', () => {
    const read = createAnswerReader()
    const first = versionOf(ask(read, 'a', graph, null))
    const second = versionOf(ask(read, 'a', changed, first))
    // The page still names the first version (a refresh raced another): the reader holds the second.
    expect('graph' in ask(read, 'a', graph, first)).toBe(true)
    // Another request is never patched against this one's answer.
    expect('graph' in ask(read, 'b', changed, second)).toBe(true)
  })

  it('says what is wrong with an answer that is not JSON or breaks the contract, naming where', () => {
    const read = createAnswerReader()
    expect(ask(read, 'a', '{"root": ', null)).toMatchObject({ apiError: { code: 'invalid-json', status: 200, endpoint: '/api/v1/lineage' } })
    const broken = { ...graph, nodes: graph.nodes.map((node, index) => (index === 2 ? { ...node, state: 'fine' } : node)) }
    const reply = ask(read, 'a', broken, null)
    expect(reply).toMatchObject({ apiError: { code: 'invalid-response', path: 'nodes.2.state' } })
  })
})
