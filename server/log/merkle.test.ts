import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EMPTY_ROOT, appendLeaf, emptyRange, inclusionProof, leafHash, nodeHash, parseRange, rootOf, serialiseRange, subtreeRoot, verifyInclusion } from './merkle'

/** The recursive definition straight from RFC 6962 §2.1, as the reference the iterative code must agree with. */
function referenceRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest()
  if (leaves.length === 1) return leaves[0]!
  let k = 1
  while (k * 2 < leaves.length) k *= 2
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)))
}

const leaves = (n: number) => Array.from({ length: n }, (_, index) => leafHash(Buffer.from(`entry ${index}`)))

describe('RFC 6962 Merkle tree', () => {
  it('matches the empty-tree and one-leaf values of RFC 6962', () => {
    expect(rootOf(emptyRange()).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    // RFC 6962 test vector: leaf hash of the empty string.
    expect(leafHash(Buffer.alloc(0)).toString('hex')).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d')
  })

  it('computes the same root as the recursive definition for every size up to 70', () => {
    for (let n = 0; n <= 70; n++) expect(rootOf(leaves(n).reduce(appendLeaf, emptyRange())).equals(referenceRoot(leaves(n)))).toBe(true)
  })

  it('proves and verifies inclusion of every leaf, and rejects a proof for another leaf, index or root', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.nat(), (size, seed) => {
        const all = leaves(size)
        const index = seed % size
        const root = subtreeRoot(all, 0, size)
        const proof = inclusionProof(all, index)
        expect(verifyInclusion(index, size, all[index]!, proof, root)).toBe(true)
        expect(verifyInclusion(index, size, leafHash(Buffer.from('forged')), proof, root)).toBe(false)
        if (size > 1) expect(verifyInclusion((index + 1) % size, size, all[index]!, proof, root)).toBe(false)
        expect(verifyInclusion(index, size, all[index]!, proof, leafHash(Buffer.from('other root')))).toBe(false)
      }),
    )
  })

  it('round-trips the compact range through its stored form', () => {
    const range = leaves(13).reduce(appendLeaf, emptyRange())
    expect(rootOf(parseRange(serialiseRange(range))).equals(rootOf(range))).toBe(true)
  })
})
