/** The document does not say. Written out, so that a blank is never mistaken for a value. */
export function NotRecorded({ compact = false }: { compact?: boolean }) {
  return compact ? (
    <span className="muted" title="Not recorded in the document">
      —<span className="visually-hidden">not recorded</span>
    </span>
  ) : (
    <span className="muted">Not recorded</span>
  )
}
