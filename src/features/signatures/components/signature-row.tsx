import { memo, type Ref } from 'react'
import { Link } from '../../../components/ui/app-link'
import type { SignatureRow as Row } from '../../../contract/signatures'
import { BuildIdLink } from '../../../components/ui/entity-links'
import { NotRecorded } from '../../../components/ui/not-recorded'
import { RelativeTime } from '../../../components/ui/relative-time'
import { StatusBadge, statusLabel } from '../../../components/ui/status-badge'
import { SubjectList } from '../../../components/ui/subject-list'
import { digestEntries, shortHex } from '../../../lib/format'
import { documentNames } from '../../../lib/document-names'
import { paths } from '../../../lib/paths'

export const SIGNATURE_COLUMNS = ['Document', 'Project', 'Signer', 'Subjects', 'Status', 'Signed'] as const

/** More than this apart, the ingest time is shown beside the signing time: a backfill or seed ingests late. */
const SAME_TIME_MS = 60_000

/** Where a row's verdict is explained: its failing check on the build (or artifact) page, else its verification. */
export function verificationHref(row: Row): string | null {
  const subject = row.subjects.map((item) => digestEntries(item.digest)[0]).find((entry) => entry !== undefined)
  const check = row.failedCheck ?? undefined
  if (row.buildId !== null) return check ? paths.build(row.buildId, check) : `${paths.build(row.buildId)}#verification`
  if (subject) return paths.artifact(`${subject[0]}:${subject[1]}`, { document: row.documentId, check })
  return null
}

export const SignatureTableRow = memo(function SignatureTableRow({ row, index, ref }: { row: Row; index: number; ref?: Ref<HTMLTableRowElement> }) {
  const href = verificationHref(row)
  const linkText = row.failedCheck ? `${row.failedCheck} check` : 'verification'
  return (
    <tr ref={ref} data-index={index} aria-rowindex={index + 2}>
      <td>
        <DocumentName format={row.format} kind={row.kind} />{' '}
        {row.buildId === null ? <code className="mono">{shortHex(row.documentId)}</code> : <BuildIdLink id={row.buildId} label={`Build ${shortHex(row.buildId)} of ${row.project ?? 'this document'}`} />}
      </td>
      <td>{row.project ?? <NotRecorded compact />}</td>
      <td className="cell-builder">
        {row.signer === null ? (
          <NotRecorded compact />
        ) : (
          <Link className="truncate" title={row.signer} to={paths.signatures({ signer: row.signer })} aria-label={`Only signatures by ${row.signer}`}>
            {row.signer}
          </Link>
        )}
      </td>
      <td className="cell-artifacts">
        <SubjectList subjects={row.subjects} />
      </td>
      <td>
        <StatusBadge status={row.status} failedCheck={row.failedCheck} />
        {href ? (
          <div>
            <Link to={href} aria-label={`${statusLabel(row.status)}: open the ${linkText} of ${row.project ?? 'document'} ${shortHex(row.documentId)}`}>
              {row.failedCheck ? 'See failing check' : 'See verification'}
            </Link>
          </div>
        ) : null}
      </td>
      <td className="cell-time">
        {row.signedAt === null ? (
          <>
            <RelativeTime iso={row.ingestedAt} />
            <div className="muted">ingested; no signing time recorded</div>
          </>
        ) : (
          <>
            <RelativeTime iso={row.signedAt} />
            {Math.abs(Date.parse(row.ingestedAt) - Date.parse(row.signedAt)) > SAME_TIME_MS ? (
              <div className="muted">
                ingested <RelativeTime iso={row.ingestedAt} />
              </div>
            ) : null}
          </>
        )}
      </td>
    </tr>
  )
})

/** What the document is, and under it what it came in (a DSSE envelope, a Sigstore bundle). */
function DocumentName({ format, kind }: { format: string; kind: Row['kind'] }) {
  const names = documentNames(format, kind)
  return (
    <span className="document-name">
      {names.what}
      {names.format === null ? null : <span className="muted"> · {names.format}</span>}
    </span>
  )
}
