import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { isRecord } from '../errors'
import type { IngestContext } from '../format'
import type { SigstoreTrust } from './trust-material'

/*
 * Sigstore bundles of one request body verified on every core. Verifying a bundle is CPU work (ECDSA, X.509,
 * Merkle proofs) that needs nothing from the store, so a batch is split across worker threads, each of which reads
 * and verifies its share with the same code and trust as the main thread (prepareDocument), and the main thread
 * stores the results in order. Each worker loads a configuration's trust material once and keeps its own
 * certificate and chain caches.
 *
 * Only batches go to the pool: one bundle per request is verified in place, since handing it over costs more than
 * it saves. Whatever a worker cannot answer (it crashed, or the check threw something other than IngestError) is
 * verified again on the main thread, which gives the same answer or the same exception as without the pool.
 */

/** What a worker answers for one document: the prepared document, the IngestError it threw, or "ask the main thread". */
export type PooledOutcome<T> = { ok: T } | { error: { code: string; message: string; path?: string } } | { retry: true }

export type WorkerConfig = {
  id: number
  trustedRoots: readonly unknown[]
  sigstoreKeys: SigstoreTrust['keys']
  keys: IngestContext['keys']
  policies: IngestContext['policies']
}

/** `joined`: the chunk's documents end to end, `lengths` long each. */
export type WorkerRequest = { id: number; config: WorkerConfig | number; now: number; joined: Uint8Array; lengths: number[]; forget: boolean }
export type WorkerReply = { id: number; outcomes: PooledOutcome<unknown>[] }

/** Below this many bundles in a body the handover costs more than a second core gains. */
const MIN_BATCH = 4
/**
 * Bundles per message: small enough that the workers finish together (a core taken by another process leaves its
 * worker behind, and the others take its share), large enough to keep messages few. Towards the end of a batch the
 * chunks shrink to a share of what is left, so that no worker is left with ten while the others have finished.
 */
const CHUNK = 10
/** Chunks a worker holds at once: the next is waiting when one is done, so no worker idles for a round trip. */
const IN_FLIGHT = 2

const BUNDLE_MEDIA_TYPE = Buffer.from('application/vnd.dev.sigstore.bundle')

type Member = { worker: Worker; configs: Set<number>; pending: Map<number, (reply: WorkerReply | null) => void>; busy: number; dead: boolean }

let members: Member[] | null = null
let forgetEach = false

/**
 * For the bench: every worker forgets the certificates, chain results and logged keys it read before each document,
 * so that each bundle costs what one with a certificate never seen costs (as a real Fulcio certificate is).
 */
export function forgetCertificatesBetweenDocuments(on: boolean): void {
  forgetEach = on
}
let disabled = false
let nextRequest = 1
let nextConfig = 1
const configIds = new WeakMap<SigstoreTrust, number>()

function startWorker(): Worker {
  // From the build the worker is dist/server/verify-worker.js beside dist/server/main.js. From the sources (tsx,
  // vitest) it is the .ts file, and tsx's hooks do not reach a worker thread by themselves (nor through --import on
  // Node 20): the worker registers them before it loads the file.
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./verify-worker.js', import.meta.url))
  const source = JSON.stringify(new URL('./verify-worker.ts', import.meta.url).href)
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${source}) })`, { eval: true })
}

/** How many worker threads verify bundles: one per core (the main thread mostly waits on them and the store). */
export function poolSize(): number {
  const configured = Number(process.env.SIGSTORE_WORKERS)
  if (Number.isInteger(configured) && configured >= 0) return configured
  return availableParallelism()
}

function pool(): Member[] | null {
  if (disabled) return null
  if (members) return members
  const size = poolSize()
  if (size === 0) {
    disabled = true
    return null
  }
  members = Array.from({ length: size }, () => {
    const member: Member = { worker: startWorker(), configs: new Set(), pending: new Map(), busy: 0, dead: false }
    member.worker.on('message', (reply: WorkerReply) => {
      const resolve = member.pending.get(reply.id)
      member.pending.delete(reply.id)
      resolve?.(reply)
    })
    // A worker that dies answers nothing: its documents are verified on the main thread, and the pool is not used again.
    const fail = () => {
      member.dead = true
      // A worker of a pool already closed (closeVerifyPool terminates them) says nothing about the next pool.
      if (members?.includes(member)) {
        disabled = true
        members = null
      }
      for (const resolve of member.pending.values()) resolve(null)
      member.pending.clear()
    }
    member.worker.on('error', fail)
    member.worker.on('exit', fail)
    // Idle workers do not keep the process alive.
    member.worker.unref()
    return member
  })
  return members
}

/** Stops the workers (tests and shutdown); the next batch starts new ones. */
export async function closeVerifyPool(): Promise<void> {
  const current = members
  members = null
  disabled = false
  if (current) await Promise.all(current.map((member) => member.worker.terminate()))
}

function configOf(context: IngestContext, trust: SigstoreTrust): WorkerConfig {
  let id = configIds.get(trust)
  if (id === undefined) configIds.set(trust, (id = nextConfig++))
  return { id, trustedRoots: trust.sources, sigstoreKeys: trust.keys, keys: context.keys, policies: context.policies }
}

/** One body's bundles: handed out chunk by chunk, oldest body first, and answered once every chunk is back. */
type Batch = {
  raws: readonly Buffer[]
  /** Indexes of the bundles among `raws`; those before `next` have been handed out. */
  bundles: number[]
  next: number
  /** Chunks handed out and not answered yet. */
  open: number
  config: WorkerConfig
  now: number
  outcomes: (PooledOutcome<unknown> | undefined)[]
  done: () => void
}

/**
 * Bodies waiting for the workers, oldest first. A worker always takes the next chunk of the oldest body, so when
 * two bodies arrive together the first is verified (and stored by the main thread) while the workers go on with
 * the second, instead of both finishing last.
 */
const queue: Batch[] = []

/**
 * Prepares the Sigstore bundles among `raws` on the worker threads. Returns one outcome per document, undefined for
 * the ones left to the caller (not bundles), or null when the pool is not used for this batch.
 */
export async function prepareBundlesInWorkers<T>(raws: readonly Buffer[], context: IngestContext): Promise<(PooledOutcome<T> | undefined)[] | null> {
  // Log evidence is read from the store for a few documents: those stay on the main thread with it.
  const trust = context.sigstore
  if (!trust || (context.logEvidence && context.logEvidence.length > 0)) return null
  const bundles = raws.flatMap((raw, index) => (raw.includes(BUNDLE_MEDIA_TYPE) ? [index] : []))
  if (bundles.length < MIN_BATCH) return null
  if (!pool()) return null
  const outcomes = new Array<PooledOutcome<unknown> | undefined>(raws.length)
  await new Promise<void>((done) => {
    queue.push({ raws, bundles, next: 0, open: 0, config: configOf(context, trust), now: context.now(), outcomes, done })
    dispatch()
  })
  // Chunks no live worker was left to take are the main thread's.
  for (const index of bundles) outcomes[index] ??= { retry: true }
  return outcomes as (PooledOutcome<T> | undefined)[]
}

/** Hands chunks to every live worker with room for one, oldest body first (IN_FLIGHT chunks a worker). */
function dispatch(): void {
  const live = members?.filter((member) => !member.dead) ?? []
  if (live.length === 0) {
    // No worker left: whatever was not handed out is the main thread's.
    for (const batch of queue.splice(0)) {
      batch.next = batch.bundles.length
      if (batch.open === 0) batch.done()
    }
    return
  }
  for (let free = true; free && queue.length > 0;) {
    free = false
    for (const member of live) {
      if (member.busy >= IN_FLIGHT) continue
      const batch = queue[0]
      if (!batch) return
      // Each worker takes the next chunk as it finishes one, rather than its share up front: a worker whose core is
      // busy with something else then verifies less instead of holding the whole batch up. Towards the end of a
      // batch the chunks shrink to a share of what is left, so that no worker is left with ten while the others
      // have finished.
      const left = batch.bundles.length - batch.next
      const size = Math.min(CHUNK, Math.max(1, Math.ceil(left / (2 * live.length * IN_FLIGHT))))
      const chunk = batch.bundles.slice(batch.next, batch.next + size)
      batch.next += size
      if (batch.next >= batch.bundles.length) queue.shift()
      batch.open++
      send(member, batch, chunk)
      free = true
    }
  }
}

function send(member: Member, batch: Batch, chunk: number[]): void {
  const id = nextRequest++
  const { config } = batch
  const known = member.configs.has(config.id)
  member.configs.add(config.id)
  // A worker keeps the process alive only while it has work (an awaited answer would otherwise never come).
  if (member.busy++ === 0) member.worker.ref()
  const answered = (reply: WorkerReply | null) => {
    if (--member.busy === 0) member.worker.unref()
    chunk.forEach((index, position) => {
      const outcome = reply?.outcomes[position]
      const raw = batch.raws[index]
      if (!outcome || !raw) batch.outcomes[index] = { retry: true }
      else if ('ok' in outcome) batch.outcomes[index] = { ok: withRaw(outcome.ok, raw) }
      else batch.outcomes[index] = outcome
    })
    if (--batch.open === 0 && batch.next >= batch.bundles.length) batch.done()
    dispatch()
  }
  member.pending.set(id, answered)
  // The chunk's documents travel as one buffer of their own, handed over rather than copied again.
  const lengths = chunk.map((index) => batch.raws[index]?.length ?? 0)
  const joined = new Uint8Array(lengths.reduce((sum, length) => sum + length, 0))
  let at = 0
  for (const index of chunk) {
    const raw = batch.raws[index]
    if (raw) joined.set(raw, at)
    at += raw?.length ?? 0
  }
  const request: WorkerRequest = { id, config: known ? config.id : config, now: batch.now, joined, lengths, forget: forgetEach }
  try {
    member.worker.postMessage(request, [joined.buffer])
  } catch {
    // Not sent: this worker is not asked again, and the chunk is the main thread's, as when a worker dies.
    member.dead = true
    member.pending.delete(id)
    answered(null)
  }
}

/**
 * A prepared document as the worker sent it, with the document's bytes put back: the worker leaves them out of
 * its answer, since they are the very bytes this thread sent (prepareDocument keeps what it is given).
 */
function withRaw(ok: unknown, raw: Buffer): unknown {
  const prepared = asBuffers(ok)
  if (isRecord(prepared) && isRecord(prepared.item) && isRecord(prepared.item.document)) prepared.item.document.raw = raw
  return prepared
}

/** Structured cloning turns Buffers into plain Uint8Arrays; the store and the answers expect Buffers back. */
function asBuffers(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  if (Array.isArray(value)) return value.map(asBuffers)
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[key] = asBuffers(item)
    return out
  }
  return value
}
