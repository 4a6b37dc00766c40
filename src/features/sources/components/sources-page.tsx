import { useQuery } from '@tanstack/react-query'
import { describeError } from '../../../api/api-error'
import { EmptyState } from '../../../components/ui/empty-state'
import { ErrorState } from '../../../components/ui/error-state'
import { Spinner } from '../../../components/ui/spinner'
import { sourceQueries } from '../sources-queries'
import { SourceCard } from './source-card'

/**
 * Sources: the registries and CI systems this server pulls evidence from, each with what it covers, when it last
 * and next syncs, what it found, and, when something failed, the failing URL and status in words.
 */
export function SourcesPage() {
  const sources = useQuery(sourceQueries.list())
  return (
    <section className="page" aria-labelledby="sources-heading">
      <title>Sources · Provenance</title>
      <header className="page-header">
        <h1 id="sources-heading">Sources</h1>
        <p className="page-lede">
          Registries and CI systems this server reads attestations, signatures, SBOMs and run history from, on a schedule and
          on demand. What they find is verified exactly as if it had been pushed.
        </p>
      </header>
      {sources.isPending ? (
        <Spinner label="Loading the sources…" />
      ) : sources.isError ? (
        <ErrorState title="The sources could not be loaded" {...describeError(sources.error)} onRetry={() => void sources.refetch()} retrying={sources.isFetching} />
      ) : sources.data.items.length === 0 ? (
        <EmptyState title="No sources are configured">
          <p>
            Add a <code>sources:</code> list to the server&apos;s config file (an OCI registry, the npm registry or GitHub) and restart the
            server; docs/sources.md shows each kind.
          </p>
        </EmptyState>
      ) : (
        sources.data.items.map((source) => <SourceCard key={source.name} source={source} />)
      )}
    </section>
  )
}
