import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { openStore } from './store'

/*
 * Migrations land out of numeric order (numbers are handed out ahead). A database that already ran a later one must
 * still open, and take the earlier one that arrived after it, instead of being refused as "corrupted".
 */

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describe('migrations out of numeric order', () => {
  it('runs an earlier migration a database has not seen after later ones it ran', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'unordered-migrations-'))
    dirs.push(dataDir)
    await (await openStore({ dataDir })).close()
    // As the database was before 0015 existed: 0017 and later ran, 0015 never did.
    const file = new SqliteDatabase(join(dataDir, 'provenance.db'))
    file.exec("drop table reports; delete from kysely_migration where name = '0015_reports'")
    const ran = () => (file.prepare('select name from kysely_migration order by name').all() as { name: string }[]).map((row) => row.name)
    expect(ran()).toContain('0017_log_evidence')
    expect(ran()).not.toContain('0015_reports')
    const store = await openStore({ dataDir })
    await store.close()
    expect(ran()).toContain('0015_reports')
    expect(file.prepare("select name from sqlite_master where type = 'table' and name = 'reports'").get()).toEqual({ name: 'reports' })
    file.close()
  })
})
