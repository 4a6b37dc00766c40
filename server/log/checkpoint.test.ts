import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { logKeyFrom, openCheckpoint, signCheckpoint } from './checkpoint'
import { leafHash } from './merkle'

const key = logKeyFrom('provenance.example/log', generateKeyPairSync('ed25519').privateKey)

describe('signed checkpoints', () => {
  it('writes the signed-note form and opens it again with the public key', () => {
    const root = leafHash(Buffer.from('x'))
    const checkpoint = signCheckpoint(key, 42, root)
    const lines = checkpoint.note.split('\n')
    expect(lines.slice(0, 4)).toEqual(['provenance.example/log', '42', root.toString('base64'), ''])
    expect(lines[4]).toMatch(/^— provenance\.example\/log [A-Za-z0-9+/]+=*$/)
    expect(openCheckpoint(checkpoint.note, key)).toEqual({ size: 42, rootHash: root })
  })

  it('rejects a checkpoint whose size, root or signature was changed, or signed by another key', () => {
    const note = signCheckpoint(key, 42, leafHash(Buffer.from('x'))).note
    expect(openCheckpoint(note.replace('\n42\n', '\n41\n'), key)).toBeNull()
    const other = logKeyFrom('provenance.example/log', generateKeyPairSync('ed25519').privateKey)
    expect(openCheckpoint(note, other)).toBeNull()
    expect(openCheckpoint(signCheckpoint(other, 42, leafHash(Buffer.from('x'))).note, key)).toBeNull()
  })
})
