import type { Report, ReportFileName, ReportScope } from '../../src/contract/reports'
import type { Store } from '../store/types'
import { ARCHIVE_FILES, archiveEvidence, packArchive, signReport } from './archive'
import { assembleReport, reportBytes } from './assemble'
import { gatherEvidence } from './gather'

/** Gathers, assembles, signs and packs one report: what `POST /api/v1/reports` runs in the background. */
export async function produceReport(
  store: Store,
  scope: ReportScope,
  asOf: number,
  onProgress?: (done: number, total: number) => void,
): Promise<{ report: Report; reportBytes: Buffer; envelope: string; archive: Buffer; files: Record<ReportFileName, Buffer> }> {
  const evidence = await gatherEvidence(store, scope, asOf, onProgress)
  const report = assembleReport({ scope, asOf, artifacts: evidence })
  const bytes = reportBytes(report)
  const key = store.reports.signingKey
  const envelope = signReport(bytes, key)
  const { checkpointNote, documents, proofs } = await archiveEvidence(store, report.documents)
  const archive = packArchive({ reportBytes: bytes, envelope, publicKeyPem: key.publicKeyPem, checkpointNote, documents, proofs, asOf })
  const files: Record<ReportFileName, Buffer> = { [ARCHIVE_FILES.report]: bytes, [ARCHIVE_FILES.envelope]: Buffer.from(envelope) }
  return { report, reportBytes: bytes, envelope, archive, files }
}
