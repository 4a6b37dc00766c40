import { createHash } from 'node:crypto'

/**
 * RFC 6962 (Certificate Transparency) Merkle tree hashing, the same tree Rekor and every transparency log use,
 * so a checkpoint of ours can be checked with any RFC 6962 tool.
 */
export function leafHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.from([0x00])).update(data).digest()
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.from([0x01])).update(left).update(right).digest()
}

export const EMPTY_ROOT = createHash('sha256').digest()

/**
 * The tree's right edge: the roots of its perfect subtrees, largest first. Appending a leaf is O(log n) and the
 * root follows from it, so the log never rereads old entries to extend. Iterative, so a tree of millions of
 * leaves does not overflow the stack.
 */
export type CompactRange = { size: number; hashes: Buffer[] }

export const emptyRange = (): CompactRange => ({ size: 0, hashes: [] })

export function appendLeaf(range: CompactRange, leaf: Buffer): CompactRange {
  const hashes = [...range.hashes]
  let hash = leaf
  let size = range.size
  // Each trailing 1 bit of the old size is a perfect subtree the new leaf completes.
  while (size & 1) {
    const left = hashes.pop()
    if (!left) throw new Error('compact range is inconsistent with its size')
    hash = nodeHash(left, hash)
    size >>>= 1
  }
  hashes.push(hash)
  return { size: range.size + 1, hashes }
}

export function rootOf(range: CompactRange): Buffer {
  if (range.hashes.length === 0) return EMPTY_ROOT
  let root = range.hashes[range.hashes.length - 1]!
  for (let index = range.hashes.length - 2; index >= 0; index--) root = nodeHash(range.hashes[index]!, root)
  return root
}

export function serialiseRange(range: CompactRange): string {
  return JSON.stringify({ size: range.size, hashes: range.hashes.map((hash) => hash.toString('hex')) })
}

export function parseRange(text: string): CompactRange {
  const value = JSON.parse(text) as { size: unknown; hashes: unknown }
  if (typeof value.size !== 'number' || !Array.isArray(value.hashes)) throw new Error('not a compact range')
  return { size: value.size, hashes: value.hashes.map((hex) => Buffer.from(String(hex), 'hex')) }
}

/** RFC 9162 §2.1.3.2: checks that `leaf` is at `index` in the tree of `size` leaves with `root`. */
export function verifyInclusion(index: number, size: number, leaf: Buffer, proof: readonly Buffer[], root: Buffer): boolean {
  if (index >= size) return false
  let fn = index
  let sn = size - 1
  let hash = leaf
  for (const sibling of proof) {
    if (sn === 0) return false
    if (fn & 1 || fn === sn) {
      hash = nodeHash(sibling, hash)
      if (!(fn & 1)) {
        while (!(fn & 1) && fn !== 0) {
          fn >>>= 1
          sn >>>= 1
        }
      }
    } else {
      hash = nodeHash(hash, sibling)
    }
    fn >>>= 1
    sn >>>= 1
  }
  return sn === 0 && hash.equals(root)
}

/** The audit path of `index` in a tree of the given leaves (RFC 6962 §2.1.1), for tests and proofs we serve. */
export function inclusionProof(leaves: readonly Buffer[], index: number): Buffer[] {
  const path = (start: number, end: number, at: number): Buffer[] => {
    const n = end - start
    if (n <= 1) return []
    let k = 1
    while (k * 2 < n) k *= 2
    return at < k
      ? [...path(start, start + k, at), subtreeRoot(leaves, start + k, end)]
      : [...path(start + k, end, at - k), subtreeRoot(leaves, start, start + k)]
  }
  return path(0, leaves.length, index)
}

export function subtreeRoot(leaves: readonly Buffer[], start: number, end: number): Buffer {
  let range = emptyRange()
  for (let index = start; index < end; index++) range = appendLeaf(range, leaves[index]!)
  return rootOf(range)
}
