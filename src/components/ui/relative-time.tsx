import { formatAbsolute, formatRelative } from '../../lib/format'

/**
 * "3 hours ago", with the exact UTC time on hover and in the machine-readable `dateTime`. Both readings are in the
 * page and the stylesheet picks one by medium: paper outlives "ago", so print shows the UTC time.
 */
export function RelativeTime({ iso, now }: { iso: string; now?: number }) {
  const absolute = formatAbsolute(iso)
  return (
    <time dateTime={iso} title={absolute}>
      <span className="time-relative">{formatRelative(iso, now)}</span>
      <span className="time-absolute">{absolute}</span>
    </time>
  )
}
