import { createHash } from 'node:crypto'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { signEnvelope } from '../demo/seed'
import { prepareDocument } from '../ingest/ingest'
import { loadPublicKey } from '../ingest/keys'
import { newKey, slsaV1Statement, tempStore } from '../testing/documents'
import { openCheckpoint, verifierKey } from './checkpoint'
import { verifyLog } from './verify-log'
import { createPublicKey } from 'node:crypto'

const key = newKey('log-test', 'ed25519')
const context = { keys: [loadPublicKey(key.id, key.publicKeyPem)], now: Date.now }
const documentFor = (n: number) => prepareDocument(Buffer.from(JSON.stringify(signEnvelope(slsaV1Statement({ sha256: n.toString(16).padStart(64, '0') }), key))), context).item

let cleanup: (() => Promise<void>) | undefined
afterEach(async () => cleanup?.())

async function storeWith(count: number) {
  const temp = await tempStore()
  cleanup = temp.dispose
  // Several transactions, each followed by a read of the checkpoint (which signs what was committed since, as a
  // monitor polling the log would make it), so there are several signed checkpoints to compare against.
  for (let start = 0; start < count; start += 3) {
    await temp.store.documents.ingest(Array.from({ length: Math.min(3, count - start) }, (_, offset) => documentFor(start + offset)))
    await temp.store.log.checkpoint()
  }
  const checkpoint = await temp.store.log.checkpoint()
  const verifier = verifierKey(checkpoint.origin, createPublicKey(checkpoint.publicKeyPem))
  const tamper = (sql: string, ...params: unknown[]) => {
    const db = new Database(join(temp.dir, 'provenance.db'))
    db.pragma('foreign_keys = OFF')
    db.prepare(sql).run(...params)
    db.close()
  }
  return { ...temp, checkpoint, verifier, tamper }
}

describe('the tamper-evident log', () => {
  it('signs a checkpoint for the whole record, which recomputes from the stored documents', async () => {
    const { store, checkpoint, verifier } = await storeWith(10)
    expect(checkpoint.size).toBe(10)
    expect(openCheckpoint(checkpoint.note, verifier)?.size).toBe(10)
    const report = await verifyLog(store, verifier)
    expect(report).toMatchObject({ size: 10, rootHash: checkpoint.rootHash, problems: [] })
    expect(report.checkpointsChecked).toBe(4)
  })

  it('does not log a document posted again', async () => {
    const { store } = await storeWith(4)
    await store.documents.ingest([documentFor(1)])
    expect((await store.log.checkpoint()).size).toBe(4)
  })

  it('names an entry whose bytes were changed', async () => {
    const { store, verifier, tamper } = await storeWith(7)
    tamper(`update documents set raw = cast('{"forged":true}' as blob) where log_index = 4`)
    const report = await verifyLog(store, verifier)
    expect(report.problems.map((problem) => problem.kind)).toEqual(['changed', 'checkpoint-mismatch', 'checkpoint-mismatch'])
    expect(report.problems[0]?.message).toMatch(/^entry 4 \(document [0-9a-f]{64}\) was changed/)
    expect(report.problems[1]?.message).toContain('index 3 to 5')
  })

  it('catches an entry rewritten consistently, bytes and id together', async () => {
    const { store, verifier, tamper } = await storeWith(6)
    const forged = Buffer.from('{"rewritten":true}')
    tamper('update documents set raw = ?, id = ? where log_index = 1', forged, createHash('sha256').update(forged).digest('hex'))
    const report = await verifyLog(store, verifier)
    expect(report.problems[0]).toMatchObject({ kind: 'checkpoint-mismatch', message: expect.stringContaining('index 0 to 2') })
  })

  it('reports removed entries, entries cut from the end, and documents inserted behind the log', async () => {
    const removed = await storeWith(6)
    removed.tamper('delete from subjects where build_id = (select id from documents where log_index = 2)')
    removed.tamper('delete from builds where document_id = (select id from documents where log_index = 2)')
    removed.tamper('delete from documents where log_index = 2')
    expect((await verifyLog(removed.store, removed.verifier)).problems[0]).toMatchObject({ kind: 'removed', message: 'entries 2 are missing from the record' })
    await removed.dispose()

    const truncated = await storeWith(6)
    truncated.tamper('delete from documents where log_index >= 4')
    expect((await verifyLog(truncated.store, truncated.verifier)).problems.map((problem) => problem.kind)).toContain('truncated')
    await truncated.dispose()

    const inserted = await storeWith(3)
    const raw = Buffer.from('{"smuggled":true}')
    inserted.tamper(
      `insert into documents (id, raw, size, format, status, verification, ingested_at) values (?, ?, ?, 'dsse', 'verified', '{}', 0)`,
      createHash('sha256').update(raw).digest('hex'),
      raw,
      raw.length,
    )
    expect((await verifyLog(inserted.store, inserted.verifier)).problems).toEqual([
      { kind: 'inserted', message: '1 documents are stored outside the log: they were inserted behind its back' },
    ])
  })

  it('rejects a checkpoint not signed by the log key', async () => {
    const { store, checkpoint, tamper } = await storeWith(3)
    const other = verifierKey(checkpoint.origin, createPublicKey(newKey('other', 'ed25519').publicKeyPem))
    expect((await verifyLog(store, other)).problems.every((problem) => problem.kind === 'checkpoint-forged')).toBe(true)
    tamper(`update checkpoints set root_hash = ? where size = 3`, '00'.repeat(32))
    const forged = await verifyLog(store, verifierKey(checkpoint.origin, createPublicKey(checkpoint.publicKeyPem)))
    expect(forged.problems).toEqual([{ kind: 'checkpoint-forged', message: 'the checkpoint row at size 3 does not match its own signed note' }])
  })
})
