import type { Verification } from '../../../contract/common'
import { StatusBadge } from '../../../components/ui/status-badge'
import { VerificationExplainer } from '../../../components/ui/verification-explainer'

/** The build's verification, with `#check-<name>` anchors: the build page is where a build's checks are linked. */
export function VerificationSection({ verification, highlight }: { verification: Verification; highlight: string | null }) {
  return (
    <section className="card" aria-labelledby="verification-heading" id="verification">
      <div className="card-header">
        <h2 id="verification-heading">Verification</h2>
        <StatusBadge status={verification.status} failedCheck={verification.failedCheck} />
      </div>
      <VerificationExplainer verification={verification} label="the build’s provenance" level={3} anchors highlight={highlight} />
    </section>
  )
}
