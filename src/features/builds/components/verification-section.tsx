import type { Verification, VerificationStatus } from '../../../contract/common'
import { NotRecorded } from '../../../components/ui/not-recorded'
import { StatusBadge } from '../../../components/ui/status-badge'
import { orderChecks } from '../lib/checks'

const verdicts: Record<VerificationStatus, (failedCheck: string | null) => string> = {
  verified: () => 'Signed by a trusted key, and every check passed.',
  failed: (check) =>
    `${check ? `The ${check} check` : 'A check'} failed. Do not rely on this build's artifacts until the cause is understood.`,
  untrusted: () => 'The signature is valid, but the key that made it is not one this server trusts.',
  unsigned: () => 'The document carries no signature, so nothing vouches for its content.',
  unverifiable: () => 'The document is signed, but the trust material needed to check the signature is missing.',
}

export function VerificationSection({ verification }: { verification: Verification }) {
  const checks = orderChecks(verification.checks)
  const failing = checks.filter((check) => !check.ok).length
  return (
    <section className="card" aria-labelledby="verification-heading">
      <div className="card-header">
        <h2 id="verification-heading">Verification</h2>
        <StatusBadge status={verification.status} failedCheck={verification.failedCheck} />
      </div>
      <p className="verdict">{verdicts[verification.status](verification.failedCheck)}</p>

      <h3 id="checks-heading">
        Checks ({checks.length}
        {failing > 0 ? `, ${failing} failing` : ''})
      </h3>
      {checks.length === 0 ? (
        <p className="muted">No checks were recorded.</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table checks-table" aria-labelledby="checks-heading">
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Result</th>
                <th scope="col">Expected</th>
                <th scope="col">Actual</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {checks.map((check, index) => (
                <tr key={`${check.name}-${index}`} className={check.ok ? undefined : 'check-failed'}>
                  <th scope="row">
                    <code className="mono">{check.name}</code>
                  </th>
                  <td>
                    <span className={check.ok ? 'result result-ok' : 'result result-fail'}>
                      <span aria-hidden="true">{check.ok ? '✓ ' : '✕ '}</span>
                      {check.ok ? 'Passed' : 'Failed'}
                    </span>
                  </td>
                  <td className="cell-wrap">{check.expected ?? <NotRecorded compact />}</td>
                  <td className="cell-wrap">{check.actual ?? <NotRecorded compact />}</td>
                  <td className="cell-wrap">{check.detail ?? <NotRecorded compact />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h3 id="signers-heading">Signers ({verification.signers.length})</h3>
      {verification.signers.length === 0 ? (
        <p className="muted">No signatures.</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table" aria-labelledby="signers-heading">
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
                  <td className="cell-wrap">
                    {signer.keyId === null ? <NotRecorded /> : <code className="mono">{signer.keyId}</code>}
                  </td>
                  <td className="cell-wrap">
                    {signer.trustedKeyId === null ? (
                      <span className="muted">No trusted key matched</span>
                    ) : (
                      <code className="mono">{signer.trustedKeyId}</code>
                    )}
                  </td>
                  <td>{signer.algorithm ?? <NotRecorded />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
