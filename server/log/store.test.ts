import { createPublicKey } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { signEnvelope } from '../demo/seed'
import { prepareDocument } from '../ingest/ingest'
import { loadPublicKey } from '../ingest/keys'
import { engineStores } from '../store/testing/engines'
import type { Store } from '../store/types'
import { newKey, slsaV1Statement } from '../testing/documents'
import { openCheckpoint, verifierKey } from './checkpoint'
import { CHECKPOINT_EVERY_MS } from './store'
import { verifyLog } from './verify-log'

/*
 * Checkpoint cadence: commits sign a checkpoint at most once every CHECKPOINT_EVERY_MS, and reading the checkpoint
 * signs one for whatever was committed since, so a reader always sees the whole committed log under a signature.
 */

const key = newKey('cadence-test', 'ed25519')
const context = { keys: [loadPublicKey(key.id, key.publicKeyPem)], now: Date.now }
const documentFor = (n: number) => prepareDocument(Buffer.from(JSON.stringify(signEnvelope(slsaV1Statement({ sha256: n.toString(16).padStart(64, '0') }), key))), context).item

const engines = engineStores('log-cadence')
/** A guard, not a budget: PostgreSQL on a loaded two-core machine takes seconds for a handful of commits. */
const TIMEOUT = 20_000
const open: Store[] = []
afterEach(async () => {
  vi.restoreAllMocks()
  for (const store of open.splice(0)) await store.close()
})

describe.each(['sqlite', 'postgres'] as const)('checkpoint cadence on %s', (kind) => {
  it('signs one checkpoint for commits within the interval, and the whole committed log when it is read', async () => {
    const store = await engines.fresh(kind)
    open.push(store)
    for (let n = 0; n < 5; n++) await store.documents.ingest([documentFor(n)])
    // The first commit of this process signed; the four after it, within the interval, did not.
    expect((await store.log.checkpoints()).map((checkpoint) => checkpoint.size)).toEqual([1])

    const head = await store.log.checkpoint()
    expect(head.size).toBe(5)
    const verifier = verifierKey(head.origin, createPublicKey(head.publicKeyPem))
    expect(openCheckpoint(head.note, verifier)?.size).toBe(5)
    // Kept, and read again rather than signed twice.
    expect((await store.log.checkpoints()).map((checkpoint) => checkpoint.size)).toEqual([1, 5])
    expect(await store.log.checkpoint()).toEqual(head)
    expect(await verifyLog(store, verifier)).toMatchObject({ size: 5, rootHash: head.rootHash, checkpointsChecked: 2, problems: [] })
  }, TIMEOUT)

  it('signs at a commit again once the interval has passed', async () => {
    const store = await engines.fresh(kind)
    open.push(store)
    await store.documents.ingest([documentFor(10)])
    await store.documents.ingest([documentFor(11)])
    const later = Date.now() + CHECKPOINT_EVERY_MS
    vi.spyOn(Date, 'now').mockReturnValue(later)
    await store.documents.ingest([documentFor(12), documentFor(13)])
    expect(await store.log.checkpoints()).toMatchObject([{ size: 1 }, { size: 4 }])
  }, TIMEOUT)

  it('answers for an empty log with a signed checkpoint of size 0, and keeps none', async () => {
    const store = await engines.fresh(kind)
    open.push(store)
    expect((await store.log.checkpoint()).size).toBe(0)
    expect(await store.log.checkpoints()).toEqual([])
  }, TIMEOUT)
})
