import { describe, expect, it } from 'vitest'
import { coalesce, membersLoader, type Ask } from './batch'

describe('coalesce', () => {
  it('answers the questions asked together in one call, each distinct key once, in the order asked', async () => {
    const calls: string[][] = []
    const load = coalesce<string, string>((keys) => {
      calls.push([...keys])
      return Promise.resolve(keys.map((key) => key.toUpperCase()))
    }, String)
    const answers = await Promise.all([load('a'), load('b'), load('a'), Promise.resolve().then(() => load('c'))])
    expect(answers).toEqual(['A', 'B', 'A', 'C'])
    expect(calls).toEqual([['a', 'b', 'c']])
    // A later question is a new batch.
    expect(await load('d')).toBe('D')
    expect(calls).toEqual([['a', 'b', 'c'], ['d']])
  })

  it('fails every question of a batch whose answer failed, and a question left unanswered', async () => {
    const failing = coalesce<string, string>(() => Promise.reject(new Error('disk I/O error')), String)
    await expect(Promise.all([failing('a'), failing('b')])).rejects.toThrow('disk I/O error')
    const short = coalesce<string, string>((keys) => Promise.resolve(keys.slice(1)), String)
    const results = await Promise.allSettled([short('a'), short('b')])
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected'])
  })
})

describe('membersLoader', () => {
  it('asks a key once with the largest limit and gives each asker its own first items', async () => {
    const asked: Ask[][] = []
    const load = membersLoader<number>((asks) => {
      asked.push([...asks])
      return Promise.resolve(asks.map((ask) => ({ total: 40, items: Array.from({ length: ask.limit }, (_, index) => index), states: { verified: 40, failed: 0, unverified: 0 } })))
    })
    const [few, many, count] = await Promise.all([load('k', 3), load('k', 13), load('other', 0)])
    expect(asked).toEqual([[{ key: 'k', limit: 13 }, { key: 'other', limit: 0 }]])
    expect(few.items).toEqual([0, 1, 2])
    expect(many.items).toHaveLength(13)
    expect(count).toEqual({ total: 40, items: [], states: { verified: 40, failed: 0, unverified: 0 } })
  })
})
