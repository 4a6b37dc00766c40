import { useEffect, useId, useRef } from 'react'
import type { Check } from '../../contract/common'
import { checkQuestion, isNotJudged, orderChecks } from '../../lib/checks'
import { checkAnchor } from '../../lib/paths'
import { NotRecorded } from './not-recorded'

export type ChecksTableProps = {
  checks: readonly Check[]
  /** Accessible name of the table. */
  label: string
  /**
   * Give each row its `check-<name>` id, so `#check-<name>` links land on it. Only one table per page may: ids
   * are unique, and a page with several verifications anchors the one the link is about.
   */
  anchors?: boolean
  /** The check a link pointed at: scrolled into view, focused and highlighted. */
  highlight?: string | null
}

/**
 * Every check of a verification: failing ones first (the reason for the verdict is read first), then those that
 * could not be judged because of them, each with the question it answers, the result in words, expected versus
 * found (or why it was not judged), and the raw record one click away.
 */
export function ChecksTable({ checks, label, anchors = false, highlight = null }: ChecksTableProps) {
  const id = useId()
  const ordered = orderChecks(checks)
  const targetRef = useRef<HTMLTableRowElement>(null)

  useEffect(() => {
    const row = targetRef.current
    if (!row) return
    // Focus moves the reader (and a screen reader) to the check the link was about.
    row.scrollIntoView?.({ block: 'center' })
    row.focus({ preventScroll: true })
  }, [highlight])

  if (ordered.length === 0) return <p className="muted">No checks were recorded.</p>
  return (
    <div className="table-wrap">
      <table className="data-table checks-table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">Result</th>
            <th scope="col">What it asks, expected and found</th>
          </tr>
        </thead>
        <tbody>
          {ordered.map((check, index) => {
            const targeted = highlight !== null && check.name === highlight
            const notJudged = isNotJudged(check)
            const classes = [check.ok ? '' : notJudged ? 'check-not-judged' : 'check-failed', targeted ? 'check-targeted' : ''].filter(Boolean).join(' ')
            return (
              <tr
                key={`${check.name}-${index}`}
                id={anchors ? checkAnchor(check.name) : undefined}
                className={classes || undefined}
                ref={targeted ? targetRef : undefined}
                tabIndex={targeted ? -1 : undefined}
                aria-describedby={targeted ? `${id}-targeted` : undefined}
              >
                {/* The row header is the check's name alone: what people search for and links name. */}
                <th scope="row">
                  <code className="mono check-name">{check.name}</code>
                </th>
                <td>
                  <span className={check.ok ? 'result result-ok' : notJudged ? 'result result-not-judged' : 'result result-fail'}>
                    <span aria-hidden="true">{check.ok ? '✓ ' : notJudged ? '– ' : '✕ '}</span>
                    {check.ok ? 'Passed' : notJudged ? 'Not judged' : 'Failed'}
                  </span>
                  {targeted ? (
                    <span id={`${id}-targeted`} className="visually-hidden">
                      {' '}
                      The check the link points to.
                    </span>
                  ) : null}
                </td>
                <td className="cell-wrap">
                  <p className="check-question">{checkQuestion(check.name)}</p>
                  <ExpectedFound check={check} />
                  <TechnicalDetail check={check} />
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

function ExpectedFound({ check }: { check: Check }) {
  if (check.notJudged !== undefined && !check.ok) {
    // Nothing was found: showing expected against a "found" value would read as a judgement that was never made.
    return (
      <dl className="expected-found">
        <div>
          <dt>Expected</dt>
          <dd>{check.expected ?? <NotRecorded compact />}</dd>
        </div>
        <div>
          <dt>Not judged</dt>
          <dd>{check.notJudged}</dd>
        </div>
      </dl>
    )
  }
  if (check.expected === undefined && check.actual === undefined) return <NotRecorded />
  return (
    <dl className="expected-found">
      <div>
        <dt>Expected</dt>
        <dd>{check.expected ?? <NotRecorded compact />}</dd>
      </div>
      <div className={check.ok ? undefined : 'found-wrong'}>
        <dt>Found</dt>
        <dd>{check.actual ?? <NotRecorded compact />}</dd>
      </div>
    </dl>
  )
}

/** The check as the server recorded it: text only, behind a disclosure so the table stays readable. */
function TechnicalDetail({ check }: { check: Check }) {
  return (
    <details className="check-detail">
      <summary>Technical detail</summary>
      {check.detail ? <p>{check.detail}</p> : null}
      {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- it scrolls, so keyboard users must reach it (axe: scrollable-region-focusable) */}
      <pre className="code-block code-block-short" aria-label={`The ${check.name} check as recorded`} tabIndex={0}>
        {JSON.stringify(check, null, 2)}
      </pre>
    </details>
  )
}
