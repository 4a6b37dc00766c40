import { closeSync, existsSync, openSync, readSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { ReportDetail, ReportJob, ReportPreview, ReportScope, ReportSummary, type ReportPage, type ReportQuery } from '../../src/contract/reports'
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
  /** Migration 0028: the screen's preview of a finished report (JSON), null before. */
  preview: string | null
}
/** Migration 0028: each finished file of a report in chunks of at most CHUNK bytes, numbered from 0. */
type ReportFilesTable = { report_id: string; name: string; seq: number; bytes: Uint8Array }
type ReportTables = { reports: ReportsTable; report_files: ReportFilesTable }
type Db = Kysely<Database & ReportTables>

/** Bytes in one stored chunk of a report file: a file is written and served this much at a time. */
export const CHUNK = 1024 * 1024

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
  get(id: string, now: number): Promise<ReportDetail | null>
  list(query: ReportQuery, now: number): Promise<ReportPage>
  /** Progress, which also tells readers the report is still being made. */
  progress(id: string, progress: ReportJob['progress'], now: number): Promise<void>
  /** Done: its files are in dirOf(id); `archive` is kept in the row only by reports made before they were files. */
  finish(id: string, done: { summary: ReportSummary; preview?: ReportPreview; files: readonly ReportFile[]; archive?: Uint8Array; progress: ReportJob['progress'] }, now: number): Promise<void>
  /** Failed: its reason, and whatever of its files was kept is dropped. */
  fail(id: string, error: string, now: number): Promise<void>
  /**
   * Keeps the files `names` in `dir` in the database, a chunk at a time as each is read, so any server on the same
   * database can serve them. Call before finish: a report reads as done only once its files are all kept.
   */
  keepFiles(id: string, dir: string, names: readonly string[]): Promise<void>
  /**
   * A finished report's file read a chunk at a time as it is sent: from the database, or, for a report made before
   * files were kept there (migration 0028), from this server's disk; null when neither has it.
   */
  file(id: string, name: string): Promise<ReadableStream<Uint8Array> | null>
  /** What a report needs of a page of artifacts, read for the whole page at once (evidence.ts). */
  evidence(digests: readonly string[]): Promise<EvidencePage>
  /** The bytes of stored documents, exactly as ingested, by id (one query for the lot). */
  documentBytes(ids: readonly string[]): Promise<Map<string, Uint8Array>>
  /** The archive of a report made before its files were files (kept in its row), or null. */
  archiveInRow(id: string): Promise<Uint8Array | null>
}

const Files = z.array(ReportJob.shape.files.element)
const Scopes = z.array(z.string())

type Row = Omit<ReportsTable, 'archive' | 'preview'>
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

const Preview = ReportPreview

/** A stream that asks `read` for chunk 0, 1, 2… as the reader pulls, and ends at the first chunk missing. */
function chunkStream(read: (seq: number) => Promise<Uint8Array | undefined>): ReadableStream<Uint8Array> {
  let seq = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const bytes = await read(seq)
      seq += 1
      if (bytes === undefined) controller.close()
      else if (bytes.byteLength > 0) controller.enqueue(Uint8Array.from(bytes))
    },
  })
}

/** A file on disk read a megabyte at a time as the response is sent. */
async function diskStream(path: string): Promise<ReadableStream<Uint8Array>> {
  const handle = await open(path, 'r')
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = new Uint8Array(CHUNK)
      const { bytesRead } = await handle.read(chunk, 0, chunk.byteLength, null)
      if (bytesRead === 0) {
        await handle.close()
        controller.close()
      } else controller.enqueue(chunk.subarray(0, bytesRead))
    },
    async cancel() {
      await handle.close()
    },
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
          preview: null,
        })
        .execute()
    },
    get: async (id, now) => {
      const row = await db.selectFrom('reports').select([...columns, 'preview']).where('id', '=', id).executeTakeFirst()
      if (row === undefined) return null
      const job = jobOf(row, now)
      return ReportDetail.parse({ ...job, preview: job.state === 'done' && row.preview !== null ? Preview.parse(parseJson(row.preview)) : null })
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
          preview: done.preview === undefined ? null : JSON.stringify(done.preview),
          files: JSON.stringify(done.files),
          archive: done.archive === undefined ? null : Buffer.from(done.archive.buffer, done.archive.byteOffset, done.archive.byteLength),
          updated_at: now,
        })
        .where('id', '=', id)
        .execute()
    },
    fail: async (id, error, now) => {
      await db.updateTable('reports').set({ state: 'failed', error, updated_at: now }).where('id', '=', id).execute()
      await db.deleteFrom('report_files').where('report_id', '=', id).execute()
    },
    keepFiles: async (id, dir, names) => {
      // A retry after a failure part-way starts clean rather than mixing two writes' chunks.
      await db.deleteFrom('report_files').where('report_id', '=', id).execute()
      for (const name of names) {
        const fd = openSync(join(dir, name), 'r')
        try {
          const chunk = Buffer.alloc(CHUNK)
          for (let seq = 0; ; seq += 1) {
            let filled = 0
            for (let read = -1; read !== 0 && filled < CHUNK; filled += read) read = readSync(fd, chunk, filled, CHUNK - filled, null)
            // Chunk 0 is kept even when empty, so an empty file is told from a missing one.
            if (filled === 0 && seq > 0) break
            // The driver copies the bytes it is given (SQLite binds them, pg encodes them) before the insert resolves, so the
            // one chunk buffer is reused rather than a megabyte allocated per chunk.
            await db.insertInto('report_files').values({ report_id: id, name, seq, bytes: chunk.subarray(0, filled) }).execute()
            if (filled < CHUNK) break
          }
        } finally {
          closeSync(fd)
        }
      }
    },
    file: async (id, name) => {
      const first = await db.selectFrom('report_files').select('seq').where('report_id', '=', id).where('name', '=', name).where('seq', '=', 0).executeTakeFirst()
      if (first !== undefined) {
        return chunkStream(async (seq) => (await db.selectFrom('report_files').select('bytes').where('report_id', '=', id).where('name', '=', name).where('seq', '=', seq).executeTakeFirst())?.bytes)
      }
      const onDisk = join(dirOf(id), name)
      return existsSync(onDisk) ? diskStream(onDisk) : null
    },
    evidence: (digests) => readEvidencePage(base, digests),
    documentBytes: async (ids) => {
      if (ids.length === 0) return new Map()
      const rows = await db.selectFrom('documents').select(['id', 'raw']).where('id', 'in', [...ids]).execute()
      return new Map(rows.map((row) => [row.id, row.raw]))
    },
    archiveInRow: async (id) => {
      const row = await db.selectFrom('reports').select(['archive', 'state']).where('id', '=', id).executeTakeFirst()
      return row?.state === 'done' ? row.archive : null
    },
  }
}
