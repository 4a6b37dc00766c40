import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { emptyRange, appendLeaf, inclusionProof, leafHash, rootOf, verifyInclusion } from '../log/merkle'
import { proofFromLevels, treeLevels } from './archive'

describe('inclusion proofs from tree levels', () => {
  it('are the RFC 6962 audit paths, and verify against the log root, for every leaf of trees of 1 to 40 leaves', () => {
    for (let size = 1; size <= 40; size++) {
      const leaves = Array.from({ length: size }, (_, index) => leafHash(createHash('sha256').update(`leaf ${index}`).digest()))
      const root = rootOf(leaves.reduce(appendLeaf, emptyRange()))
      const levels = treeLevels(leaves)
      expect(levels.at(-1)?.[0]?.equals(root)).toBe(true)
      for (let index = 0; index < size; index++) {
        const proof = proofFromLevels(levels, index)
        expect(proof.map((hash) => hash.toString('hex'))).toEqual(inclusionProof(leaves, index).map((hash) => hash.toString('hex')))
        expect(verifyInclusion(index, size, leaves[index]!, proof, root)).toBe(true)
      }
    }
  })
})
