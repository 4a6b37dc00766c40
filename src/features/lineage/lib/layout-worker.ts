/**
 * The layout's Web Worker: lays out one graph per message, off the main thread (a 10,000-node layout takes a
 * few hundred milliseconds, far over the 50 ms a task may block input). The result's arrays are transferred, not
 * copied. Run from the app's own chunks, as the answer worker is (see answer-worker.ts): the page has the layout
 * code already, for where no worker starts, and a bundle apart would be a second copy.
 */
import { layoutGraph } from './layout'
import { isLayoutRequest, transferablesOf, type LayoutResponse } from './layout-messages'
import { runsAsWorker } from './worker-role'

export const LAYOUT_WORKER_NAME = 'lineage-layout'
/** Where a worker loads this module from: in a build, the chunk it is in; in development, the module itself. */
export const layoutWorkerUrl: string = import.meta.url

/** The worker's global scope, as much of it as we use (the project's types are the DOM's, not the worker's). */
type WorkerScope = {
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void
  postMessage(message: LayoutResponse, transfer: Transferable[]): void
}

if (runsAsWorker(LAYOUT_WORKER_NAME)) {
  // Only a worker named so gets here, and a worker's global scope has these.
  const scope = globalThis as unknown as WorkerScope
  scope.addEventListener('message', (event: MessageEvent<unknown>) => {
    const request = event.data
    if (!isLayoutRequest(request)) return
    let response: LayoutResponse
    try {
      response = { id: request.id, result: layoutGraph(request.input) }
    } catch (error) {
      response = { id: request.id, error: error instanceof Error ? error.message : String(error) }
    }
    scope.postMessage(response, 'result' in response ? transferablesOf(response.result) : [])
  })
}
