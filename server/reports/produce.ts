import { createHash } from 'node:crypto'
import type { Report, ReportFileName, ReportScope } from '../../src/contract/reports'
import type { Store } from '../store/types'
import { ARCHIVE_FILES, archiveEvidence, DERIVED_FILES, packArchive, signReport } from './archive'
import { assembleReport, reportBytes } from './assemble'
import { reportCsv, reportHtml } from './formats'
import { gatherEvidence } from './gather'
import { POLICY_FILE, policyBytes, signVsa, verifierId, vsaFile, type ReportPolicyInput } from './vsa'

/** No trusted keys, files or policies: what a report says when the server trusts nothing. */
export const EMPTY_POLICY: ReportPolicyInput = { trustedKeys: [], trustFiles: [], policies: [] }

/** Gathers, assembles, signs and packs one report: what `POST /api/v1/reports` runs in the background. */
export async function produceReport(
  store: Store,
  scope: ReportScope,
  asOf: number,
  onProgress?: (done: number, total: number) => void,
  policy: ReportPolicyInput = EMPTY_POLICY,
): Promise<{ report: Report; reportBytes: Buffer; envelope: string; archive: Buffer; files: Record<ReportFileName, Buffer> }> {
  const evidence = await gatherEvidence(store, scope, asOf, onProgress)
  const report = assembleReport({ scope, asOf, artifacts: evidence })
  const bytes = reportBytes(report)
  const key = store.reports.signingKey
  const envelope = signReport(bytes, key)
  const { checkpointNote, documents, proofs } = await archiveEvidence(store, report.documents)
  const csv = reportCsv(report)
  const html = reportHtml(report)
  const policyFile = policyBytes(policy)
  const context = { asOf: report.asOf, policyDigest: createHash('sha256').update(policyFile).digest('hex'), verifier: verifierId(key.name) }
  const derived = [
    { name: DERIVED_FILES.csv, bytes: csv },
    { name: DERIVED_FILES.html, bytes: html },
    { name: POLICY_FILE, bytes: policyFile },
    ...report.artifacts.map((artifact) => ({ name: vsaFile(artifact.digest), bytes: signVsa(artifact, context, key) })),
  ]
  const archive = packArchive({ reportBytes: bytes, envelope, publicKeyPem: key.publicKeyPem, checkpointNote, documents, proofs, derived, asOf })
  const files: Record<ReportFileName, Buffer> = {
    [ARCHIVE_FILES.report]: bytes,
    [ARCHIVE_FILES.envelope]: Buffer.from(envelope),
    [DERIVED_FILES.csv]: csv,
    [DERIVED_FILES.html]: html,
  }
  return { report, reportBytes: bytes, envelope, archive, files }
}
