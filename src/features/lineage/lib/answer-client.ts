import { ApiError } from '../../../api/api-error'
import type { LineageGraph } from '../../../contract/lineage'
import { createAnswerReader, isAnswerReply, type AnswerReply, type AnswerRequest } from './answer-reader'
import { ANSWER_WORKER_NAME, answerWorkerUrl } from './answer-worker'
import { applyPatch } from './graph-patch'

/*
 * The page's side of the answer worker: hands it an answer's bytes (transferred, not copied) with the version of
 * the same request's answer the page holds, and turns the reply into a graph: the whole graph for a new request, or
 * the held one with the reply's patch applied. Where there is no Worker (jsdom), or it fails to start, the same
 * reader runs on this thread.
 */

let worker: Worker | null = null
let workerBroken = false
let local: ((request: AnswerRequest) => AnswerReply) | null = null
let nextId = 1
const pending = new Map<number, (reply: AnswerReply) => void>()
/** Per request, the answer the page was last given, by the reader's version (what a patch is made against). */
const held = new Map<string, { version: number; graph: LineageGraph }>()
const HELD = 12

function startWorker(): Worker | null {
  if (worker || workerBroken || typeof Worker === 'undefined') return worker
  try {
    worker = new Worker(answerWorkerUrl, { type: 'module', name: ANSWER_WORKER_NAME })
  } catch {
    workerBroken = true
    return null
  }
  worker.addEventListener('message', (event: MessageEvent<unknown>) => {
    const reply = event.data
    if (!isAnswerReply(reply)) return
    const waiting = pending.get(reply.id)
    pending.delete(reply.id)
    waiting?.(reply)
  })
  worker.addEventListener('error', () => {
    // A worker that failed to load: what waits for it is answered with a failure, and answers are read here from now on.
    workerBroken = true
    worker?.terminate()
    worker = null
    // The reader on this thread numbers its answers afresh: nothing held may be patched by it.
    held.clear()
    for (const [id, waiting] of pending) {
      pending.delete(id)
      waiting({ id, failure: 'The lineage answer could not be read: its worker failed to start.' })
    }
  })
  return worker
}

/** Starts the worker ahead of the first answer, so loading its code overlaps with the request. */
export function prepareAnswers(): void {
  startWorker()
}

/**
 * The graph in an answer's bytes, parsed and checked off the main thread. `key` names the request: a later answer
 * to the same key that changed only states and facts comes back as the earlier graph with just those nodes and
 * edges replaced. Throws ApiError when the answer is not JSON or breaks the contract, as `getJson` does.
 */
export async function readLineageAnswer(key: string, bytes: ArrayBuffer, answer: { status: number; endpoint: string }): Promise<LineageGraph> {
  const base = held.get(key) ?? null
  const request: AnswerRequest = { id: nextId++, key, bytes, base: base?.version ?? null, status: answer.status, endpoint: answer.endpoint }
  const target = startWorker()
  let reply: AnswerReply
  if (target) {
    reply = await new Promise<AnswerReply>((resolve) => {
      pending.set(request.id, resolve)
      target.postMessage(request, [bytes])
    })
  } else {
    local ??= createAnswerReader()
    reply = local(request)
  }
  if ('apiError' in reply) throw new ApiError(reply.apiError)
  if ('failure' in reply) throw new Error(reply.failure)
  let graph: LineageGraph
  if ('patch' in reply) {
    // The reader patches only against the version this request named, which is the graph captured above.
    if (!base || base.version !== reply.base) throw new Error('The lineage answer could not be read: a patch arrived for an answer this page no longer holds.')
    graph = applyPatch(base.graph, reply.patch)
  } else graph = reply.graph
  // Only ever forward: a slower reply to an older request must not replace a newer answer as the base.
  const now = held.get(key)
  if (!now || now.version < reply.version) {
    held.delete(key)
    held.set(key, { version: reply.version, graph })
    if (held.size > HELD) held.delete(held.keys().next().value!)
  }
  return graph
}
