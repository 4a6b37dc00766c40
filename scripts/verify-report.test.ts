import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentFile } from '../server/reports/archive'
import { produceReport } from '../server/reports/produce'
import { readTar, writeTar } from '../server/reports/tar'
import { tempStore } from '../server/testing/documents'
import { digests, FIXTURE_INGESTED_AT, seedResources } from '../server/testing/resource-fixture'

/* `npm run verify-report` as an auditor runs it: on a file, with exit codes and a message naming what failed. */

const dir = mkdtempSync(join(tmpdir(), 'verify-report-'))
let good: string
let tampered: string
let target: string

const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/verify-report.ts', ...args], { encoding: 'utf8', timeout: 60_000 })

beforeAll(async () => {
  const { store, dispose } = await tempStore()
  try {
    await seedResources(store)
    const { archive, report } = await produceReport(store, { kind: 'release', digests: [`sha256:${digests.d1}`, `sha256:${digests.d5}`] }, FIXTURE_INGESTED_AT)
    target = report.documents[1]!
    good = join(dir, 'report.tar')
    writeFileSync(good, archive)
    const files = readTar(archive).map((file) => (file.name === documentFile(target) ? { name: file.name, bytes: Buffer.concat([Buffer.from(file.bytes), Buffer.from(' ')]) } : file))
    tampered = join(dir, 'tampered.tar')
    writeFileSync(tampered, writeTar(files, 0))
  } finally {
    await dispose()
  }
}, 60_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('npm run verify-report', () => {
  it('accepts an archive as the server made it', () => {
    const result = run(good)
    expect(result.stdout).toContain('verify-report: OK')
    expect(result.status).toBe(0)
  }, 60_000)

  it('fails on an archive with one document changed, naming that document', () => {
    const result = run(tampered)
    expect(result.stdout).toContain(`FAILED: ${documentFile(target)}: document ${target} does not match its digest`)
    expect(result.status).toBe(1)
  }, 60_000)

  it('says how to use it when given no file', () => {
    const result = run()
    expect(result.stderr).toContain('usage: npm run verify-report')
    expect(result.status).toBe(2)
  }, 60_000)
})
