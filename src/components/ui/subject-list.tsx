import type { Subject } from '../../contract/common'
import { Link } from './app-link'
import { ArtifactLink } from './entity-links'
import { NotRecorded } from './not-recorded'

/** Artifacts a list row shows before "and N more": a build of a whole site names hundreds, one row must stay a row. */
export const SUBJECTS_SHOWN = 3

/**
 * A list row's artifacts: the first few, each linking to its page, then how many more; `more` is where all of them
 * are listed (the build page), when there is such a page.
 */
export function SubjectList({ subjects, more }: { subjects: readonly Subject[]; more?: { href: string; label: string } }) {
  if (subjects.length === 0) return <NotRecorded compact />
  const rest = subjects.length - SUBJECTS_SHOWN
  return (
    <ul className="subject-list">
      {subjects.slice(0, SUBJECTS_SHOWN).map((subject, index) => (
        <li key={`${subject.name}-${index}`}>
          <ArtifactLink name={subject.name} digest={subject.digest} />
        </li>
      ))}
      {rest > 0 ? (
        <li className="muted">
          {more ? (
            <Link to={more.href} aria-label={more.label}>
              and {rest.toLocaleString('en-US')} more
            </Link>
          ) : (
            `and ${rest.toLocaleString('en-US')} more`
          )}
        </li>
      ) : null}
    </ul>
  )
}
