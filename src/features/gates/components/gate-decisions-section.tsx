import { useQuery } from '@tanstack/react-query'
import { Link } from '../../../components/ui/app-link'
import type { GateDecision } from '../../../contract/gate'
import { Section } from '../../../components/ui/card-section'
import { ErrorState } from '../../../components/ui/error-state'
import { RelativeTime } from '../../../components/ui/relative-time'
import { Spinner } from '../../../components/ui/spinner'
import { gateQueries } from '../gates-queries'
import { evidenceLink } from '../lib/gate-evidence'
import { decisionHeadline, failedConditionSentence } from '../lib/gate-wording'

/**
 * The release-gate decisions recorded about one artifact (POST /api/v1/gate), newest first: the answer, who asked
 * and when, and for a denial every condition that failed, in words, with links to its evidence (the build, the
 * VSA or test result judged, the alerts). Loaded beside the page, not before it.
 */
export function GateDecisionsSection({ digest }: { digest: string }) {
  const query = useQuery(gateQueries.forArtifact(digest))
  return (
    <Section id="gate-decisions" title="Release gate decisions">
      {query.isPending ? (
        <Spinner label="Loading gate decisions…" />
      ) : query.isError ? (
        <ErrorState title="Could not load gate decisions" message={query.error.message} onRetry={() => void query.refetch()} retrying={query.isFetching} />
      ) : query.data.items.length === 0 ? (
        <p className="muted">No pipeline has asked the release gate about this artifact.</p>
      ) : (
        <ol className="plain-list gate-decisions">
          {query.data.items.map((decision) => (
            <DecisionItem key={decision.id} decision={decision} digest={digest} />
          ))}
          {query.data.nextCursor !== null ? <li className="muted">Older decisions: GET /api/v1/gate/decisions?digest={digest}</li> : null}
        </ol>
      )}
    </Section>
  )
}

function DecisionItem({ decision, digest }: { decision: GateDecision; digest: string }) {
  const mine = decision.artifacts.find((artifact) => artifact.digest === digest)
  const failed = mine?.reasons.filter((reason) => !reason.ok) ?? []
  const headline = decisionHeadline(mine?.decision ?? decision.decision, decision.policy, decision.environment)
  const others = decision.artifacts.length - 1
  return (
    <li aria-label={headline}>
      <p>
        <strong className={mine?.decision === 'allow' ? 'result-ok' : 'result-fail'}>{headline}</strong>
        {' · asked by '}
        <span className="untrusted-text">{decision.askedBy}</span> <RelativeTime iso={decision.decidedAt} />
        {others > 0 ? ` · in a release of ${others + 1} artifacts, which was ${decision.decision === 'allow' ? 'allowed' : 'denied'}` : ''}
      </p>
      {failed.length > 0 ? (
        <ul aria-label="Failed conditions">
          {failed.map((reason, index) => (
            <li key={`${reason.rule}-${index}`}>
              <span className="untrusted-text">{failedConditionSentence(reason)}</span>
              {reason.evidence.length > 0 ? (
                <>
                  {' Evidence: '}
                  {reason.evidence.map((path, at) => {
                    const link = evidenceLink(path, digest)
                    return (
                      <span key={path}>
                        {at > 0 ? ', ' : ''}
                        {link.href.startsWith('/') && !link.href.startsWith('/api/') ? (
                          <Link to={link.href}>{link.label}</Link>
                        ) : (
                          <a href={link.href} download={link.download ? true : undefined}>
                            {link.label}
                          </a>
                        )}
                      </span>
                    )
                  })}
                </>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">Every condition was met ({mine?.reasons.map((reason) => reason.rule).join(', ') ?? 'none judged'}).</p>
      )}
    </li>
  )
}
