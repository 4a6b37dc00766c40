/**
 * The layout's Web Worker: lays out one graph per message, off the main thread (a 10,000-node layout takes a
 * few hundred milliseconds, far over the 50 ms a task may block input). The result's arrays are transferred, not
 * copied.
 */
import { layoutGraph } from './layout'
import { isLayoutRequest, transferablesOf, type LayoutResponse } from './layout-messages'

/** The worker's global scope, as much of it as we use (the project's types are the DOM's, not the worker's). */
type WorkerScope = {
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void
  postMessage(message: LayoutResponse, transfer: Transferable[]): void
}
// This module only ever runs as a worker, whose global scope has these.
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
