import type { DigestSet } from '../../contract/common'
import { digestEntries } from '../../lib/format'
import { Digest } from './digest'
import { NotRecorded } from './not-recorded'

/** Every digest of a set, sha256 first, each with its copy button; each a link to `to` when given (its artifact page). */
export function DigestList({ digest, of, full = true, to }: { digest: DigestSet; of: string; full?: boolean; to?: string }) {
  const entries = digestEntries(digest)
  if (entries.length === 0) return <NotRecorded />
  return (
    <ul className="digest-list">
      {entries.map(([algorithm, value]) => (
        <li key={algorithm}>
          <Digest algorithm={algorithm} value={value} of={of} full={full} to={to} />
        </li>
      ))}
    </ul>
  )
}
