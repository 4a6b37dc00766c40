import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import { describe, expect, it, vi } from 'vitest'
import { ProjectList } from '../../src/contract/builds'
import { demoBuilds } from '../../demo/model'
import { createApp } from '../app'
import { ingestContext } from '../config'
import { demoConfig, demoEnvelope } from '../demo/seed'
import { ingestBody } from '../ingest/ingest'
import type { StoreKind } from '../store/db'
import { instant } from '../store/db'
import { projectTotalsMigration } from '../store/migrations/0033-projects'
import type { Database } from '../store/schema'
import { openStore } from '../store/store'
import { engineStores } from '../store/testing/engines'

/*
 * The projects list reads counters kept per project by a trigger (migration 0033) instead of grouping every build.
 * Its answer must be the one the full aggregation gave: here the grouped read of `builds` as it was is the
 * reference, on the same ingested demo history, on both engines; once with counters kept by the trigger as builds
 * arrived, once with counters backfilled by the migration on a store that had the builds before it.
 */

vi.setConfig({ testTimeout: 180_000 })
const { location } = engineStores('project-totals')

function rawDb(kind: StoreKind, where: { dataDir: string; databaseUrl?: string }): Kysely<Database> {
  if (kind === 'sqlite') return new Kysely({ dialect: new SqliteDialect({ database: new SqliteDatabase(join(where.dataDir, 'provenance.db')) }) })
  // BIGINT as a number, as the store reads it.
  const getTypeParser = (oid: number, format?: 'text' | 'binary'): ((value: string) => unknown) => (oid === 20 ? Number : (pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown))
  const types = { getTypeParser: getTypeParser as typeof pg.types.getTypeParser }
  return new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: where.databaseUrl, max: 1, types }) }) })
}

/** The list as it was before the counters: grouped from `builds` itself. */
async function referenceProjects(db: Kysely<Database>): Promise<ProjectList> {
  const rows = await db
    .selectFrom('builds')
    .select((eb) => ['project', eb.fn.max('source_repo').as('source_repo'), eb.fn.countAll<number>().as('builds'), eb.fn.max('time').as('last_time')])
    .groupBy('project')
    .orderBy('project')
    .execute()
  return ProjectList.parse({
    items: rows.map((row) => ({ name: row.project, sourceRepo: row.source_repo, builds: Number(row.builds), lastBuildAt: row.last_time === null ? null : instant(row.last_time) })),
  })
}

async function compare(kind: StoreKind, where: { dataDir: string; databaseUrl?: string }, expectedBuilds: number) {
  const store = await openStore({ ...where, catchUpLog: false })
  const db = rawDb(kind, where)
  try {
    const app = createApp({ store, config: demoConfig(), version: 'test', demo: false })
    const response = await app.request('/api/v1/projects')
    expect(response.status).toBe(200)
    const list = ProjectList.parse(await response.json())
    const reference = await referenceProjects(db)
    expect(reference.items.length).toBeGreaterThanOrEqual(4)
    expect(reference.items.reduce((sum, item) => sum + item.builds, 0)).toBe(expectedBuilds)
    expect(list).toEqual(reference)
  } finally {
    await db.destroy()
    await store.close()
  }
}

describe.each(['sqlite', 'postgres'] as const)('project counters on %s', (kind) => {
  it('answer the projects list as the full aggregation did, kept as builds arrive and backfilled by the migration', async () => {
    const where = await location(kind)
    const builds = demoBuilds(300, 16)
    const config = demoConfig()
    const lines = builds.map((build) => JSON.stringify(demoEnvelope(build)))
    const ingest = async (from: number, to: number) => {
      const store = await openStore({ ...where, catchUpLog: false })
      try {
        // In several requests, so one project's builds arrive in more than one transaction.
        for (let offset = from; offset < to; offset += 100) {
          const result = await ingestBody(store, Buffer.from(lines.slice(offset, Math.min(offset + 100, to)).join('\n')), 'application/x-ndjson', ingestContext(config))
          if (!result.ok) throw new Error(result.error.message)
        }
      } finally {
        await store.close()
      }
    }
    await ingest(0, 200)
    await compare(kind, where, 200)

    // A store that held builds before migration 0033: its counters come from the backfill, then the trigger adds on.
    const db = rawDb(kind, where)
    try {
      const migration = projectTotalsMigration(kind, kind === 'sqlite' ? { blob: 'blob', int64: 'integer' } : { blob: 'bytea', int64: 'bigint' })
      await migration.down?.(db)
      await migration.up(db)
    } finally {
      await db.destroy()
    }
    await compare(kind, where, 200)
    await ingest(200, 300)
    // The same documents again change nothing: a duplicate is not a new build.
    await ingest(0, 100)
    await compare(kind, where, 300)
  })
})
