import { isRouteErrorResponse, Link, useRevalidator, useRouteError } from 'react-router'
import { describeError, isApiError } from '../api/api-error'
import { ErrorState } from '../components/ui/error-state'
import { paths } from '../lib/paths'

/** What went wrong, in words, for any error a route's loader or component raised. */
function explain(error: unknown): { title: string; message: string; hint: string | null; reload: boolean } {
  if (isRouteErrorResponse(error)) {
    const message = typeof error.data === 'string' && error.data !== '' ? error.data : `${error.status} ${error.statusText}`
    return {
      title: error.status === 404 ? 'Not found' : `The page failed with ${error.status} ${error.statusText}`,
      message,
      hint: null,
      reload: false,
    }
  }
  if (isApiError(error)) {
    const { message, hint } = describeError(error)
    return {
      title: error.status === 404 ? 'Not found' : `Could not load ${error.endpoint}`,
      message,
      hint,
      reload: false,
    }
  }
  const message = error instanceof Error ? error.message : 'Something unexpected went wrong.'
  // After a deploy, the chunk a stale page asks for may be gone; only a reload fetches the new ones.
  const chunkFailed = error instanceof Error && /dynamically imported module|Importing a module script failed/i.test(message)
  return {
    title: chunkFailed ? 'Could not load this page’s code' : 'This page failed to render',
    message,
    hint: chunkFailed ? 'A newer version may have been deployed; reloading the page usually fixes this.' : null,
    reload: chunkFailed,
  }
}

export function RouteError() {
  const error = useRouteError()
  const revalidator = useRevalidator()
  const { title, message, hint, reload } = explain(error)
  return (
    <section className="page" aria-labelledby="route-error-heading">
      <title>{`${title} · Provenance`}</title>
      <header className="page-header">
        <h1 id="route-error-heading">{title}</h1>
      </header>
      <ErrorState
        message={message}
        hint={hint}
        onRetry={() => (reload ? window.location.reload() : void revalidator.revalidate())}
        retrying={revalidator.state === 'loading'}
      />
      <p>
        <Link to={paths.builds()}>Back to Builds</Link>
      </p>
    </section>
  )
}
