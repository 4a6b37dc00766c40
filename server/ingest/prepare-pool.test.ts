import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { demoBuilds } from '../../demo/model'
import { demoStatement } from '../../demo/statement'
import { signEnvelope } from '../demo/seed'
import { newKey, slsaV1Statement, tempStore } from '../testing/documents'
import { IngestError } from './errors'
import { ingestBody, prepareDocument, type PreparedDocument } from './ingest'
import { loadPublicKey } from './keys'
import { closePreparePool, prepareInWorkers } from './prepare-pool'

const key = newKey('pool-p256', 'ecdsa-p256')
const rogue = newKey('pool-rogue', 'ed25519')
const context = { keys: [loadPublicKey(key.id, key.publicKeyPem)], now: () => Date.UTC(2026, 10, 1) }

/** A batch of every kind of answer: verified, failed, untrusted, unsigned, links and refusals, each twice or more. */
function batch(): Buffer[] {
  const envelopes = demoBuilds(24, 11).map((build) => signEnvelope(demoStatement(build), key))
  const tampered = signEnvelope(slsaV1Statement(), key)
  const signature = (tampered.signatures as { sig: string }[])[0]
  if (signature) signature.sig = Buffer.from(Buffer.from(signature.sig, 'base64').map((byte, index) => (index === 10 ? byte ^ 1 : byte))).toString('base64')
  const lines: unknown[] = [
    ...envelopes.slice(0, 8),
    tampered,
    signEnvelope(slsaV1Statement({ subjectName: 'other' }), rogue),
    slsaV1Statement({ subjectName: 'bare' }),
    '{"payloadType":"application/vnd.in-toto+json","payload":"not base64!","signatures":[]}',
    '{"broken": ',
    { some: 'thing else' },
    ...envelopes.slice(8),
    // Stored again after the first 25 (which may be stored before the rest is verified): answered as already stored.
    envelopes[0],
    envelopes[20],
  ]
  return lines.map((line) => Buffer.from(typeof line === 'string' ? line : JSON.stringify(line)))
}

function here(raw: Buffer): { ok: PreparedDocument } | { error: { code: string; message: string; path?: string } } {
  try {
    return { ok: prepareDocument(raw, context) }
  } catch (error) {
    if (!(error instanceof IngestError)) throw error
    return { error: { code: error.code, message: error.message, ...(error.path ? { path: error.path } : {}) } }
  }
}

afterAll(() => closePreparePool())

describe('documents prepared on worker threads', () => {
  // The pool is off unless configured.
  beforeEach(() => {
    process.env.INGEST_WORKERS = '2'
  })
  afterEach(() => {
    delete process.env.INGEST_WORKERS
  })

  it('gives every document of a batch exactly what the main thread gives: the document, its verdict, each check, or the error', async () => {
    const raws = batch()
    const pooled = await prepareInWorkers<PreparedDocument>(raws, raws.map((_, index) => index), context)
    expect(pooled).not.toBeNull()
    raws.forEach((raw, index) => {
      const outcome = pooled?.[index]
      expect(outcome).toEqual(here(raw))
      // The bytes are the main thread's own Buffer again, as the store expects.
      if (outcome && 'ok' in outcome) expect(outcome.ok.item.document.raw).toBe(raw)
    })
    const statuses = pooled?.map((outcome) => (outcome && 'ok' in outcome ? outcome.ok.item.document.verification.status : 'error' in (outcome ?? {}) ? 'refused' : 'other'))
    expect(statuses?.slice(0, 14)).toEqual([...Array<string>(8).fill('verified'), 'failed', 'untrusted', 'unsigned', 'refused', 'refused', 'refused'])
    // Starting the workers compiles the sources in each of them: seconds on a loaded machine.
  }, 120_000)

  it('stores a JSONL body with the same answer, line by line, as when every document is prepared on the main thread', async () => {
    const body = Buffer.from(batch().map((raw) => raw.toString('utf8')).join('\n'))
    const answer = async () => {
      const { store, dispose } = await tempStore()
      try {
        return await ingestBody(store, body, 'application/x-ndjson', context)
      } finally {
        await dispose()
      }
    }
    const pooled = await answer()
    await closePreparePool()
    process.env.INGEST_WORKERS = '0'
    const inPlace = await answer()
    expect(pooled).toEqual(inPlace)
    expect(pooled.ok && pooled.body.errors.map((error) => error.line)).toEqual([12, 13, 14])
    expect(pooled.ok && pooled.body.documents.map((document) => document.created).slice(-3)).toEqual([true, false, false])
  }, 120_000)

  it('starts new workers for the batch after the pool was closed, and leaves small batches to the main thread', async () => {
    const raws = batch()
    await closePreparePool()
    // The closed workers' exit events come in the meantime; they must not switch the pool off for good.
    await new Promise((resolve) => setTimeout(resolve, 100))
    const again = await prepareInWorkers<PreparedDocument>(raws, raws.map((_, index) => index), context)
    expect(again?.[0] && 'ok' in again[0] ? again[0].ok.item.document.verification.status : null).toBe('verified')
    expect(await prepareInWorkers(raws, [0, 1, 2], context)).toBeNull()
    await closePreparePool()
    delete process.env.INGEST_WORKERS
    expect(await prepareInWorkers(raws, raws.map((_, index) => index), context)).toBeNull()
  }, 120_000)
})
