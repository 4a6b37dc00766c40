import type { UnknownFilter } from '../../lib/url-filters'

/**
 * What the URL asked for that names nothing (`?project=nope`, `?status=bogus`): said on the page, so a stale or
 * mistyped link does not look like an empty result or a silently wider one.
 */
export function FilterNotices({ notices }: { notices: readonly UnknownFilter[] }) {
  if (notices.length === 0) return null
  return (
    <div className="notice" role="status">
      <ul>
        {notices.map((notice) => (
          <li key={notice.param}>{notice.message}</li>
        ))}
      </ul>
    </div>
  )
}
