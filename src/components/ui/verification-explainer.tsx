import type { ReactNode } from 'react'
import type { Verification } from '../../contract/common'
import { checkQuestion, firstFailure, isNotJudged } from '../../lib/checks'
import { failureCause, signatureState, verdictSummary } from '../../lib/verdict'
import { formatAbsolute } from '../../lib/format'
import { ChecksTable } from './checks-table'
import { NotRecorded } from './not-recorded'
import { RelativeTime } from './relative-time'
import { SafeLink } from './safe-link'

/** The verdict in one paragraph, derived from the checks that ran (see src/lib/verdict.ts). */
export function verdictSentence(verification: Verification): string {
  return verdictSummary(verification)
}

type Level = 2 | 3 | 4

export type VerificationExplainerProps = {
  verification: Verification
  /** Prefix of the ids and accessible names, unique on the page. */
  label: string
  /** Level of this block's sub-headings. */
  level: Level
  anchors?: boolean
  highlight?: string | null
  /** Whether to open with the verdict paragraph; off where the caller shows it above a collapsed explainer. */
  verdict?: boolean
}

/**
 * What verifying a document found, explained: the verdict, the first failure on top in plain words, every check
 * with expected versus found, who signed (keys, certificate) and where it is logged. All document text is text.
 */
export function VerificationExplainer({ verification, label, level, anchors = false, highlight = null, verdict = true }: VerificationExplainerProps) {
  const Heading = `h${level}` as const
  const failure = firstFailure(verification.checks)
  const failing = verification.checks.filter((check) => !check.ok && !isNotJudged(check)).length
  const notJudged = verification.checks.filter(isNotJudged).length
  // A signature naming a trusted key that does not verify is not "no trusted key": say what went wrong.
  const signatureFailed = signatureState(verification.checks) === 'failed'
  return (
    <div className="verification-explainer">
      {verdict ? <p className="verdict">{verdictSentence(verification)}</p> : null}
      {failure ? (
        <div className="first-failure" role="group" aria-label={`First failure: ${failure.name}`}>
          <p className="first-failure-title">
            <span aria-hidden="true">✕ </span>First failure: <code className="mono">{failure.name}</code>
          </p>
          {/* The cause in plain words comes first: the reader should not have to open the technical detail for it. */}
          <p className="first-failure-cause">
            <strong>Cause:</strong> {capitalise(failureCause(failure))}.
          </p>
          {failure.detail !== undefined ? <p>{failure.detail}</p> : null}
          <p>{checkQuestion(failure.name)} No.</p>
          {failure.expected !== undefined ? (
            <p>
              <strong>Expected:</strong> {failure.expected}
            </p>
          ) : null}
          {failure.actual !== undefined ? (
            <p>
              <strong>Found:</strong> {failure.actual}
            </p>
          ) : null}
        </div>
      ) : null}

      <Heading>
        Checks ({verification.checks.length}
        {failing > 0 ? `, ${failing} failing` : ''}
        {notJudged > 0 ? `, ${notJudged} not judged` : ''})
      </Heading>
      <ChecksTable checks={verification.checks} label={`Checks of ${label}`} anchors={anchors} highlight={highlight} />

      <Heading>Signers ({verification.signers.length})</Heading>
      {verification.signers.length === 0 ? (
        <p className="muted">No signatures.</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table" aria-label={`Signers of ${label}`}>
            <thead>
              <tr>
                <th scope="col">Key id</th>
                <th scope="col">Trusted key</th>
                <th scope="col">Algorithm</th>
              </tr>
            </thead>
            <tbody>
              {verification.signers.map((signer, index) => (
                <tr key={`${signer.keyId ?? ''}-${index}`}>
                  <td className="cell-wrap">{signer.keyId === null ? <NotRecorded /> : <code className="mono">{signer.keyId}</code>}</td>
                  <td className="cell-wrap">
                    {signer.trustedKeyId === null ? <span className="muted">{signatureFailed ? 'None: the signature does not verify' : 'No trusted key verified this signature'}</span> : <code className="mono">{signer.trustedKeyId}</code>}
                  </td>
                  <td>{signer.algorithm ?? <NotRecorded />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {verification.certificate ? (
        <>
          <Heading>Signing certificate</Heading>
          <p className="section-note">Issued by a certificate authority to the identity below for the moment of signing.</p>
          <dl className="facts">
            {certificateFacts(verification.certificate).map(([term, value]) => (
              <div className="fact" key={term}>
                <dt>{term}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}

      {verification.transparencyLog !== undefined ? (
        <>
          <Heading>Transparency log ({verification.transparencyLog.length})</Heading>
          {verification.transparencyLog.length === 0 ? (
            <p className="muted">The bundle carries no transparency-log entry.</p>
          ) : (
            <div className="table-wrap">
              <table className="data-table" aria-label={`Transparency-log entries of ${label}`}>
                <thead>
                  <tr>
                    <th scope="col">Log index</th>
                    <th scope="col">Integrated</th>
                    <th scope="col">Inclusion proof</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Log id</th>
                  </tr>
                </thead>
                <tbody>
                  {verification.transparencyLog.map((entry, index) => (
                    <tr key={`${entry.logId}-${entry.logIndex}-${index}`}>
                      <td>
                        <code className="mono">{entry.logIndex}</code>
                      </td>
                      <td>{entry.integratedTime === null ? <NotRecorded compact /> : <LogTime value={entry.integratedTime} />}</td>
                      <td>
                        <span className={entry.inclusionProof ? 'result result-ok' : 'result result-fail'}>
                          <span aria-hidden="true">{entry.inclusionProof ? '✓ ' : '✕ '}</span>
                          {entry.inclusionProof ? 'Verified' : 'Not verified'}
                        </span>
                        {entry.inclusionPromise ? <span className="muted"> · signed promise</span> : null}
                      </td>
                      <td>
                        {entry.kind} {entry.version}
                      </td>
                      <td className="cell-wrap">
                        <code className="mono" title={entry.logId}>
                          {entry.logId.slice(0, 16)}…
                        </code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      ) : null}
    </div>
  )
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)

function certificateFacts(certificate: NonNullable<Verification['certificate']>): [string, ReactNode][] {
  const text = (value: string | null) => (value === null ? <NotRecorded /> : <span className="untrusted-text">{value}</span>)
  return [
    ['Identity (subject alternative name)', certificate.subjectAlternativeName === null ? <NotRecorded /> : <SafeLink value={certificate.subjectAlternativeName} />],
    ['Vouched for by (OIDC issuer)', text(certificate.issuer)],
    ['Repository', text(certificate.repository)],
    ['Workflow', text(certificate.workflowRef)],
    ['Ref', text(certificate.ref)],
    ['Commit', certificate.sha === null ? <NotRecorded /> : <code className="mono">{certificate.sha}</code>],
    ['Valid', <LogWindow from={certificate.notBefore} to={certificate.notAfter} />],
    ['Certificate authority', text(certificate.issuerCN)],
    ['Serial', <code className="mono">{certificate.serial}</code>],
  ]
}

/** Integrated times come as unix seconds or ISO text, depending on the bundle version. */
function toIso(value: string): string | null {
  if (/^\d+$/.test(value)) return new Date(Number(value) * 1000).toISOString()
  const time = Date.parse(value)
  return Number.isNaN(time) ? null : new Date(time).toISOString()
}

function LogTime({ value }: { value: string }) {
  const iso = toIso(value)
  if (iso === null) return <span className="untrusted-text">{value}</span>
  return <RelativeTime iso={iso} />
}

function LogWindow({ from, to }: { from: string; to: string }) {
  const start = toIso(from)
  const end = toIso(to)
  return (
    <span>
      {start ? formatAbsolute(start) : from} to {end ? formatAbsolute(end) : to}
    </span>
  )
}
