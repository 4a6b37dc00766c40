import { parentPort } from 'node:worker_threads'
import { IngestError } from '../errors'
import type { IngestContext } from '../format'
import { prepareDocument } from '../ingest'
import type { PooledOutcome, WorkerConfig, WorkerReply, WorkerRequest } from './pool'
import { forgetCertificates, forgetChainResults } from './certificate'
import { forgetLoggedKeys } from './transparency-log'
import { loadSigstoreTrust, type SigstoreTrust } from './trust-material'

// One verification worker (pool.ts): prepares the documents it is sent exactly as the main thread would.

const EMPTY = new Uint8Array(0)

/** The trust of each configuration this worker was sent, read once. */
const trusts = new Map<number, { config: WorkerConfig; trust: SigstoreTrust }>()

parentPort?.on('message', (request: WorkerRequest) => {
  const reply: WorkerReply = { id: request.id, outcomes: answer(request) }
  parentPort?.postMessage(reply)
})

function answer(request: WorkerRequest): PooledOutcome<unknown>[] {
  let known = typeof request.config === 'number' ? trusts.get(request.config) : undefined
  if (typeof request.config !== 'number') {
    const config = request.config
    try {
      known = { config, trust: loadSigstoreTrust(config.trustedRoots, config.sigstoreKeys) }
    } catch {
      known = undefined
    }
    if (known) trusts.set(config.id, known)
  }
  if (!known) return request.lengths.map(() => ({ retry: true }))
  const { config, trust } = known
  const context: IngestContext = { keys: config.keys, sigstore: trust, now: () => request.now, ...(config.policies ? { policies: config.policies } : {}) }
  let at = 0
  return request.lengths.map((length): PooledOutcome<unknown> => {
    const raw = Buffer.from(request.joined.buffer, request.joined.byteOffset + at, length)
    at += length
    if (request.forget) {
      forgetChainResults(trust)
      forgetCertificates()
      forgetLoggedKeys()
    }
    try {
      const prepared = prepareDocument(raw, context)
      // The document's bytes are the ones the main thread sent; it puts them back (pool.ts), so they are not copied again.
      return { ok: { ...prepared, item: { ...prepared.item, document: { ...prepared.item.document, raw: EMPTY } } } }
    } catch (error) {
      if (error instanceof IngestError) return { error: { code: error.code, message: error.message, ...(error.path ? { path: error.path } : {}) } }
      // Anything else is the main thread's to throw, as it would without the pool.
      return { retry: true }
    }
  })
}
