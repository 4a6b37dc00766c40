import { safeHref } from '../../lib/safe-href'

/**
 * An untrusted string shown as text, and as an external link only when it is an http(s) URL.
 * `rel=noopener noreferrer`: the target learns nothing about this dashboard and cannot script it.
 */
export function SafeLink({ value, display }: { value: string; display?: string }) {
  const href = safeHref(value)
  const text = display ?? value
  if (href === null) return <span className="untrusted-text">{text}</span>
  return (
    <a href={href} target="_blank" rel="noopener noreferrer" className="external-link">
      {text}
    </a>
  )
}
