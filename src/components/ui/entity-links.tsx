import { Link } from './app-link'
import type { DigestSet } from '../../contract/common'
import { digestEntries, shortCommit, shortHex } from '../../lib/format'
import { paths } from '../../lib/paths'
import { Digest } from './digest'
import { NotRecorded } from './not-recorded'

/*
 * The links every table draws the same way: an artifact by its name and digest to its page, a build id to its
 * build, a commit to the builds list filtered by it. Names and ids come from documents, so they are text only.
 */

/** The digest an artifact page is found by: sha256 when present, else the first the set lists. */
export function artifactDigest(digest: DigestSet): string | null {
  const [first] = digestEntries(digest)
  return first ? `${first[0]}:${first[1]}` : null
}

/** An artifact's name linking to its page, and its digest (also a link) with a copy button; an unnamed one by its digest. */
export function ArtifactLink({ name, digest, full = false }: { name: string; digest: DigestSet; full?: boolean }) {
  const [first] = digestEntries(digest)
  if (!first) {
    return (
      <>
        <span className="subject-name truncate untrusted-text" title={name}>
          {name}
        </span>{' '}
        <NotRecorded compact />
      </>
    )
  }
  const to = paths.artifact(`${first[0]}:${first[1]}`)
  // A document that names no artifact (a signature over a bare digest) is shown by its digest alone.
  if (name === '') return <Digest algorithm={first[0]} value={first[1]} of={name} full={full} to={to} />
  return (
    <>
      <Link className="subject-name truncate untrusted-text" title={name} to={to}>
        {name}
      </Link>{' '}
      <Digest algorithm={first[0]} value={first[1]} of={name} full={full} to={to} />
    </>
  )
}

/** A build id, shortened, linking to its build. */
export function BuildIdLink({ id, label }: { id: string; label?: string }) {
  return (
    <Link to={paths.build(id)} aria-label={label ?? `Build ${shortHex(id)}`} title={id}>
      <code className="mono">{shortHex(id)}</code>
    </Link>
  )
}

/** A commit as the tables show it (7 characters), linking to the builds of that commit. */
export function CommitLink({ commit }: { commit: string }) {
  const short = shortCommit(commit)
  return (
    <Link to={paths.buildsByCommit(commit)} aria-label={`Builds of commit ${short}`} title={commit}>
      <code className="mono">{short}</code>
    </Link>
  )
}
