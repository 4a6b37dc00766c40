import { asSentence, describeError, isApiError } from '../api/api-error'
import { Link } from '../components/ui/app-link'
import { ErrorState } from '../components/ui/error-state'
import { paths } from '../lib/paths'
import { RouteProblem } from '../lib/route-loader'
import { useNavigationState } from './router'

/**
 * What went wrong, in words, for any error a route's loader or component raised, and whether trying again can
 * help: a malformed or unknown address stays wrong however often it is retried, so it offers no Retry.
 */
function explain(error: unknown): { title: string; message: string; hint: string | null; reload: boolean; retry: boolean } {
  if (error instanceof RouteProblem) {
    return {
      title: error.title,
      message: asSentence(error.message),
      hint: error.status === 404 ? 'Check the address, or search for what you were looking for.' : null,
      reload: false,
      retry: error.status >= 500,
    }
  }
  if (isApiError(error)) {
    const { message, hint } = describeError(error)
    const transient = error.status === 0 || error.status >= 500
    return {
      title: error.status === 404 ? 'Not found' : error.status === 400 ? 'That address is not valid' : 'Could not load this page',
      message,
      hint: hint ?? (error.status === 400 || error.status === 404 ? 'Check the address, or search for what you were looking for.' : null),
      reload: false,
      // A well-formed id that names nothing yet may name something once it is ingested; a malformed one never will.
      retry: transient || error.status === 404,
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
    retry: true,
  }
}

export function RouteError({ error }: { error: unknown }) {
  const navigation = useNavigationState()
  const { title, message, hint, reload, retry } = explain(error)
  return (
    <section className="page" aria-labelledby="route-error-heading">
      <title>{`${title} · Provenance`}</title>
      <header className="page-header">
        <h1 id="route-error-heading">{title}</h1>
      </header>
      <ErrorState
        message={message}
        hint={hint}
        {...(retry ? { onRetry: () => (reload ? window.location.reload() : navigation.revalidate()) } : {})}
        retrying={navigation.busy}
      />
      <p>
        <Link to={paths.builds()}>Back to Builds</Link>
      </p>
    </section>
  )
}
