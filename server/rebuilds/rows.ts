import type { Selectable } from 'kysely'
import { DigestSet, VerificationStatus } from '../../src/contract/common'
import { DiffoscopeSummary, Rebuild } from '../../src/contract/rebuilds'
import { instant, parseJson } from '../store/db'
import type { RebuildsTable } from '../store/schema'

/** A stored rebuild verdict as the API answers it. */
export function rebuildOut(row: Selectable<RebuildsTable>): Rebuild {
  return Rebuild.parse({
    id: row.id,
    documentId: row.document_id,
    rebuilderId: row.rebuilder_id,
    project: row.project,
    artifact: { name: row.artifact_name, digest: DigestSet.parse(parseJson(row.artifact_digests)) },
    rebuiltDigest: DigestSet.parse(parseJson(row.rebuilt_digests)),
    verdict: row.verdict,
    source: row.source,
    status: VerificationStatus.parse(row.status),
    startedAt: row.started_at === null ? null : instant(row.started_at),
    finishedAt: row.finished_at === null ? null : instant(row.finished_at),
    time: instant(row.time),
    diffoscope: row.diffoscope === null ? null : DiffoscopeSummary.parse(parseJson(row.diffoscope)),
  })
}
