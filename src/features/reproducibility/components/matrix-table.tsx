import { useQuery } from '@tanstack/react-query'
import { memo } from 'react'
import { Link } from '../../../components/ui/app-link'
import { describeError } from '../../../api/api-error'
import { ErrorState } from '../../../components/ui/error-state'
import { Spinner } from '../../../components/ui/spinner'
import { shortHex, stripScheme } from '../../../lib/format'
import { paths } from '../../../lib/paths'
import { RelativeTime } from '../../../components/ui/relative-time'
import { reproducibilityQueries } from '../reproducibility-queries'

/**
 * Rebuilders × artifacts: each rebuilder's latest verdict on each recently rebuilt artifact, every cell a link.
 * Memoised: a range picked above it must not draw its cells again (their times, in words, in the click's own task).
 */
export const MatrixSection = memo(function MatrixSection({ project }: { project: string }) {
  const matrix = useQuery(reproducibilityQueries.matrix(project))
  return (
    <section className="subsection" aria-labelledby="matrix-heading">
      <h3 id="matrix-heading">Rebuilders × artifacts</h3>
      <p className="section-note">For each recently rebuilt artifact, how many independent rebuilders got the published digest. Each cell opens the artifact at that verdict.</p>
      {matrix.isPending ? (
        <Spinner label="Loading the rebuilder matrix…" />
      ) : matrix.isError ? (
        <ErrorState title="Could not load the rebuilder matrix" {...describeError(matrix.error)} onRetry={() => void matrix.refetch()} retrying={matrix.isFetching} />
      ) : matrix.data.artifacts.length === 0 ? (
        <p className="muted">No artifact of {project} has been rebuilt.</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table matrix-table" aria-label={`Rebuilder verdicts for ${project}`}>
            <thead>
              <tr>
                <th scope="col">Artifact</th>
                <th scope="col">Agreement</th>
                {matrix.data.rebuilders.map((rebuilder) => (
                  <th scope="col" key={rebuilder} title={rebuilder}>
                    {stripScheme(rebuilder)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {matrix.data.artifacts.map((artifact) => {
                const label = artifact.name ?? artifact.digest
                const agreeing = artifact.agree === artifact.total
                return (
                  <tr key={artifact.digest}>
                    <th scope="row">
                      <Link to={paths.artifact(artifact.digest)}>{label}</Link>{' '}
                      <code className="mono muted" title={artifact.digest}>
                        {shortHex(artifact.digest.replace(/^sha256:/, ''), 8)}
                      </code>
                    </th>
                    <td>
                      <span className={agreeing ? 'result result-ok' : 'result result-fail'}>
                        {artifact.agree} of {artifact.total} {artifact.total === 1 ? 'rebuilder agrees' : 'rebuilders agree'}
                      </span>
                    </td>
                    {artifact.cells.map((cell, index) => {
                      const rebuilder = matrix.data.rebuilders[index] ?? 'unknown rebuilder'
                      if (cell === null) {
                        return (
                          <td key={rebuilder} className="matrix-cell matrix-none">
                            <span className="muted">not rebuilt</span>
                          </td>
                        )
                      }
                      const match = cell.verdict === 'match'
                      return (
                        <td key={rebuilder} className={match ? 'matrix-cell matrix-match' : 'matrix-cell matrix-mismatch'}>
                          <Link
                            to={paths.artifact(artifact.digest, { rebuild: cell.rebuildId })}
                            aria-label={`${stripScheme(rebuilder)}: ${match ? 'matches' : 'mismatch'} for ${label}`}
                          >
                            <span aria-hidden="true">{match ? '✓ ' : '✕ '}</span>
                            {match ? 'Match' : 'Mismatch'}
                          </Link>{' '}
                          <span className="matrix-time">
                            <RelativeTime iso={cell.time} />
                          </span>
                          {/* Not counted in "k of n": its document did not verify with a trusted key. */}
                          {cell.status === 'verified' ? null : <span className="muted"> (a claim, not counted: {cell.status})</span>}
                        </td>
                      )
                    })}
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
})
