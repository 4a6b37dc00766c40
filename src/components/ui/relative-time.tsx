import { formatAbsolute, formatRelative } from '../../lib/format'

/** "3 hours ago", with the exact UTC time on hover and in the machine-readable `dateTime`. */
export function RelativeTime({ iso, now }: { iso: string; now?: number }) {
  return (
    <time dateTime={iso} title={formatAbsolute(iso)}>
      {formatRelative(iso, now)}
    </time>
  )
}
