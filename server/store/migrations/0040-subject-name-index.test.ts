import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { openStore } from '../store'

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describe('migration 0040: one index by subject name on SQLite', () => {
  it('drops the shorter index, and every read by name, exact or by prefix, newest first, is still a range of the longer one', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'subject-name-index-'))
    dirs.push(dataDir)
    await (await openStore({ dataDir })).close()
    const file = new SqliteDatabase(join(dataDir, 'provenance.db'), { readonly: true })
    const indexes = (file.prepare("select name from sqlite_master where type = 'index' and tbl_name = 'subjects'").all() as { name: string }[]).map((row) => row.name)
    expect(indexes).not.toContain('subjects_name_time')
    expect(indexes).toContain('subjects_name_time_build_position')
    const plan = (statement: string) => (file.prepare(`explain query plan ${statement}`).all() as { detail: string }[]).map((row) => row.detail).join('; ')
    // The shapes of the name reads (server/search/store.ts, server/artifacts/store.ts): none scans the table or sorts.
    for (const statement of [
      "select digest_value, build_id, time from subjects where name = 'api' and digest_value is not null order by time desc, build_id desc limit 10",
      "select name from subjects where name >= 'ap' and name < 'aq' order by name limit 1",
      "select count(*) from (select build_id from subjects where name = 'api' and digest_algorithm = 'sha256' limit 1000)",
    ]) {
      expect(plan(statement), statement).toMatch(/USING (COVERING )?INDEX subjects_name_time_build_position/)
      expect(plan(statement), statement).not.toMatch(/SCAN subjects$|USE TEMP B-TREE/)
    }
    file.close()
  })
})
