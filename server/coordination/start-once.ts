import type { CoordinationRepository } from './store'

/** What `start` hands back: the answer for the caller now, and the work that goes on after it. */
export type Started<T> = { value: T; done: Promise<unknown> }

/**
 * Takes a job (CoordinationRepository.once) for work that outlives the call, such as a sync that a request starts
 * and answers at once: resolves to `start`'s value as soon as the job is taken and the work started, and keeps the
 * job until that work is done, so no other server starts it meanwhile. Resolves to null when another server (or
 * this one) holds the job. Failing to take the job (store unreachable) or to start rejects; the work's own
 * failure is its own to report.
 */
export async function startOnce<T>(coordination: Pick<CoordinationRepository, 'once'>, job: string, start: () => Started<T>): Promise<T | null> {
  let taken: (value: T) => void = () => undefined
  const started = new Promise<T>((resolve) => (taken = resolve))
  const held = coordination.once(job, async () => {
    const { value, done } = start()
    taken(value)
    await done.catch(() => undefined)
  })
  // Once the job was taken, `held` settles with the work; nobody waits for it then.
  held.catch(() => undefined)
  return Promise.race([started, held.then((ran) => (ran ? started : null))])
}
