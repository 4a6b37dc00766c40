import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Report, REPORT_FILES, type ReportFileName, type ReportScope } from '../../src/contract/reports'
import type { Store } from '../store/types'
import { ARCHIVE_FILES } from './archive'
import type { ReportPolicyInput } from './vsa'
import { ARCHIVE_NAME, writeReport } from './write'

/** No trusted keys, files or policies: what a report's policy says when the server trusts nothing. */
export const EMPTY_POLICY: ReportPolicyInput = { trustedKeys: [], trustFiles: [], policies: [] }

/**
 * A report made in a scratch directory and read back into memory: for tests and small reports. The server writes
 * reports to their own directory with writeReport and serves the files from there.
 */
export async function produceReport(
  store: Store,
  scope: ReportScope,
  asOf: number,
  onProgress?: (done: number, total: number) => void,
  policy: ReportPolicyInput = EMPTY_POLICY,
): Promise<{ report: Report; reportBytes: Buffer; envelope: string; archive: Buffer; files: Record<ReportFileName, Buffer> }> {
  const dir = mkdtempSync(join(tmpdir(), 'provenance-report-'))
  try {
    await writeReport(store, scope, asOf, dir, { policy, ...(onProgress === undefined ? {} : { onProgress }) })
    const files = Object.fromEntries(REPORT_FILES.map((name) => [name, readFileSync(join(dir, name))])) as Record<ReportFileName, Buffer>
    const bytes = files[ARCHIVE_FILES.report]
    return { report: Report.parse(JSON.parse(bytes.toString('utf8'))), reportBytes: bytes, envelope: files[ARCHIVE_FILES.envelope].toString('utf8'), archive: readFileSync(join(dir, ARCHIVE_NAME)), files }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
