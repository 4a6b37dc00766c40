/** A quiet loading indicator that says what is loading, for sighted and screen-reader users alike. */
export function Spinner({ label }: { label: string }) {
  return (
    <div className="spinner" role="status" aria-live="polite">
      <span className="spinner-mark" aria-hidden="true" />
      <span>{label}</span>
    </div>
  )
}
