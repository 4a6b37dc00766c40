import { useEffect, useRef } from 'react'
import { useLocation } from 'react-router'
import type { ArtifactDetail } from '../../../contract/artifacts'
import type { Rebuild } from '../../../contract/rebuilds'
import { Section } from '../../../components/ui/card-section'
import { DigestList } from '../../../components/ui/digest-list'
import { NotRecorded } from '../../../components/ui/not-recorded'
import { RelativeTime } from '../../../components/ui/relative-time'
import { StatusBadge } from '../../../components/ui/status-badge'
import { notCountedSentence } from '../lib/artifact-verdicts'

/** The element id of a rebuild on the artifact page, the target of links from the reproducibility screens. */
export function rebuildAnchor(id: string): string {
  return `rebuild-${id}`
}

/**
 * Who rebuilt the artifact and whether they got the same bytes. Each mismatch says which rebuilder disagreed,
 * the published versus rebuilt digest, and what diffoscope found different.
 */
export function RebuildsSection({ artifact }: { artifact: ArtifactDetail }) {
  const { rebuilds, reproducibility } = artifact
  const mismatches = rebuilds.filter((rebuild) => rebuild.verdict === 'mismatch')
  const { hash } = useLocation()
  const targetRef = useRef<HTMLElement>(null)
  const target = /^#rebuild-(.+)$/.exec(hash)?.[1] ?? null

  useEffect(() => {
    targetRef.current?.scrollIntoView?.({ block: 'start' })
    targetRef.current?.focus({ preventScroll: true })
  }, [target])

  return (
    <Section id="rebuilds" title={`Rebuilds (${rebuilds.length})`}>
      {rebuilds.length === 0 ? (
        <p className="muted">No independent rebuild of this artifact is recorded, so nobody has checked that its source produces it.</p>
      ) : (
        <>
          <p className="verdict">
            {reproducibility.matched} of {reproducibility.rebuilders} {reproducibility.rebuilders === 1 ? 'rebuilder agrees' : 'rebuilders agree'} with
            the published digest
            {reproducibility.mismatched > 0 ? `; ${reproducibility.mismatched} ${reproducibility.mismatched === 1 ? 'disagrees' : 'disagree'}` : ''} (each
            rebuilder’s latest verdict signed with a trusted key).{reproducibility.notCounted > 0 ? ` ${notCountedSentence(reproducibility.notCounted)}` : ''}
          </p>
          <div className="table-wrap">
            <table className="data-table" aria-label="Rebuilds and their verdicts">
              <thead>
                <tr>
                  <th scope="col">Rebuilder</th>
                  <th scope="col">Verdict</th>
                  <th scope="col">Rebuilt digest</th>
                  <th scope="col">Verdict signed</th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                {rebuilds.map((rebuild) => (
                  <tr key={rebuild.id} className={rebuild.verdict === 'mismatch' ? 'check-failed' : undefined}>
                    <th scope="row" className="cell-wrap">
                      {rebuild.rebuilderId ?? <NotRecorded />}
                    </th>
                    <td>
                      <Verdict rebuild={rebuild} />
                    </td>
                    <td>
                      <DigestList digest={rebuild.rebuiltDigest} of={`the rebuild by ${rebuild.rebuilderId ?? 'an unknown rebuilder'}`} full={false} />
                    </td>
                    <td>
                      <StatusBadge status={rebuild.status} />
                    </td>
                    <td>
                      <RelativeTime iso={rebuild.time} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {mismatches.map((rebuild) => (
            <article
              key={rebuild.id}
              id={rebuildAnchor(rebuild.id)}
              className={target === rebuild.id ? 'mismatch-detail is-targeted' : 'mismatch-detail'}
              aria-labelledby={`${rebuildAnchor(rebuild.id)}-heading`}
              ref={target === rebuild.id ? targetRef : undefined}
              tabIndex={target === rebuild.id ? -1 : undefined}
            >
              <h3 id={`${rebuildAnchor(rebuild.id)}-heading`}>
                Mismatch: {rebuild.rebuilderId ?? 'an unknown rebuilder'} disagrees
              </h3>
              <dl className="expected-found">
                <div>
                  <dt>Expected (published)</dt>
                  <dd>
                    <DigestList digest={rebuild.artifact.digest} of="the published artifact" />
                  </dd>
                </div>
                <div className="found-wrong">
                  <dt>Rebuilt</dt>
                  <dd>
                    <DigestList digest={rebuild.rebuiltDigest} of={`the rebuild by ${rebuild.rebuilderId ?? 'an unknown rebuilder'}`} />
                  </dd>
                </div>
              </dl>
              <Differences rebuild={rebuild} />
            </article>
          ))}
        </>
      )}
    </Section>
  )
}

function Verdict({ rebuild }: { rebuild: Rebuild }) {
  return rebuild.verdict === 'match' ? (
    <span className="result result-ok">
      <span aria-hidden="true">✓ </span>Agrees (same digest)
    </span>
  ) : (
    <span className="result result-fail">
      <span aria-hidden="true">✕ </span>Disagrees (different digest)
    </span>
  )
}

function Differences({ rebuild }: { rebuild: Rebuild }) {
  const report = rebuild.diffoscope
  if (report === null) return <p className="muted">No diffoscope report came with this verdict, so what differs is not known.</p>
  return (
    <>
      <h4>
        What differs, according to diffoscope ({report.total} {report.total === 1 ? 'difference' : 'differences'}
        {report.truncated ? `, ${report.differences.length} shown` : ''})
      </h4>
      <ul className="diff-list" aria-label={`Differences found by diffoscope for the rebuild by ${rebuild.rebuilderId ?? 'an unknown rebuilder'}`}>
        {report.differences.map((difference, index) => (
          <li key={index} style={{ marginLeft: `${difference.depth * 1.25}rem` }}>
            <code className="mono untrusted-text">{difference.source1}</code>
            {difference.source2 !== difference.source1 ? (
              <>
                {' '}
                vs <code className="mono untrusted-text">{difference.source2}</code>
              </>
            ) : null}
            {difference.comments.length > 0 ? <span className="muted untrusted-text"> — {difference.comments.join('; ')}</span> : null}
          </li>
        ))}
      </ul>
    </>
  )
}
