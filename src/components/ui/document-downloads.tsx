import { shortHex } from '../../lib/format'

/**
 * Links that download a stored document exactly as received (its SHA-256 is its id) and the server's verdict on
 * it as JSON. Plain same-origin links: the bytes are never fetched into the page, so attacker-controlled content
 * is only ever a file on the user's disk.
 */
export function DocumentDownloads({ documentId, label = 'document' }: { documentId: string; label?: string }) {
  const base = `/api/v1/documents/${encodeURIComponent(documentId)}`
  return (
    <p className="document-downloads">
      <a href={base} download={`${documentId}.json`} aria-label={`Download the ${label} as stored (sha256 ${shortHex(documentId)})`}>
        Download {label}
      </a>
      {' · '}
      <a href={`${base}/verification`} download={`${documentId}.verification.json`} aria-label={`Download the verdict on the ${label} as JSON`}>
        Download verdict (JSON)
      </a>{' '}
      <span className="muted">
        sha256 <code className="mono" title={documentId}>{shortHex(documentId)}</code>
      </span>
    </p>
  )
}
