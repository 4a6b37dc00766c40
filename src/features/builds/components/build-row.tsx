import { memo, type Ref } from 'react'
import { Link } from '../../../components/ui/app-link'
import type { BuildSummary } from '../../../contract/builds'
import { CopyButton } from '../../../components/ui/copy-button'
import { CommitLink } from '../../../components/ui/entity-links'
import { NotRecorded } from '../../../components/ui/not-recorded'
import { RelativeTime } from '../../../components/ui/relative-time'
import { StatusBadge, statusLabel } from '../../../components/ui/status-badge'
import { SubjectList } from '../../../components/ui/subject-list'
import { shortCommit, stripScheme } from '../../../lib/format'
import { paths } from '../../../lib/paths'

export const BUILD_COLUMNS = ['Project', 'Commit', 'Builder', 'Artifacts', 'Status', 'Time'] as const

export type BuildRowProps = {
  build: BuildSummary
  index: number
  /** The virtualiser's measuring ref, when the list is virtualised. */
  ref?: Ref<HTMLTableRowElement>
}

/** One build in the list. Memoised: appending a page must not re-render the rows already shown. */
export const BuildRow = memo(function BuildRow({ build, index, ref }: BuildRowProps) {
  const commit = build.sourceCommit === null ? null : shortCommit(build.sourceCommit)
  const linkName = `${build.project} build${commit ? ` at ${commit}` : ''}, ${statusLabel(build.status)}`
  return (
    <tr ref={ref} data-index={index} aria-rowindex={index + 2}>
      <td className="cell-project">
        <Link to={paths.build(build.id)} aria-label={linkName}>
          {build.project}
        </Link>
      </td>
      <td>{build.sourceCommit === null ? <NotRecorded compact /> : <CommitLink commit={build.sourceCommit} />}</td>
      <td className="cell-builder">
        {build.builderId === null ? (
          <NotRecorded compact />
        ) : (
          // The id is cut at its start when the column is narrow (which depends on the window, so always offered):
          // the copy button gives the whole id without hovering for the title.
          <span className="builder-id">
            <span className="truncate" title={build.builderId}>
              {stripScheme(build.builderId)}
            </span>
            <CopyButton text={build.builderId} label={`Copy builder id ${build.builderId}`} />
          </span>
        )}
      </td>
      <td className="cell-artifacts">
        <SubjectList
          subjects={build.subjects}
          more={{ href: `${paths.build(build.id)}#subjects`, label: `All ${build.subjects.length.toLocaleString('en-US')} artifacts of ${build.project}${commit ? ` at ${commit}` : ''}` }}
        />
      </td>
      <td>
        <StatusBadge status={build.status} failedCheck={build.failedCheck} />
      </td>
      <td className="cell-time">
        <RelativeTime iso={build.time} />
      </td>
    </tr>
  )
})
