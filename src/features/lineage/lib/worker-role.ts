/**
 * Whether this code runs as the dedicated Web Worker named `name`. The lineage workers are modules of the app's own
 * chunks, not bundles apart (see answer-worker.ts): the page imports them too, for their URL, and there they must
 * do nothing. A window has a `name` too (anyone may set it), so the worker's global scope is checked first.
 */
export function runsAsWorker(name: string): boolean {
  const scope = globalThis as { WorkerGlobalScope?: unknown; name?: unknown }
  return typeof scope.WorkerGlobalScope === 'function' && scope.name === name
}
