import { useQuery } from '@tanstack/react-query'
import { describeError } from '../../../api/api-error'
import { Facts } from '../../../components/ui/card-section'
import { CopyButton } from '../../../components/ui/copy-button'
import { ErrorState } from '../../../components/ui/error-state'
import { Spinner } from '../../../components/ui/spinner'
import { logQueries } from '../log-queries'
import { formatCount } from '../../../lib/format'

/**
 * The tamper-evident record: the latest signed checkpoint of the document log, and how to check it without
 * trusting this server.
 */
export function LogPage() {
  const checkpoint = useQuery(logQueries.checkpoint())
  return (
    <section className="page" aria-labelledby="log-heading">
      <title>Record · Provenance</title>
      <header className="page-header">
        <h1 id="log-heading">Record</h1>
        <p className="page-lede">
          Every document this server accepted is a leaf of an append-only Merkle tree (RFC 6962). The server signs the
          tree&apos;s size and root hash at most once a second as documents arrive, and whenever the checkpoint is read,
          so this page always shows the whole log signed. Anyone holding the public key can check that no accepted document was
          later changed, removed or slipped in.
        </p>
      </header>
      {checkpoint.isPending ? (
        <Spinner label="Loading the signed checkpoint…" />
      ) : checkpoint.isError ? (
        <ErrorState
          title="The checkpoint could not be loaded"
          {...describeError(checkpoint.error)}
          onRetry={() => void checkpoint.refetch()}
          retrying={checkpoint.isFetching}
        />
      ) : (
        <>
          <section className="card" aria-labelledby="checkpoint-heading">
            <h2 id="checkpoint-heading">Latest checkpoint</h2>
            {/* Each label with its value in one grid cell: bare dt/dd pairs in the grid laid labels over values. */}
            <Facts
              items={[
                ['Documents in the log', formatCount(checkpoint.data.size)],
                [
                  'Root hash',
                  <>
                    <code className="mono">{checkpoint.data.rootHash}</code> <CopyButton text={checkpoint.data.rootHash} label="Copy root hash" />
                  </>,
                ],
                ['Log name', <code className="mono">{checkpoint.data.origin}</code>],
              ]}
            />
            <h3 id="note-heading">Signed note</h3>
            <pre className="code-block code-block-short" aria-labelledby="note-heading">
              {checkpoint.data.note}
            </pre>
            <CopyButton text={checkpoint.data.note} label="Copy signed note" />
            <h3 id="key-heading">Log public key (Ed25519)</h3>
            <pre className="code-block code-block-short" aria-labelledby="key-heading">
              {checkpoint.data.publicKeyPem}
            </pre>
            <CopyButton text={checkpoint.data.publicKeyPem} label="Copy public key" />
          </section>
          <section className="card" aria-labelledby="audit-heading">
            <h2 id="audit-heading">Check it yourself</h2>
            <p>
              Keep a copy of the public key and of checkpoints you have seen. On the server&apos;s machine,{' '}
              <code className="mono">npm run verify-log -- --public-key your-copy.pem</code> recomputes the tree from the
              stored documents and compares it with every signed checkpoint; it names any entry that was changed, removed
              or inserted. The note is in the signed-note form Rekor and the Go checksum database use, so their tools
              read it too.
            </p>
          </section>
        </>
      )}
    </section>
  )
}
