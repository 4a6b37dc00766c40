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

const T = Date.UTC(2026, 10, 20)
const FILE = 'f'.repeat(64)
const ARTIFACT = 'a'.repeat(64)

describe('migration 0009', () => {
  it('gives bare SBOMs stored before it their file digest, and links them through the builds already stored', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sbom-links-migration-'))
    dirs.push(dataDir)
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SqliteDatabase(join(dataDir, 'provenance.db')) }) })
    const migrator = new Migrator({ db, provider: migrationProvider('sqlite') })
    expect((await migrator.migrateTo('0008_navigation')).error).toBeUndefined()

    const document = (id: string, format: string) => ({
      id,
      raw: Buffer.from(id),
      size: id.length,
      format,
      payload_type: null,
      status: 'unsigned',
      failed_check: null,
      verification: '{"status":"unsigned","failedCheck":null,"checks":[],"signers":[]}',
      ingested_at: T,
      log_index: null,
    })
    const sbom = (id: string) => ({
      document_id: id,
      standard: 'cyclonedx',
      spec_version: '1.6',
      serial: null,
      subject_name: 'tool',
      subject_version: null,
      subject_purl: 'pkg:npm/tool@1.0.0',
      subject_digest: '{}',
      statement_subjects: '[]',
      component_count: 2,
      tools: '[]',
      formulation: null,
      ingested_at: T,
    })
    // A bare SBOM whose file the build lists, and an SBOM in an envelope (its bytes are not a file's).
    await db.insertInto('documents').values([document(FILE, 'cyclonedx-json'), document('e'.repeat(64), 'dsse'), document('b'.repeat(64), 'dsse')]).execute()
    await db.insertInto('sboms').values([sbom(FILE), sbom('e'.repeat(64))]).execute()
    await db
      .insertInto('builds')
      .values({
        id: 'b'.repeat(64),
        document_id: 'b'.repeat(64),
        project: 'example/tool',
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
        resolved_dependencies: '[]',
        statement: '{}',
      })
      .execute()
    await db
      .insertInto('subjects')
      .values([
        { build_id: 'b'.repeat(64), position: 0, name: 'tool.tar.gz', digest_algorithm: 'sha256', digest_value: ARTIFACT, time: T },
        { build_id: 'b'.repeat(64), position: 1, name: 'tool-sbom.cdx.json', digest_algorithm: 'sha256', digest_value: FILE, time: T },
      ])
      .execute()

    expect((await migrator.migrateTo('0009_sbom_links')).error).toBeUndefined()
    expect(await db.selectFrom('sboms').select(['document_id', 'file_sha256', 'created_at']).orderBy('document_id').execute()).toEqual([
      { document_id: 'e'.repeat(64), file_sha256: null, created_at: null },
      { document_id: FILE, file_sha256: FILE, created_at: null },
    ])
    expect(await db.selectFrom('sbom_digests').selectAll().execute()).toEqual([{ document_id: FILE, digest_algorithm: 'sha256', digest_value: ARTIFACT, build_id: 'b'.repeat(64) }])

    // And back: the links made through builds go with the columns.
    expect((await migrator.migrateTo('0008_navigation')).error).toBeUndefined()
    expect(await db.selectFrom('sbom_digests').select(['document_id']).execute()).toEqual([])
    await db.destroy()
  })
})
