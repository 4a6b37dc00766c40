import { randomUUID } from 'node:crypto'
import type { Db, StoreKind } from '../store/db'

/*
 * A durable job queue in the store (migration 0026): work that must survive a restart and run once across the
 * servers sharing a database. A job is a row; a server claims due rows for a lease, and while it holds the lease
 * no other server takes them. A server that dies simply lets its leases run out, and the jobs become due again
 * for whoever polls next. On PostgreSQL the claim locks rows with FOR UPDATE SKIP LOCKED, so servers polling at
 * the same moment share out the due jobs instead of queueing on each other; on SQLite one statement claims
 * under the database's single write lock.
 */

type JobsTable = {
  id: string
  kind: string
  payload: string
  attempts: number
  run_at: number
  claimed_by: string | null
  claimed_until: number | null
  created_at: number
}

export type Job = { id: string; kind: string; payload: string; attempts: number; runAt: number }

export interface JobQueue {
  /** This process's claimer id: a job claimed by it is worked here and nowhere else until its lease ends. */
  readonly claimer: string
  /** Adds a job, due at `runAt`; with `leaseUntil` it is claimed by this process at once (it starts it itself). */
  enqueue(job: { id?: string; kind: string; payload: string; runAt: number; leaseUntil?: number }, now: number): Promise<string>
  /** Claims up to `limit` due jobs of a kind, oldest first, leased to this process until `leaseUntil`. */
  claim(kind: string, now: number, leaseUntil: number, limit: number): Promise<Job[]>
  /** After a failed attempt: counted, due again at `runAt`, and still this process's until `leaseUntil`. */
  reschedule(id: string, attempts: number, runAt: number, leaseUntil: number): Promise<void>
  /** Renews this process's lease; false when the job is gone or another server has taken it over. */
  extend(id: string, leaseUntil: number): Promise<boolean>
  /** The job is finished (done, or given up on): removed. */
  finish(id: string): Promise<void>
  /** Gives back this process's leases (on shutdown), so the jobs are due for any server at their time. */
  releaseAll(): Promise<void>
  /** Jobs of a kind still queued (tests, health). */
  pending(kind: string): Promise<Job[]>
}

export function jobQueue(base: Db, kind: StoreKind): JobQueue {
  const db = base.withTables<{ jobs: JobsTable }>()
  const claimer = randomUUID()
  const toJob = (row: Pick<JobsTable, 'id' | 'kind' | 'payload' | 'attempts' | 'run_at'>): Job => ({ id: row.id, kind: row.kind, payload: row.payload, attempts: row.attempts, runAt: row.run_at })
  return {
    claimer,
    enqueue: async (job, now) => {
      const id = job.id ?? randomUUID()
      await db
        .insertInto('jobs')
        .values({
          id,
          kind: job.kind,
          payload: job.payload,
          attempts: 0,
          run_at: job.runAt,
          claimed_by: job.leaseUntil === undefined ? null : claimer,
          claimed_until: job.leaseUntil ?? null,
          created_at: now,
        })
        .execute()
      return id
    },
    claim: async (jobKind, now, leaseUntil, limit) => {
      let due = db
        .selectFrom('jobs')
        .select('id')
        .where('kind', '=', jobKind)
        .where('run_at', '<=', now)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .orderBy('run_at')
        .limit(limit)
      if (kind === 'postgres') due = due.forUpdate().skipLocked()
      const rows = await db
        .updateTable('jobs')
        .set({ claimed_by: claimer, claimed_until: leaseUntil })
        .where('id', 'in', due)
        .returning(['id', 'kind', 'payload', 'attempts', 'run_at'])
        .execute()
      return rows.map(toJob).sort((a, b) => a.runAt - b.runAt)
    },
    reschedule: async (id, attempts, runAt, leaseUntil) => {
      await db.updateTable('jobs').set({ attempts, run_at: runAt, claimed_until: leaseUntil }).where('id', '=', id).where('claimed_by', '=', claimer).execute()
    },
    extend: async (id, leaseUntil) => {
      const result = await db.updateTable('jobs').set({ claimed_until: leaseUntil }).where('id', '=', id).where('claimed_by', '=', claimer).executeTakeFirst()
      return result.numUpdatedRows > 0n
    },
    finish: async (id) => {
      await db.deleteFrom('jobs').where('id', '=', id).execute()
    },
    releaseAll: async () => {
      await db.updateTable('jobs').set({ claimed_by: null, claimed_until: null }).where('claimed_by', '=', claimer).execute()
    },
    pending: async (jobKind) => (await db.selectFrom('jobs').select(['id', 'kind', 'payload', 'attempts', 'run_at']).where('kind', '=', jobKind).orderBy('run_at').execute()).map(toJob),
  }
}
