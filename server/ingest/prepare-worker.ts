import { parentPort } from 'node:worker_threads'
import { IngestError } from './errors'
import type { IngestContext } from './format'
import { prepareDocument } from './ingest'
import { holdsBytes, type PrepareConfig, type PreparedOutcome, type PrepareReply, type PrepareRequest } from './prepare-pool'
import { loadSigstoreTrust, type SigstoreTrust } from './sigstore/trust-material'

// One preparing worker (prepare-pool.ts): prepares the documents it is sent exactly as the main thread would.

/** Each configuration this worker was sent, its Sigstore trust read once. */
const configs = new Map<number, { config: PrepareConfig; sigstore: SigstoreTrust | undefined }>()

parentPort?.on('message', (request: PrepareRequest) => {
  parentPort?.postMessage(answer(request))
})

function answer(request: PrepareRequest): PrepareReply {
  let known = typeof request.config === 'number' ? configs.get(request.config) : undefined
  if (typeof request.config !== 'number') {
    const config = request.config
    try {
      known = { config, sigstore: config.sigstore ? loadSigstoreTrust(config.sigstore.trustedRoots, config.sigstore.keys) : undefined }
      configs.set(config.id, known)
    } catch {
      // The main thread loaded the same trust; whatever failed here is for it to meet again.
      known = undefined
    }
  }
  if (!known) return { id: request.id, outcomes: request.raws.map(() => ({ retry: true })), buffers: [] }
  const { config, sigstore } = known
  const context: IngestContext = {
    keys: config.keys,
    now: () => request.now,
    ...(config.policies ? { policies: config.policies } : {}),
    ...(sigstore ? { sigstore } : {}),
  }
  const buffers: number[] = []
  const outcomes = request.raws.map((raw, index): PreparedOutcome<unknown> => {
    try {
      const prepared = prepareDocument(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), context)
      // The main thread has the bytes: sending them back would copy them twice for nothing.
      const { raw: _sent, ...document } = prepared.item.document
      const answer = { ...prepared, item: { ...prepared.item, document } }
      if (holdsBytes(answer)) buffers.push(index)
      return { ok: answer }
    } catch (error) {
      if (error instanceof IngestError) return { error: { code: error.code, message: error.message, ...(error.path ? { path: error.path } : {}) } }
      // Anything else is the main thread's to throw, as it would without the pool.
      return { retry: true }
    }
  })
  return { id: request.id, outcomes, buffers }
}
