import { shortHex } from '../../lib/format'
import { CopyButton } from './copy-button'

export type DigestProps = {
  algorithm: string
  value: string
  /** What the digest is of, for the copy button's accessible name. */
  of?: string
  /** Show every character (detail pages) instead of a short prefix (lists). */
  full?: boolean
}

/** `sha256:1a2b3c4d5e6f…` in monospace, the full value on hover, and a button that copies the full value. */
export function Digest({ algorithm, value, of, full = false }: DigestProps) {
  const text = `${algorithm}:${value}`
  return (
    <span className={full ? 'digest digest-full' : 'digest'}>
      <code className="mono" title={full ? undefined : text}>
        {full ? text : `${algorithm}:${shortHex(value)}`}
      </code>
      <CopyButton text={text} label={`Copy ${algorithm} digest${of ? ` of ${of}` : ''}`} />
    </span>
  )
}
