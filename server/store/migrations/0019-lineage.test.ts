import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StoreKind } from '../db'
import { migrationProvider } from '../migrations'
import type { Database } from '../schema'
import { startPgCluster, type PgCluster } from '../testing/pg-cluster'

/* Migration 0019 on both engines: the dependency index is filled for builds stored before it and kept by inserts after it. */

type Dependencies = { build_dependencies: { build_id: string; digest_value: string; time: number } }

const T = Date.UTC(2026, 10, 20)
const INPUT = 'a'.repeat(64)
const OTHER = 'b'.repeat(64)

const dirs: string[] = []
let cluster: PgCluster | undefined
let clusterError: unknown
beforeAll(async () => {
  cluster = await startPgCluster().catch((error: unknown) => {
    clusterError = error
    return undefined
  })
}, 60_000)
afterAll(async () => {
  await cluster?.stop()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
}, 30_000)

async function database(kind: StoreKind): Promise<Kysely<Database & Dependencies>> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-migration-'))
    dirs.push(dir)
    const sqlite = new SqliteDatabase(join(dir, 'provenance.db'))
    sqlite.pragma('foreign_keys = ON')
    return new Kysely({ dialect: new SqliteDialect({ database: sqlite }) })
  }
  if (cluster === undefined) throw clusterError instanceof Error ? clusterError : new Error(`PostgreSQL did not start: ${String(clusterError)}`)
  const url = await cluster.createDatabase(`lineage_migration_${Math.random().toString(36).slice(2, 8)}`)
  return new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) }) })
}

async function storeBuild(db: Kysely<Database & Dependencies>, id: string, resolvedDependencies: string) {
  await db.insertInto('documents').values({ id, raw: Buffer.from(id), size: id.length, format: 'dsse', payload_type: null, status: 'verified', failed_check: null, verification: '{}', ingested_at: T, log_index: null }).execute()
  await db
    .insertInto('builds')
    .values({
      id,
      document_id: id,
      project: 'example/service',
      source_repo: null,
      source_commit: null,
      builder_id: null,
      build_type: null,
      invocation_id: null,
      predicate_type: null,
      statement_type: null,
      slsa_version: null,
      status: 'verified',
      failed_check: null,
      started_at: null,
      finished_at: T,
      ingested_at: T,
      time: T,
      external_parameters: null,
      internal_parameters: null,
      resolved_dependencies: resolvedDependencies,
      statement: '{}',
    })
    .execute()
}

const dependencies = (...digests: Record<string, unknown>[]) => JSON.stringify(digests.map((digest) => ({ uri: null, name: null, digest })))

describe.each(['sqlite', 'postgres'] as const)('migration 0019 on %s', (kind) => {
  it('indexes the sha256 dependencies of builds stored before it and of every build inserted after, and nothing else', async () => {
    const db = await database(kind)
    try {
      const migrator = new Migrator({ db, provider: migrationProvider(kind) })
      const names = (await migrator.getMigrations()).map((migration) => migration.name)
      const before = names[names.indexOf('0019_lineage') - 1]
      if (before === undefined) throw new Error('0019_lineage is not registered after another migration')
      expect((await migrator.migrateTo(before)).error).toBeUndefined()
      await storeBuild(db, '1'.repeat(64), dependencies({ sha256: INPUT.toUpperCase() }, { gitCommit: 'c'.repeat(40) }))

      expect((await migrator.migrateTo('0019_lineage')).error).toBeUndefined()
      // Stored after: a build using two inputs (one listed twice), and text that is not a JSON array, which indexes
      // nothing and does not fail the insert.
      await storeBuild(db, '2'.repeat(64), dependencies({ sha256: INPUT }, { sha256: OTHER }, { sha256: OTHER }, { sha1: 'f'.repeat(40) }))
      await storeBuild(db, '3'.repeat(64), '{"not":"an array"}')
      await storeBuild(db, '4'.repeat(64), 'not json')

      const rows = await db.selectFrom('build_dependencies').select(['build_id', 'digest_value', 'time']).orderBy('build_id').orderBy('digest_value').execute()
      // pg hands back bigint as text; the time is the build's either way.
      expect(rows.map((row) => ({ ...row, time: Number(row.time) }))).toEqual([
        { build_id: '1'.repeat(64), digest_value: INPUT, time: T },
        { build_id: '2'.repeat(64), digest_value: INPUT, time: T },
        { build_id: '2'.repeat(64), digest_value: OTHER, time: T },
      ])
      // A build removed takes its rows with it.
      await db.deleteFrom('builds').where('id', '=', '2'.repeat(64)).execute()
      expect(await db.selectFrom('build_dependencies').select('build_id').execute()).toEqual([{ build_id: '1'.repeat(64) }])
    } finally {
      await db.destroy()
    }
  }, 60_000)
})
