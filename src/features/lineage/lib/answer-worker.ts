/**
 * The lineage answers' Web Worker: parses each answer's bytes and checks them against the contract off the main
 * thread (a 5,000-node answer is 5 MB of JSON: tens of milliseconds to parse and check, and as much garbage to
 * collect later), and sends the page a patch when a refresh changed only states and facts.
 */
import { createAnswerReader, isAnswerRequest, type AnswerReply } from './answer-reader'

/** The worker's global scope, as much of it as we use (the project's types are the DOM's, not the worker's). */
type WorkerScope = {
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void
  postMessage(message: AnswerReply): void
}
// This module only ever runs as a worker, whose global scope has these.
const scope = globalThis as unknown as WorkerScope
const read = createAnswerReader()

scope.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isAnswerRequest(event.data)) scope.postMessage(read(event.data))
})
