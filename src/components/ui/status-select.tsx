import { verificationStatuses, type VerificationStatus } from '../../contract/common'
import { statusLabel } from './status-badge'

/** A verification status filter: "Any status", then each status in words. */
export function StatusSelect({ id, value, onChange }: { id: string; value: VerificationStatus | undefined; onChange: (status: VerificationStatus | undefined) => void }) {
  return (
    <select id={id} value={value ?? ''} onChange={(event) => onChange(verificationStatuses.find((status) => status === event.target.value))}>
      <option value="">Any status</option>
      {verificationStatuses.map((status) => (
        <option key={status} value={status}>
          {statusLabel(status)}
        </option>
      ))}
    </select>
  )
}
