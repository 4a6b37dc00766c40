/**
 * The last line of defence, when the shell itself failed (or the code of the route error page could not load).
 * Deliberately tiny and dependency-free, so that it cannot fail the same way.
 */
export function RootError({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : 'Something unexpected went wrong.'
  return (
    <main className="app-main">
      <title>Error · Provenance</title>
      <h1>The dashboard failed to start</h1>
      <div className="error-state" role="alert">
        <p className="error-state-message">{message}</p>
        <p className="error-state-hint">Reloading usually helps. If it keeps happening, check that the server is up.</p>
        <button type="button" className="button" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    </main>
  )
}
