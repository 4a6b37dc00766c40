import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, Migrator, SqliteDialect } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { migrationProvider } from '../migrations'
import type { Database } from '../schema'

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const INGESTED = Date.UTC(2026, 10, 20)
const FINISHED = Date.UTC(2026, 10, 2, 10)
const LOGGED = Date.UTC(2026, 10, 3, 9)

describe('migration 0007', () => {
  it('backfills the signing time of rows stored before it from their facts, and the list time from it or the ingest time', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'signature-times-migration-'))
    dirs.push(dataDir)
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SqliteDatabase(join(dataDir, 'provenance.db')) }) })
    const migrator = new Migrator({ db, provider: migrationProvider('sqlite') })
    expect((await migrator.migrateTo('0006_explore')).error).toBeUndefined()

    const verification = (integratedTime: string | null) =>
      JSON.stringify({
        status: 'verified',
        failedCheck: null,
        checks: [],
        signers: [],
        ...(integratedTime === null
          ? {}
          : { transparencyLog: [{ logIndex: '1', logId: 'x', integratedTime, kind: 'dsse', version: '0.0.1', inclusionProof: true, inclusionPromise: true, checkpoint: null }] }),
      })
    const document = (id: string, integratedTime: string | null) => ({
      id,
      raw: Buffer.from(id),
      size: id.length,
      format: 'dsse',
      payload_type: null,
      status: 'verified',
      failed_check: null,
      verification: verification(integratedTime),
      ingested_at: INGESTED,
      log_index: null,
    })
    await db.insertInto('documents').values([document('built', null), document('logged', new Date(LOGGED).toISOString()), document('sbom', null)]).execute()
    await db
      .insertInto('builds')
      .values({
        id: 'built',
        document_id: 'built',
        project: 'example/app',
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
        started_at: FINISHED - 60_000,
        finished_at: FINISHED,
        ingested_at: INGESTED,
        time: FINISHED,
        external_parameters: null,
        internal_parameters: null,
        resolved_dependencies: '[]',
        statement: '{}',
      })
      .execute()

    expect((await migrator.migrateToLatest()).error).toBeUndefined()
    const rows = await db.selectFrom('documents').select(['id', 'signed_at', 'time']).orderBy('id').execute()
    expect(rows).toEqual([
      { id: 'built', signed_at: FINISHED, time: FINISHED },
      { id: 'logged', signed_at: LOGGED, time: LOGGED },
      { id: 'sbom', signed_at: null, time: INGESTED },
    ])
    await db.destroy()
  })
})
