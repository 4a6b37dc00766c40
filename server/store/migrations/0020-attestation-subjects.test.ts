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

/* Migration 0020 on both engines: VSAs stored before it are found by the digests of their subjects. */

const T = Date.UTC(2026, 10, 20)
const A = 'a'.repeat(64)
const B = 'b'.repeat(64)

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

async function database(kind: StoreKind): Promise<Kysely<Database>> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'attestation-subjects-migration-'))
    dirs.push(dir)
    const sqlite = new SqliteDatabase(join(dir, 'provenance.db'))
    sqlite.pragma('foreign_keys = ON')
    return new Kysely({ dialect: new SqliteDialect({ database: sqlite }) })
  }
  if (cluster === undefined) throw clusterError instanceof Error ? clusterError : new Error(`PostgreSQL did not start: ${String(clusterError)}`)
  const url = await cluster.createDatabase(`attestation_subjects_${Math.random().toString(36).slice(2, 8)}`)
  return new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) }) })
}

async function storeVsa(db: Kysely<Database>, id: string, subjects: string) {
  await db.insertInto('documents').values({ id, raw: Buffer.from(id), size: id.length, format: 'dsse', payload_type: null, status: 'verified', failed_check: null, verification: '{}', ingested_at: T, log_index: null }).execute()
  await db
    .insertInto('vsas')
    .values({ document_id: id, vsa_version: 'v1', verifier_id: 'https://verifier.example', time_verified: T, resource_uri: null, policy: null, verification_result: 'PASSED', verified_levels: '[]', input_attestations: '[]', subjects })
    .execute()
}

describe.each(['sqlite', 'postgres'] as const)('migration 0020 on %s', (kind) => {
  it('indexes the subjects of VSAs stored before it, and skips subjects that carry no digest', async () => {
    const db = await database(kind)
    try {
      const migrator = new Migrator({ db, provider: migrationProvider(kind) })
      const names = (await migrator.getMigrations()).map((migration) => migration.name)
      const before = names[names.indexOf('0020_attestation_subjects') - 1]
      if (before === undefined) throw new Error('0020_attestation_subjects is not registered after another migration')
      expect((await migrator.migrateTo(before)).error).toBeUndefined()
      await storeVsa(db, '1'.repeat(64), JSON.stringify([{ name: 'a', digest: { sha256: A.toUpperCase() } }, { name: 'b', digest: { sha256: B } }]))
      await storeVsa(db, '2'.repeat(64), JSON.stringify([{ name: 'no digest' }]))
      await storeVsa(db, '3'.repeat(64), 'not json')

      expect((await migrator.migrateTo('0020_attestation_subjects')).error).toBeUndefined()
      const rows = await db.selectFrom('attestation_subjects').selectAll().orderBy('document_id').orderBy('digest_value').execute()
      expect(rows).toEqual([
        { document_id: '1'.repeat(64), kind: 'vsa', digest_algorithm: 'sha256', digest_value: A },
        { document_id: '1'.repeat(64), kind: 'vsa', digest_algorithm: 'sha256', digest_value: B },
      ])
      expect((await migrator.migrateTo(before)).error).toBeUndefined()
    } finally {
      await db.destroy()
    }
  }, 60_000)
})
