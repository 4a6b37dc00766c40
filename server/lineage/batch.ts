import type { Members } from '../../domain/lineage-walk'

/*
 * The walk asks every question of a level before it awaits any answer (domain/lineage-walk.ts). Questions of one
 * kind asked together are gathered here until the event loop's next check phase and answered by one call, so a
 * level costs one query per kind of question (`where x in (...)` over the whole frontier) instead of one per node
 * and relation. A question asked twice in a batch is asked once.
 */

type Waiting<K, V> = { key: K; resolve: (value: V) => void; reject: (error: unknown) => void }[]

/**
 * A loader for one kind of question. `answer` gets the distinct keys of a batch (by `idOf`) and returns one answer
 * per key, in order; `merge` combines two askings of the same key (the larger limit wins).
 */
export function coalesce<K, V>(answer: (keys: readonly K[]) => Promise<readonly V[]>, idOf: (key: K) => string, merge: (a: K, b: K) => K = (a) => a): (key: K) => Promise<V> {
  let batch: Map<string, { key: K; waiting: Waiting<K, V> }> | null = null
  const flush = async (current: Map<string, { key: K; waiting: Waiting<K, V> }>) => {
    const entries = [...current.values()]
    try {
      const answers = await answer(entries.map((entry) => entry.key))
      entries.forEach((entry, index) => {
        const value = answers[index]
        // An answer missing for a key is a reader bug, not an empty neighbourhood: fail the request loudly.
        for (const waiting of entry.waiting) {
          if (value === undefined) waiting.reject(new Error(`lineage reader answered no value for ${idOf(entry.key)}`))
          else waiting.resolve(value)
        }
      })
    } catch (error) {
      for (const entry of entries) for (const waiting of entry.waiting) waiting.reject(error)
    }
  }
  return (key) =>
    new Promise<V>((resolve, reject) => {
      if (batch === null) {
        const current = new Map<string, { key: K; waiting: Waiting<K, V> }>()
        batch = current
        // setImmediate, not a microtask: the walk's questions of one level come from several promise chains, and
        // all of them have run by the check phase.
        setImmediate(() => {
          batch = null
          void flush(current)
        })
      }
      const id = idOf(key)
      const entry = batch.get(id)
      if (entry === undefined) batch.set(id, { key, waiting: [{ key, resolve, reject }] })
      else {
        entry.key = merge(entry.key, key)
        entry.waiting.push({ key, resolve, reject })
      }
    })
}

export type Ask = { key: string; limit: number }

/**
 * A loader of members: asked (key, limit), answered for the largest limit asked of that key in the batch, and each
 * asker gets its own first `limit` items.
 */
export function membersLoader<T>(answer: (asks: readonly Ask[]) => Promise<readonly Members<T>[]>): (key: string, limit: number) => Promise<Members<T>> {
  const load = coalesce<Ask, Members<T>>(answer, (ask) => ask.key, (a, b) => (a.limit >= b.limit ? a : b))
  return async (key, limit) => {
    const members = await load({ key, limit })
    return members.items.length <= limit ? members : { ...members, items: members.items.slice(0, limit) }
  }
}
