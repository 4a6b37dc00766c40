import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { Policy } from '../../src/contract/policy'
import type { IngestContext } from './format'
import type { TrustedKey } from './keys'
import type { SigstoreTrust } from './sigstore/trust-material'

/*
 * The documents of one request body read and verified on every core. Reading a document and checking its signature
 * (prepareDocument) needs nothing from the store, so the documents of a batch are sent to worker threads, each of
 * which prepares them with the same code, keys, policies and trust as the main thread, and the main thread stores
 * the results in their order. Any document can go: a worker answers exactly what prepareDocument answers, or the
 * IngestError it throws.
 *
 * A document whose preparation throws anything else (a defect of ours), and every document of a worker that died,
 * is prepared again on the main thread, which gives the same answer or the same exception as without the pool: the
 * pool never turns a defect into a verdict, nor a verdict into an error.
 *
 * Bodies of a few documents are prepared in place: handing them over costs more than a second core gains.
 */

/** What a worker answers for one document: the prepared document, the IngestError it threw, or "ask the main thread". */
export type PreparedOutcome<T> = { ok: T } | { error: { code: string; message: string; path?: string } } | { retry: true }

/** What a worker needs to prepare documents as the main thread would, sent once per worker and configuration. */
export type PrepareConfig = {
  id: number
  keys: readonly TrustedKey[]
  policies: readonly Policy[] | undefined
  /** The Sigstore trust's sources, read again in the worker (its parsed form holds classes a message cannot carry). */
  sigstore: { trustedRoots: readonly unknown[]; keys: SigstoreTrust['keys'] } | null
}

export type PrepareRequest = { id: number; config: PrepareConfig | number; now: number; raws: Uint8Array[] }
/** `buffers` lists the answers that hold byte arrays, which cloning made plain Uint8Arrays; the raw bytes are never sent back. */
export type PrepareReply = { id: number; outcomes: PreparedOutcome<unknown>[]; buffers: number[] }

/** Below this many documents in a body, they are prepared on the main thread. */
const MIN_BATCH = 16
/**
 * Documents per message: enough that a message's own cost (a few tens of microseconds each way) is small beside the
 * work it carries (a DSSE document is about 0.3 ms), few enough that a worker whose core another process took holds
 * up little, since the others take the chunks it has not.
 */
const CHUNK = 25
/** Chunks a worker holds at once: the next is waiting when one is done, so no worker idles for a round trip. */
const IN_FLIGHT = 2

type Member = { worker: Worker; configs: Set<number>; pending: Map<number, (reply: PrepareReply | null) => void>; busy: number; dead: boolean }

let members: Member[] | null = null
let disabled = false
let nextRequest = 1
let nextConfig = 1
/** Configuration ids by the identity of what they are made of: the keys, policies and trust of a server's config. */
const configIds = new WeakMap<readonly TrustedKey[], { policies: IngestContext['policies']; sigstore: IngestContext['sigstore']; id: number }[]>()

function startWorker(): Worker {
  // From the build the worker is dist/server/prepare-worker.js beside dist/server/main.js. From the sources (tsx,
  // vitest) it is the .ts file, and tsx's hooks do not reach a worker thread by themselves (nor through --import on
  // Node 20): the worker registers them before it loads the file.
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./prepare-worker.js', import.meta.url))
  const source = JSON.stringify(new URL('./prepare-worker.ts', import.meta.url).href)
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${source}) })`, { eval: true })
}

/**
 * How many worker threads prepare documents: none unless INGEST_WORKERS says how many (`cores` for one per core). On
 * this project's shared 2-core machine (load 15 to 25) JSONL batches of DSSE documents went slower with two workers
 * than on the main thread alone, in wall time and in CPU time (the handover, each worker's own JIT warm-up and the
 * round trips a busy scheduler delays cost more than a 0.3 ms document saves), so the pool is for cores of its own.
 */
export function preparePoolSize(): number {
  const setting = process.env.INGEST_WORKERS
  if (setting === 'cores') return availableParallelism()
  const configured = Number(setting)
  return setting !== undefined && Number.isInteger(configured) && configured >= 0 ? configured : 0
}

function pool(): Member[] | null {
  if (disabled) return null
  if (members) return members
  const size = preparePoolSize()
  if (size === 0) {
    disabled = true
    return null
  }
  members = Array.from({ length: size }, () => {
    const member: Member = { worker: startWorker(), configs: new Set(), pending: new Map(), busy: 0, dead: false }
    member.worker.on('message', (reply: PrepareReply) => {
      const resolve = member.pending.get(reply.id)
      member.pending.delete(reply.id)
      resolve?.(reply)
    })
    // A worker that dies answers nothing: its documents are prepared on the main thread, and the pool is not used again.
    const fail = () => {
      member.dead = true
      // A worker of a pool already closed (closePreparePool terminates them) says nothing about the next pool.
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
export async function closePreparePool(): Promise<void> {
  const current = members
  members = null
  disabled = false
  if (current) await Promise.all(current.map((member) => member.worker.terminate()))
}

function configOf(context: IngestContext): PrepareConfig {
  const known = configIds.get(context.keys) ?? []
  let entry = known.find((candidate) => candidate.policies === context.policies && candidate.sigstore === context.sigstore)
  if (!entry) {
    entry = { policies: context.policies, sigstore: context.sigstore, id: nextConfig++ }
    configIds.set(context.keys, [...known, entry])
  }
  const { sigstore } = context
  return { id: entry.id, keys: context.keys, policies: context.policies, sigstore: sigstore ? { trustedRoots: sigstore.sources, keys: sigstore.keys } : null }
}

/**
 * Prepares the documents of `raws` at `indices` on the worker threads. Returns one outcome per document of `raws`
 * (undefined for those not at `indices`), or null when the pool is not used for this batch (too few documents, no
 * workers, or log evidence from the store in the context, which stays with the main thread). `settled(count, outcomes)`
 * is told each time more of `indices`, counted from the first, have their outcome, so the caller can store those while
 * the workers prepare the rest; what it throws ends the batch.
 */
export async function prepareInWorkers<T extends { item: { document: { raw: Uint8Array } } }>(
  raws: readonly Buffer[],
  indices: readonly number[],
  context: IngestContext,
  settled?: (count: number, outcomes: readonly (PreparedOutcome<T> | undefined)[]) => void,
): Promise<(PreparedOutcome<T> | undefined)[] | null> {
  if (indices.length < MIN_BATCH || (context.logEvidence && context.logEvidence.length > 0)) return null
  const workers = pool()
  if (!workers) return null
  const config = configOf(context)
  const now = context.now()
  const outcomes: (PreparedOutcome<T> | undefined)[] = new Array<PreparedOutcome<T> | undefined>(raws.length)
  const chunks: number[][] = []
  for (let offset = 0; offset < indices.length; offset += CHUNK) chunks.push(indices.slice(offset, offset + CHUNK))
  // Each worker takes the next chunk as it finishes one (IN_FLIGHT lanes each), rather than its share up front: a
  // worker whose core is busy with something else then prepares less instead of holding the whole batch up.
  let next = 0
  // Chunks are answered out of order; `settled` hears of them in order.
  const answered = new Array<boolean>(chunks.length).fill(false)
  let told = 0
  const tell = (chunk: number) => {
    answered[chunk] = true
    if (!settled || chunk !== told) return
    while (answered[told]) told++
    settled(Math.min(told * CHUNK, indices.length), outcomes)
  }
  const lane = async (member: Member): Promise<void> => {
    for (let at = next++, chunk = chunks[at]; chunk; at = next++, chunk = chunks[at]) {
      const reply = await send(member, chunk)
      const withBuffers = new Set(reply?.buffers)
      chunk.forEach((index, position) => {
        const outcome = reply?.outcomes[position]
        const raw = raws[index]
        if (!outcome || !raw) outcomes[index] = { retry: true }
        else if ('ok' in outcome) outcomes[index] = { ok: withRaw((withBuffers.has(position) ? asBuffers(outcome.ok) : outcome.ok) as T, raw) }
        else outcomes[index] = outcome
      })
      tell(at)
      // A worker that died answers no more; the other lanes take the rest.
      if (!reply) return
    }
  }
  const send = async (member: Member, chunk: number[]): Promise<PrepareReply | null> => {
    // A message to a worker that has exited would never be answered.
    if (member.dead) return null
    const id = nextRequest++
    const known = member.configs.has(config.id)
    member.configs.add(config.id)
    // A worker keeps the process alive only while it has work (an awaited answer would otherwise never come).
    if (member.busy++ === 0) member.worker.ref()
    const reply = await new Promise<PrepareReply | null>((resolve) => {
      member.pending.set(id, resolve)
      const request: PrepareRequest = { id, config: known ? config.id : config, now, raws: chunk.map((index) => raws[index] ?? Buffer.alloc(0)) }
      member.worker.postMessage(request)
    })
    if (--member.busy === 0) member.worker.unref()
    return reply
  }
  await Promise.all(workers.flatMap((member) => Array.from({ length: IN_FLIGHT }, () => lane(member))))
  // Chunks no live worker was left to take are the main thread's.
  for (const index of indices) outcomes[index] ??= { retry: true }
  return outcomes
}

/** The worker leaves the document's bytes out of its answer (the main thread has them): they are put back here. */
function withRaw<T extends { item: { document: { raw: Uint8Array } } }>(prepared: T, raw: Buffer): T {
  prepared.item.document.raw = raw
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

/** Whether a value holds a byte array anywhere (the worker asks, so the main thread walks only the answers that do). */
export function holdsBytes(value: unknown): boolean {
  if (value instanceof Uint8Array) return true
  if (Array.isArray(value)) return value.some(holdsBytes)
  if (value !== null && typeof value === 'object') return Object.values(value).some(holdsBytes)
  return false
}
