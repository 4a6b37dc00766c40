import { describe, expect, it } from 'vitest'
import { binaryChunks, paddedList } from './statement-shapes'

describe('statement shapes', () => {
  it('pads an in-list to the next size with its last value, keeping the set', () => {
    expect(paddedList([])).toEqual([])
    expect(paddedList(['a'])).toEqual(['a'])
    expect(paddedList(['a', 'b', 'c'])).toEqual(['a', 'b', 'c', 'c'])
    const many = Array.from({ length: 300 }, (_, index) => index)
    const padded = paddedList(many)
    expect(padded).toHaveLength(500)
    expect(new Set(padded)).toEqual(new Set(many))
    expect(() => paddedList(Array.from({ length: 501 }, () => 0))).toThrow(RangeError)
  })

  it('cuts rows into power-of-two chunks in order, largest first', () => {
    const rows = Array.from({ length: 29 }, (_, index) => index)
    const chunks = binaryChunks(rows, 16)
    expect(chunks.map((chunk) => chunk.length)).toEqual([16, 8, 4, 1])
    expect(chunks.flat()).toEqual(rows)
    expect(binaryChunks(Array.from({ length: 40 }, (_, index) => index), 16).map((chunk) => chunk.length)).toEqual([16, 16, 8])
    expect(binaryChunks([], 16)).toEqual([])
  })
})
