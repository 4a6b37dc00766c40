/**
 * The lineage answers' Web Worker: parses each answer's bytes and checks them against the contract off the main
 * thread (a 5,000-node answer is 5 MB of JSON: tens of milliseconds to parse and check, and as much garbage to
 * collect later), and sends the page a patch when a refresh changed only states and facts.
 *
 * The worker runs this module from the app's own chunks, not from a bundle of its own as Vite builds
 * `new Worker(new URL('./x.ts', import.meta.url))`: such a bundle carries its own copy of zod and of the contract
 * (12 kB gzip) that the page has already loaded. vite.config.ts puts the workers' modules in one chunk
 * (`lineage-workers`) that imports only the contract chunk, so a worker loads no React and no page code; the page
 * imports this module for its URL, and the module does nothing there.
 */
import { createAnswerReader, isAnswerRequest, type AnswerReply } from './answer-reader'
import { runsAsWorker } from './worker-role'

export const ANSWER_WORKER_NAME = 'lineage-answers'
/** Where a worker loads this module from: in a build, the chunk it is in; in development, the module itself. */
export const answerWorkerUrl: string = import.meta.url

/** The worker's global scope, as much of it as we use (the project's types are the DOM's, not the worker's). */
type WorkerScope = {
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void
  postMessage(message: AnswerReply): void
}

if (runsAsWorker(ANSWER_WORKER_NAME)) {
  // Only a worker named so gets here, and a worker's global scope has these.
  const scope = globalThis as unknown as WorkerScope
  const read = createAnswerReader()
  scope.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (isAnswerRequest(event.data)) scope.postMessage(read(event.data))
  })
}
