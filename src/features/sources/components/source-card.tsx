import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useId, useState, type FormEvent, type ReactNode } from 'react'
import { describeError, isApiError } from '../../../api/api-error'
import { Facts, Section } from '../../../components/ui/card-section'
import { RelativeTime } from '../../../components/ui/relative-time'
import type { Source } from '../../../contract/sources'
import { errorStatus, intervalLabel, kindLabel, pendingLabel, runStateLabel, runSummary } from '../lib/describe'
import { sourceQueries, startSync } from '../sources-queries'
import { formatCount } from '../../../lib/format'

/** One source: its facts, the newest sync (live while it runs), its errors, and Sync now. */
export function SourceCard({ source }: { source: Source }) {
  const queryClient = useQueryClient()
  const tokenId = useId()
  // Starting a sync needs the ingest scope; a token typed here is used for that request only and never stored.
  const [askToken, setAskToken] = useState(false)
  const [token, setToken] = useState('')
  const sync = useMutation({
    mutationFn: () => startSync(source.name, token.trim() === '' ? null : token.trim()),
    onSuccess: () => {
      setAskToken(false)
      void queryClient.invalidateQueries({ queryKey: sourceQueries.all() })
    },
    onError: (error) => {
      if (isApiError(error) && (error.status === 401 || error.status === 403)) setAskToken(true)
    },
  })
  const run = source.lastRun
  const running = run?.state === 'running'
  const id = `source-${source.name}`

  function submit(event: FormEvent) {
    event.preventDefault()
    sync.mutate()
  }

  return (
    <Section
      id={id}
      title={source.name}
      action={
        <button type="button" className="button button-primary" onClick={() => sync.mutate()} disabled={running || sync.isPending} aria-describedby={`${id}-status`}>
          {running ? 'Syncing…' : 'Sync now'}
        </button>
      }
    >
      <Facts
        items={[
          ['Kind', `${kindLabel(source.kind)} at ${source.baseUrl}`],
          [
            'Covers',
            <ul className="plain-list">
              {source.coverage.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>,
          ],
          ['Schedule', intervalLabel(source.intervalSeconds)],
          ...(source.changeFeed ? changeFeedFacts(source.changeFeed) : []),
          ['Last sync', run ? <><RelativeTime iso={run.startedAt} /> ({runStateLabel(run.state).toLowerCase()})</> : 'never'],
          ['Last success', source.lastSuccessAt ? <RelativeTime iso={source.lastSuccessAt} /> : 'never'],
          ['Next sync', running ? 'after this one' : source.nextSyncAt ? <RelativeTime iso={source.nextSyncAt} /> : 'on demand only'],
          ['Documents found', formatCount(source.documentsFound)],
          ['Documents stored (new)', formatCount(source.documentsIngested)],
          ...(source.consecutiveFailures > 0 ? [['Failed syncs in a row', String(source.consecutiveFailures)] as [string, string]] : []),
        ]}
      />
      <div id={`${id}-status`} aria-live="polite">
        {run ? (
          <p>
            <strong>{runStateLabel(run.state)}</strong>: {runSummary(run)}
            {running ? <> · {run.phase}</> : null}
          </p>
        ) : null}
      </div>
      {running ? <progress aria-label={`Sync progress of ${source.name}`} max={Math.max(run.total, 1)} value={run.done} /> : null}
      {source.advice ? (
        <p>
          <strong>What to check: </strong>
          {source.advice}
        </p>
      ) : null}
      {sync.isError && !askToken ? <p className="field-error" role="alert">{describeError(sync.error).message}</p> : null}
      {askToken ? (
        <form className="field" onSubmit={submit} aria-label={`Start a sync of ${source.name}`}>
          <p role="alert">
            Starting a sync needs a token with the ingest scope{sync.isError ? ` (${describeError(sync.error).message})` : ''}.
          </p>
          <label htmlFor={tokenId}>Ingest token</label>
          <input id={tokenId} type="password" autoComplete="off" value={token} onChange={(event) => setToken(event.target.value)} />
          <button type="submit" className="button" disabled={sync.isPending || token.trim() === ''}>
            Sync with this token
          </button>
        </form>
      ) : null}
      {run && run.errors.length > 0 ? (
        <>
          <h3 id={`${id}-errors`}>Errors of the last sync</h3>
          <ul className="plain-list" aria-labelledby={`${id}-errors`}>
            {run.errors.map((error, index) => (
              <li key={`${error.at}-${index}`}>
                <p>{error.message}</p>
                <p className="muted">
                  {errorStatus(error)}
                  {error.url ? (
                    <>
                      {' '}
                      at <code className="mono">{error.url}</code>
                    </>
                  ) : null}
                </p>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Section>
  )
}

/** The change feed: live (when the newest event arrived) or not yet, its backlog, and the periodic full check. */
function changeFeedFacts(feed: NonNullable<Source['changeFeed']>): [string, ReactNode][] {
  return [
    [
      'Change feed',
      feed.lastEventAt ? (
        <>
          live: last event <RelativeTime iso={feed.lastEventAt} />
        </>
      ) : (
        <>
          no event received yet: point the registry's notifications at <code className="mono">{feed.eventsPath}</code> with an ingest token
        </>
      ),
    ],
    ['Events waiting', pendingLabel(feed.pendingEvents)],
    [
      'Full check',
      <>
        {intervalLabel(feed.fullCheckSeconds)}; last {feed.lastFullCheckAt ? <RelativeTime iso={feed.lastFullCheckAt} /> : 'never'}
      </>,
    ],
  ]
}
