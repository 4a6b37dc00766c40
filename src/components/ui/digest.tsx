import { Link } from './app-link'
import { shortHex } from '../../lib/format'
import { CopyButton } from './copy-button'

export type DigestProps = {
  algorithm: string
  value: string
  /** What the digest is of, for the copy button's accessible name. */
  of?: string
  /** Show every character (detail pages) instead of a short prefix (lists). */
  full?: boolean
  /** Where the digest leads (its artifact page), when it should be a link. */
  to?: string
}

/** `sha256:1a2b3c4d5e6f…` in monospace, the full value on hover, and a button that copies the full value. */
export function Digest({ algorithm, value, of, full = false, to }: DigestProps) {
  const text = `${algorithm}:${value}`
  const code = (
    <code className="mono" title={full ? undefined : text}>
      {full ? text : `${algorithm}:${shortHex(value)}`}
    </code>
  )
  return (
    <span className={full ? 'digest digest-full' : 'digest'}>
      {to === undefined ? (
        code
      ) : (
        <Link to={to} aria-label={`Artifact ${algorithm}:${shortHex(value)}${of ? ` (${of})` : ''}`}>
          {code}
        </Link>
      )}
      <CopyButton text={text} label={`Copy ${algorithm} digest${of ? ` of ${of}` : ''}`} />
    </span>
  )
}
