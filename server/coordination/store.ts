import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { Db, StoreKind } from '../store/db'
import { jobQueue, type JobQueue } from './jobs'

/*
 * Work that must happen once even when several servers share one PostgreSQL database (re-verification after a
 * config change, a source's scheduled sync, alert evaluation) takes a PostgreSQL advisory lock named after the
 * job. The lock belongs to one pooled connection, so it is released when the job ends or, if the server dies,
 * when PostgreSQL notices the connection is gone: a crashed server never leaves a job locked.
 * SQLite is one file on one machine, where the processes already share its write lock, so jobs simply run.
 */

export interface CoordinationRepository {
  /**
   * Runs `task` unless another server (or this one) is running the job of that name right now; resolves to
   * whether it ran. For work whose result every server then sees in the store, so the others need not wait.
   */
  once(job: string, task: () => Promise<void>): Promise<boolean>
  /** Runs `task` after any other run of the same job, on any server, has finished: one at a time. */
  exclusive<T>(job: string, task: () => Promise<T>): Promise<T>
  /** Resolves when the store answers a query; rejects with the driver's error when it cannot be reached. */
  ping(): Promise<void>
  /** Work kept in the store until done: it survives a restart and runs on one server (server/coordination/jobs.ts). */
  jobs: JobQueue
}

/** Namespace of our advisory locks (their two-key form), "PROV" in ASCII, so they never meet another tool's. */
const LOCK_NAMESPACE = 0x50524f56

/** The lock's second key: the job's name hashed to a signed 32-bit integer. */
export function jobLockKey(job: string): number {
  return createHash('sha256').update(job).digest().readInt32BE(0)
}

export function coordinationRepository(db: Db, kind: StoreKind): CoordinationRepository {
  const ping = async () => {
    await sql`select 1`.execute(db)
  }
  const jobs = jobQueue(db, kind)
  if (kind === 'sqlite') {
    return {
      once: async (_job, task) => {
        await task()
        return true
      },
      exclusive: (_job, task) => task(),
      ping,
      jobs,
    }
  }

  const unlock = (connection: Db, key: number) =>
    // When the connection itself failed, PostgreSQL has already released the lock with it.
    sql`select pg_advisory_unlock(${LOCK_NAMESPACE}, ${key})`.execute(connection).catch(() => undefined)

  const onceAcrossServers = (job: string, task: () => Promise<void>) =>
    db.connection().execute(async (connection) => {
      const key = jobLockKey(job)
      const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${LOCK_NAMESPACE}, ${key}) as locked`.execute(connection)
      if (rows[0]?.locked !== true) return false
      try {
        await task()
      } finally {
        await unlock(connection, key)
      }
      return true
    })

  const exclusiveAcrossServers = <T>(job: string, task: () => Promise<T>) =>
    db.connection().execute(async (connection) => {
      const key = jobLockKey(job)
      await sql`select pg_advisory_lock(${LOCK_NAMESPACE}, ${key})`.execute(connection)
      try {
        return await task()
      } finally {
        await unlock(connection, key)
      }
    })

  // Within one process callers are queued here first, so a burst of them holds one pooled connection per job
  // (waiting on the lock), not one each: a pool filled with waiters would leave the lock's holder no connection.
  const running = new Set<string>()
  const queues = new Map<string, Promise<unknown>>()
  return {
    once: async (job, task) => {
      if (running.has(job)) return false
      running.add(job)
      try {
        return await onceAcrossServers(job, task)
      } finally {
        running.delete(job)
      }
    },
    exclusive: (job, task) => {
      const next = (queues.get(job) ?? Promise.resolve()).then(() => exclusiveAcrossServers(job, task))
      const settled = next.catch(() => undefined)
      queues.set(job, settled)
      void settled.then(() => {
        if (queues.get(job) === settled) queues.delete(job)
      })
      return next
    },
    ping,
    jobs,
  }
}
