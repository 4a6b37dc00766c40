import { layoutGraph, type LayoutInput, type LayoutResult } from './layout'
import { isLayoutResponse } from './layout-messages'
import { LAYOUT_WORKER_NAME, layoutWorkerUrl } from './layout-worker'

/*
 * Runs layouts in the Web Worker, one worker for the page's lifetime. Where there is no Worker (jsdom in the unit
 * tests), or the worker cannot start, the same pure function runs here instead: slower for big graphs, the
 * same answer.
 */

let worker: Worker | null = null
let workerBroken = false
let nextId = 1
const pending = new Map<number, { resolve: (result: LayoutResult) => void; reject: (error: Error) => void }>()

function startWorker(): Worker | null {
  if (worker || workerBroken || typeof Worker === 'undefined') return worker
  try {
    worker = new Worker(layoutWorkerUrl, { type: 'module', name: LAYOUT_WORKER_NAME })
  } catch {
    workerBroken = true
    return null
  }
  worker.addEventListener('message', (event: MessageEvent<unknown>) => {
    const response = event.data
    if (!isLayoutResponse(response)) return
    const waiting = pending.get(response.id)
    if (!waiting) return
    pending.delete(response.id)
    if ('error' in response) waiting.reject(new Error(`The graph could not be laid out: ${response.error}`))
    else waiting.resolve(response.result)
  })
  worker.addEventListener('error', () => {
    // A worker that failed to load: answer what waits for it here, and lay out on this thread from now on.
    workerBroken = true
    worker?.terminate()
    worker = null
    for (const [id, waiting] of pending) {
      pending.delete(id)
      waiting.reject(new Error('The layout worker failed to start.'))
    }
  })
  return worker
}

/** Starts the worker ahead of the first layout, so loading its code overlaps with waiting for the answer. */
export function prepareLayout(): void {
  startWorker()
}

/** Lays out the graph off the main thread when it can. */
export async function runLayout(input: LayoutInput): Promise<LayoutResult> {
  const target = startWorker()
  if (!target) return layoutGraph(input)
  const id = nextId++
  try {
    return await new Promise<LayoutResult>((resolve, reject) => {
      pending.set(id, { resolve, reject })
      // Copies, not transfers, of the input: the page keeps its own for hit testing and export.
      target.postMessage({ id, input })
    })
  } catch (error) {
    if (workerBroken) return layoutGraph(input)
    throw error
  }
}
