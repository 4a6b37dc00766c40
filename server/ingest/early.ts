import type { IngestItem, IngestOutcome } from '../documents/records'
import type { Store } from '../store/types'

/**
 * The first documents of a batch stored while the workers still verify the rest (prepare-pool.ts). Storing is the
 * main thread's work and verifying the workers': done one after the other, as when a body was stored only once all
 * of it was verified, each side waited for the other, and the workers idled for most of every body.
 *
 * Each offer is stored as the store's own batch, in order (group commit joins those that wait for the same
 * transaction), so the log's order is the body's; the caller stores what was not offered, and answers once all of it
 * is durable. The answers are the same as for one batch: a document that links to others of its body through a
 * transparency-log entry (log keys or Rekor entries, which withStoredEvidence matches within a batch) stops early
 * storing, and it and everything after it are stored together at the end.
 *
 * A body is then stored in one or more transactions. A 2xx still means all of it is on disk; when the request fails
 * midway, the documents stored before stay stored, and sending the body again answers `created: false` for them.
 */
export class EarlyStore {
  /** How many documents, from the batch's first, were handed to the store. */
  count = 0
  #open = true
  readonly #stored: Promise<IngestOutcome[]>[] = []

  /**
   * `minimum`: the fewest documents worth a transaction of their own. Each costs a commit (a few milliseconds of the
   * main thread: statements, the log's state, the sync); offered in chunks of 25, a body of 200 took eight, and the
   * main thread, which is what bounds a batch's speed, spent more on them than the overlap saved.
   */
  constructor(
    private readonly store: Store,
    private readonly minimum: number,
  ) {}

  /** Stores the documents of `prepared` not yet stored, unless one of them links to others in its batch. */
  offer(prepared: readonly { item: IngestItem }[]): void {
    if (!this.#open || prepared.length - this.count < this.minimum) return
    const next = prepared.slice(this.count)
    if (next.some(({ item }) => (item.logKeys?.length ?? 0) > 0 || (item.logEntries?.length ?? 0) > 0)) {
      this.#open = false
      return
    }
    const stored = this.store.documents.ingest(next.map(({ item }) => item))
    // A failure is the caller's once it asks for the outcomes; until then it must not count as unhandled.
    stored.catch(() => undefined)
    this.#stored.push(stored)
    this.count = prepared.length
  }

  /** The outcomes of every document stored early, in order; throws what storing threw. */
  async outcomes(): Promise<IngestOutcome[]> {
    return (await Promise.all(this.#stored)).flat()
  }
}
