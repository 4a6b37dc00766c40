import type { ReportJob } from '../../src/contract/reports'
import type { LogKey } from '../log/checkpoint'

/*
 * Reports live in memory: a report is made again from the same scope and "as of" with the same bytes, so
 * losing them on restart loses nothing that cannot be remade. The newest MAX_REPORTS are kept.
 */

export type StoredReport = { job: ReportJob; archive: Buffer | null }

export interface ReportRepository {
  /** The server's log key: reports are signed with the key whose public half also checks the log's checkpoints. */
  readonly signingKey: Pick<LogKey, 'name' | 'privateKey' | 'publicKeyPem'>
  put(report: StoredReport): void
  get(id: string): StoredReport | null
  update(id: string, change: (report: StoredReport) => StoredReport): void
}

const MAX_REPORTS = 50

export function reportRepository(key: LogKey): ReportRepository {
  const reports = new Map<string, StoredReport>()
  return {
    signingKey: key,
    put: (report) => {
      reports.set(report.job.id, report)
      while (reports.size > MAX_REPORTS) {
        const oldest = reports.keys().next()
        if (oldest.done) break
        reports.delete(oldest.value)
      }
    },
    get: (id) => reports.get(id) ?? null,
    update: (id, change) => {
      const report = reports.get(id)
      if (report !== undefined) reports.set(id, change(report))
    },
  }
}
