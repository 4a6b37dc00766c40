import type { Selectable } from 'kysely'
import { BuildSummary } from '../../src/contract/builds'
import type { Subject as SubjectType } from '../../src/contract/common'
import { instant, type Db } from '../store/db'
import type { BuildsTable } from '../store/schema'

/* A build as lists show it: the row's summary columns and its subjects, two queries for a whole page. */

export type SummaryRow = Pick<
  Selectable<BuildsTable>,
  'id' | 'project' | 'source_repo' | 'source_commit' | 'builder_id' | 'build_type' | 'status' | 'failed_check' | 'started_at' | 'finished_at' | 'ingested_at' | 'time'
>

export const summaryColumns = [
  'builds.id',
  'builds.project',
  'builds.source_repo',
  'builds.source_commit',
  'builds.builder_id',
  'builds.build_type',
  'builds.status',
  'builds.failed_check',
  'builds.started_at',
  'builds.finished_at',
  'builds.ingested_at',
  'builds.time',
] as const

/** Subjects of many builds in one query, in subject order: a page costs two queries, not one per build. */
export async function subjectsOf(db: Db, buildIds: readonly string[]): Promise<Map<string, SubjectType[]>> {
  const byBuild = new Map<string, SubjectType[]>()
  if (buildIds.length === 0) return byBuild
  const rows = await db
    .selectFrom('subjects')
    .select(['build_id', 'position', 'name', 'digest_algorithm', 'digest_value'])
    .where('build_id', 'in', [...new Set(buildIds)])
    .orderBy('build_id')
    .orderBy('position')
    .orderBy('digest_algorithm')
    .execute()
  let current: { buildId: string; position: number; subject: SubjectType } | undefined
  for (const row of rows) {
    if (current === undefined || current.buildId !== row.build_id || current.position !== row.position) {
      current = { buildId: row.build_id, position: row.position, subject: { name: row.name, digest: {} } }
      const list = byBuild.get(row.build_id) ?? []
      list.push(current.subject)
      byBuild.set(row.build_id, list)
    }
    if (row.digest_algorithm !== null && row.digest_value !== null) current.subject.digest[row.digest_algorithm] = row.digest_value
  }
  return byBuild
}

/** The summary's fields, unparsed: callers parse them with the schema of what they answer (summary or detail). */
export function summaryFields(row: SummaryRow, subjects: SubjectType[]) {
  return {
    id: row.id,
    project: row.project,
    sourceRepo: row.source_repo,
    sourceCommit: row.source_commit,
    builderId: row.builder_id,
    buildType: row.build_type,
    subjects,
    status: row.status,
    failedCheck: row.failed_check,
    startedAt: row.started_at === null ? null : instant(row.started_at),
    finishedAt: row.finished_at === null ? null : instant(row.finished_at),
    ingestedAt: instant(row.ingested_at),
    time: instant(row.time),
  }
}

export function summaryOut(row: SummaryRow, subjects: SubjectType[]): BuildSummary {
  return BuildSummary.parse(summaryFields(row, subjects))
}

export async function summaries(db: Db, rows: SummaryRow[]): Promise<BuildSummary[]> {
  const subjects = await subjectsOf(
    db,
    rows.map((row) => row.id),
  )
  return rows.map((row) => summaryOut(row, subjects.get(row.id) ?? []))
}
