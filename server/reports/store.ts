import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { ReportJob, ReportScope, ReportSummary, type ReportPage, type ReportQuery } from '../../src/contract/reports'
import type { LogKey } from '../log/checkpoint'
import { instant, parseJson } from '../store/db'
import type { Database } from '../store/schema'
import { readEvidencePage, type EvidencePage } from './evidence'

/*
 * Reports are kept in the database (migration 0015), so a report made before a restart can still be listed and
 * downloaded after it. While a report is made its row is touched (HEARTBEAT_MS) by the process making it; a
 * running report not touched for STALE_MS reads as failed, since whatever was making it has stopped (a restart,
 * a crash, another server that went away), and the auditor is told to start it again.
 */

type ReportsTable = {
  id: string
  scope: string
  as_of: number
  state: string
  progress_done: number
  progress_total: number
  created_at: number
  created_by: string | null
  created_by_scopes: string
  updated_at: number
  summary: string | null
  files: string
  error: string | null
  archive: Uint8Array | null
}
type ReportTables = { reports: ReportsTable }
type Db = Kysely<Database & ReportTables>

/** How often the process making a report touches its row, and how long a silent one is believed to be running. */
export const HEARTBEAT_MS = 10_000
export const STALE_MS = 60_000

export type ReportFile = ReportJob['files'][number]

export interface ReportRepository {
  /** The server's log key: reports are signed with the key whose public half also checks the log's checkpoints. */
  readonly signingKey: Pick<LogKey, 'name' | 'privateKey' | 'publicKeyPem'>
  /** Where a report's files are written (report.json, the envelope, CSV, HTML, archive.tar), under the data directory. */
  dirOf(id: string): string
  create(job: ReportJob, now: number): Promise<void>
  /** The report as of `now`: a running one nobody has touched for STALE_MS reads as failed. */
  get(id: string, now: number): Promise<ReportJob | null>
  list(query: ReportQuery, now: number): Promise<ReportPage>
  /** Progress, which also tells readers the report is still being made. */
  progress(id: string, progress: ReportJob['progress'], now: number): Promise<void>
  /** Done: its files are in dirOf(id); `archive` is kept in the row only by reports made before they were files. */
  finish(id: string, done: { summary: ReportSummary; files: readonly ReportFile[]; archive?: Uint8Array; progress: ReportJob['progress'] }, now: number): Promise<void>
  fail(id: string, error: string, now: number): Promise<void>
  /** What a report needs of a page of artifacts, read for the whole page at once (evidence.ts). */
  evidence(digests: readonly string[]): Promise<EvidencePage>
  /** The bytes of stored documents, exactly as ingested, by id (one query for the lot). */
  documentBytes(ids: readonly string[]): Promise<Map<string, Uint8Array>>
  /** The archive of a finished report: the file's path, or (reports made before files) its bytes. */
  archive(id: string): Promise<{ path: string } | { bytes: Uint8Array } | null>
}

const Files = z.array(ReportJob.shape.files.element)
const Scopes = z.array(z.string())

type Row = Omit<ReportsTable, 'archive'>
const columns = ['id', 'scope', 'as_of', 'state', 'progress_done', 'progress_total', 'created_at', 'created_by', 'created_by_scopes', 'updated_at', 'summary', 'files', 'error'] as const

const interrupted = 'the server making this report stopped before it was done (a restart or a crash); start it again with the same scope and as-of time for the same bytes'

function jobOf(row: Row, now: number): ReportJob {
  const stale = row.state === 'running' && now - row.updated_at > STALE_MS
  return ReportJob.parse({
    id: row.id,
    scope: ReportScope.parse(parseJson(row.scope)),
    asOf: instant(row.as_of),
    state: stale ? 'failed' : row.state,
    progress: { done: row.progress_done, total: row.progress_total },
    createdAt: instant(row.created_at),
    createdBy: { token: row.created_by, scopes: Scopes.parse(parseJson(row.created_by_scopes)) },
    summary: row.summary === null ? null : ReportSummary.parse(parseJson(row.summary)),
    files: Files.parse(parseJson(row.files)),
    error: stale ? interrupted : row.error,
  })
}

export function reportRepository(base: Kysely<Database>, key: LogKey, filesDir: string): ReportRepository {
  const db: Db = base.withTables<ReportTables>()
  const dirOf = (id: string) => {
    if (!/^[0-9a-f]{32}$/.test(id)) throw new Error(`not a report id: ${id}`)
    return join(filesDir, id)
  }
  return {
    signingKey: key,
    dirOf,
    create: async (job, now) => {
      await db
        .insertInto('reports')
        .values({
          id: job.id,
          scope: JSON.stringify(job.scope),
          as_of: Date.parse(job.asOf),
          state: job.state,
          progress_done: job.progress.done,
          progress_total: job.progress.total,
          created_at: Date.parse(job.createdAt),
          created_by: job.createdBy.token,
          created_by_scopes: JSON.stringify(job.createdBy.scopes),
          updated_at: now,
          summary: null,
          files: '[]',
          error: null,
          archive: null,
        })
        .execute()
    },
    get: async (id, now) => {
      const row = await db.selectFrom('reports').select(columns).where('id', '=', id).executeTakeFirst()
      return row === undefined ? null : jobOf(row, now)
    },
    list: async (query, now) => {
      let select = db.selectFrom('reports').select(columns)
      if (query.cursor !== undefined) {
        const [at = '0', id = ''] = query.cursor.split(':')
        const createdAt = Number(at)
        select = select.where((eb) => eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])]))
      }
      const rows = await select.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute()
      const items = rows.slice(0, query.limit).map((row) => jobOf(row, now))
      const last = rows.length > query.limit ? rows[query.limit - 1] : undefined
      return { items, nextCursor: last === undefined ? null : `${last.created_at}:${last.id}` }
    },
    progress: async (id, progress, now) => {
      await db.updateTable('reports').set({ progress_done: progress.done, progress_total: progress.total, updated_at: now }).where('id', '=', id).where('state', '=', 'running').execute()
    },
    finish: async (id, done, now) => {
      await db
        .updateTable('reports')
        .set({
          state: 'done',
          progress_done: done.progress.done,
          progress_total: done.progress.total,
          summary: JSON.stringify(done.summary),
          files: JSON.stringify(done.files),
          archive: done.archive === undefined ? null : Buffer.from(done.archive.buffer, done.archive.byteOffset, done.archive.byteLength),
          updated_at: now,
        })
        .where('id', '=', id)
        .execute()
    },
    fail: async (id, error, now) => {
      await db.updateTable('reports').set({ state: 'failed', error, updated_at: now }).where('id', '=', id).execute()
    },
    evidence: (digests) => readEvidencePage(base, digests),
    documentBytes: async (ids) => {
      if (ids.length === 0) return new Map()
      const rows = await db.selectFrom('documents').select(['id', 'raw']).where('id', 'in', [...ids]).execute()
      return new Map(rows.map((row) => [row.id, row.raw]))
    },
    archive: async (id) => {
      const row = await db.selectFrom('reports').select(['archive', 'state']).where('id', '=', id).executeTakeFirst()
      if (row?.state !== 'done') return null
      if (row.archive !== null) return { bytes: row.archive }
      const path = join(dirOf(id), 'archive.tar')
      return existsSync(path) ? { path } : null
    },
  }
}
