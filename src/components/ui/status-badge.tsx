import type { VerificationStatus } from '../../contract/common'

const labels: Record<VerificationStatus, string> = {
  verified: 'Verified',
  failed: 'Failed',
  untrusted: 'Untrusted key',
  unsigned: 'Unsigned',
  unverifiable: 'Unverifiable',
}

const icons: Record<VerificationStatus, string> = {
  verified: '✓',
  failed: '✕',
  untrusted: '!',
  unsigned: '○',
  unverifiable: '?',
}

/**
 * What a status alone can honestly say: only the checks say what else was established, so these claim no more
 * than every document of the status has in common (an untrusted signature may never have been checked at all).
 */
export const statusDescriptions: Record<VerificationStatus, string> = {
  verified: 'Signed by a key or certificate this server trusts; the signature verifies and every check passed.',
  failed: 'A verification check failed; do not rely on it.',
  untrusted: 'Signed by a key or certificate this server does not trust, so the signature vouches for nothing here.',
  unsigned: 'No signature at all.',
  unverifiable: 'Signed, but the trust material needed to check it is missing.',
}

export function statusLabel(status: VerificationStatus): string {
  return labels[status]
}

/** Verification status in words and an icon, colour only as a third cue; a failure names its check. */
export function StatusBadge({ status, failedCheck }: { status: VerificationStatus; failedCheck?: string | null }) {
  return (
    <span className={`badge badge-${status}`} title={statusDescriptions[status]}>
      <span className="badge-icon" aria-hidden="true">
        {icons[status]}
      </span>
      <span>
        {labels[status]}
        {status === 'failed' && failedCheck ? (
          <>
            : <span className="badge-check">{failedCheck}</span>
          </>
        ) : null}
      </span>
    </span>
  )
}
