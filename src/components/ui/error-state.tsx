export type ErrorStateProps = {
  /** What failed, e.g. "Could not load builds"; left out when a heading above already says it. */
  title?: string
  /** What went wrong, in the server's words or ours. */
  message: string
  /** What the reader can do about it. */
  hint?: string | null
  onRetry?: () => void
  retrying?: boolean
  /** False when asking again cannot help (describeError says so of a request the server refused as malformed). */
  retryable?: boolean
}

export function ErrorState({ title, message, hint, onRetry, retrying = false, retryable = true }: ErrorStateProps) {
  return (
    <div className="error-state" role="alert">
      {title ? <p className="error-state-title">{title}</p> : null}
      <p className="error-state-message">{message}</p>
      {hint ? <p className="error-state-hint">{hint}</p> : null}
      {onRetry && retryable ? (
        <button type="button" className="button" onClick={onRetry} disabled={retrying}>
          {retrying ? 'Retrying…' : 'Retry'}
        </button>
      ) : null}
    </div>
  )
}
