import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, Migrator, SqliteDialect } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { SignatureQuery, type SignatureQueryInput } from '../../../src/contract/signatures'
import { migrationProvider } from '../migrations'
import type { Database } from '../schema'
import { openStore } from '../store'
import type { Store } from '../types'

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const signatures = (store: Store, input: SignatureQueryInput = {}) => store.signatures.list(SignatureQuery.parse(input))

describe('migration 0006', () => {
  it('backfills signer, project and subject times of rows stored before it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'explore-migration-'))
    dirs.push(dataDir)
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({
        database: new SqliteDatabase(join(dataDir, 'provenance.db')),
      }),
    })
    const migrated = await new Migrator({
      db,
      provider: migrationProvider('sqlite'),
    }).migrateTo('0005_reverify')
    expect(migrated.error).toBeUndefined()
    const verification = (keyId: string, trustedKeyId: string | null) =>
      JSON.stringify({
        status: trustedKeyId ? 'verified' : 'untrusted',
        failedCheck: null,
        checks: [],
        signers: [{ keyId, trustedKeyId, algorithm: null }],
      })
    const raw = (text: string) => Buffer.from(text)
    const { createHash } = await import('node:crypto')
    const id = (text: string) => createHash('sha256').update(text).digest('hex')
    const [build, rebuild] = ['build document', 'rebuild document']
    await db
      .insertInto('documents')
      .values([
        {
          id: id('build document'),
          raw: raw(build ?? ''),
          size: 14,
          format: 'dsse',
          payload_type: null,
          status: 'verified',
          failed_check: null,
          verification: verification('k1', 'release-key'),
          ingested_at: 1,
          log_index: null,
        },
        {
          id: id('rebuild document'),
          raw: raw(rebuild ?? ''),
          size: 16,
          format: 'dsse',
          payload_type: null,
          status: 'untrusted',
          failed_check: null,
          verification: verification('stranger', null),
          ingested_at: 2,
          log_index: null,
        },
      ])
      .execute()
    await db
      .insertInto('builds')
      .values({
        id: id('build document'),
        document_id: id('build document'),
        project: 'old/project',
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
        finished_at: 5_000,
        ingested_at: 1,
        time: 5_000,
        external_parameters: null,
        internal_parameters: null,
        resolved_dependencies: '[]',
        statement: '{}',
      })
      .execute()
    await db
      .insertInto('subjects')
      .values({
        build_id: id('build document'),
        position: 0,
        name: 'old-artifact',
        digest_algorithm: 'sha256',
        digest_value: 'f'.repeat(64),
      })
      .execute()
    await db
      .insertInto('rebuilds')
      .values({
        id: id('rebuild'),
        document_id: id('rebuild document'),
        position: 0,
        rebuilder_id: 'r',
        project: 'old/project',
        artifact_name: 'old-artifact',
        artifact_algorithm: 'sha256',
        artifact_digest: 'f'.repeat(64),
        artifact_digests: '{}',
        rebuilt_digests: '{}',
        verdict: 'match',
        source: 'rebuild-statement',
        status: 'untrusted',
        started_at: null,
        finished_at: null,
        ingested_at: 2,
        time: 6_000,
        diffoscope: null,
      })
      .execute()
    await db.destroy()

    const store = await openStore({ dataDir })
    try {
      const page = await signatures(store, { limit: 10 })
      // Which row lists first is migration 0007's business (it orders by signing time); 0006 gives each its signer and project.
      expect(page.items.map((item) => [item.signer, item.project]).sort()).toEqual([
        ['release-key', 'old/project'],
        ['stranger', 'old/project'],
      ])
      expect((await signatures(store, { signer: 'release-key' })).counts.verified).toBe(1)
      const found = await store.search.find('old-')
      expect(found.results[0]).toMatchObject({
        title: 'old-artifact',
        when: { at: '1970-01-01T00:00:05.000Z' },
      })
    } finally {
      await store.close()
    }
  })
})

