import { parentPort } from 'node:worker_threads'
import { IngestError } from '../errors'
import type { IngestContext } from '../format'
import { prepareDocument } from '../ingest'
import type { PooledOutcome, WorkerConfig, WorkerReply, WorkerRequest } from './pool'
import { forgetCertificates, forgetChainResults } from './certificate'
import { forgetLoggedKeys } from './transparency-log'
import { loadSigstoreTrust, type SigstoreTrust } from './trust-material'

// One verification worker (pool.ts): prepares the documents it is sent exactly as the main thread would.

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
  if (!known) return request.raws.map(() => ({ retry: true }))
  const { config, trust } = known
  const context: IngestContext = { keys: config.keys, sigstore: trust, now: () => request.now, ...(config.policies ? { policies: config.policies } : {}) }
  return request.raws.map((raw): PooledOutcome<unknown> => {
    if (request.forget) {
      forgetChainResults(trust)
      forgetCertificates()
      forgetLoggedKeys()
    }
    try {
      return { ok: prepareDocument(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), context) }
    } catch (error) {
      if (error instanceof IngestError) return { error: { code: error.code, message: error.message, ...(error.path ? { path: error.path } : {}) } }
      // Anything else is the main thread's to throw, as it would without the pool.
      return { retry: true }
    }
  })
}
