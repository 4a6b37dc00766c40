import type { Verification } from '../../../contract/common'
import { VerificationExplainer } from '../../../components/ui/verification-explainer'

export type AttestationChecksProps = {
  verification: Verification
  /** How the explainer names the document in its tables, e.g. "the DSSE envelope 3f2a9c1e5b7d". */
  label: string
  anchors: boolean
  highlight: string | null
}

/**
 * An attestation card's opened detail: every check, signer and log entry (the verdict is above it on the card).
 * Loaded when a card is first opened, so a visit whose cards stay closed does not fetch the explainer's code.
 */
export function AttestationChecks({ verification, label, anchors, highlight }: AttestationChecksProps) {
  return <VerificationExplainer verification={verification} label={label} level={4} anchors={anchors} highlight={highlight} verdict={false} />
}
