import { useQuery, useSuspenseQuery } from '@tanstack/react-query'
import { lazy, Suspense, useState, type ReactNode } from 'react'
import { useParams } from 'react-router'
import { useSearchParams } from '../../../lib/search-params'
import { Link } from '../../../components/ui/app-link'
import type { ArtifactAttestation, ArtifactDetail } from '../../../contract/artifacts'
import type { Sbom } from '../../../contract/sboms'
import { Facts, Section } from '../../../components/ui/card-section'
import { DigestList } from '../../../components/ui/digest-list'
import { DocumentDownloads } from '../../../components/ui/document-downloads'
import { NotRecorded } from '../../../components/ui/not-recorded'
import { RelativeTime } from '../../../components/ui/relative-time'
import { StatusBadge } from '../../../components/ui/status-badge'
import { Spinner } from '../../../components/ui/spinner'
import { formatCount, shortCommit, shortHex } from '../../../lib/format'
import { FORMAT_NAMES } from '../../../lib/document-names'
import { paths } from '../../../lib/paths'
import { verdictSummary } from '../../../lib/verdict'
import { useHashCheck } from '../../../lib/use-hash-check'
import { artifactQueries } from '../artifacts-queries'
import { orderAttestations, targetAttestation } from '../lib/attestation-order'
import { readDigest } from '../artifact-loader'
import { ArtifactSummary } from './artifact-summary'
import { RebuildsSection } from './rebuilds-section'
import { ServedCopySection } from './served-copy-section'

/**
 * Every check, signer and log entry of a document: shown when its card is opened (a failed or linked card opens with
 * the page), so the explainer's code loads with the first card opened, not with every visit.
 */
const AttestationChecks = lazy(() => import('./attestation-checks').then((module) => ({ default: module.AttestationChecks })))
const loadChecks = () => void import('./attestation-checks')

/**
 * `gateDecisions`: the release-gate decisions section for the artifact's digest, given by the app (features do not
 * import each other; the app composes them).
 */
export function ArtifactPage({ gateDecisions }: { gateDecisions?: (digest: string) => ReactNode } = {}) {
  const digest = readDigest(useParams().digest) ?? ''
  const { data: artifact } = useSuspenseQuery(artifactQueries.detail(digest))
  const [searchParams] = useSearchParams()
  const check = useHashCheck()
  const target = targetAttestation(artifact.attestations, searchParams.get('document'), check)
  const name = artifact.names[0] ?? null
  const [algorithm, hex] = splitDigest(artifact.digest)
  // Not waited for: only the server's own build can differ, and the page is whole without it.
  const ownBuild = useQuery(artifactQueries.ownBuild()).data
  const servedChanged = ownBuild?.compared ? ownBuild.changed.filter((file) => file.attested === artifact.digest) : []

  return (
    <article className="page artifact-page" aria-labelledby="artifact-heading">
      <title>{`${name ?? shortHex(hex)} · Artifacts · Provenance`}</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={paths.artifacts()}>Artifacts</Link>
        <span aria-hidden="true"> / </span>
        <span aria-current="page">{name ?? shortHex(hex)}</span>
      </nav>
      <header className="page-header build-header">
        <div>
          <h1 id="artifact-heading">{name ?? <span className="mono">{`${algorithm}:${shortHex(hex)}`}</span>}</h1>
          <p className="page-lede">
            Artifact <code className="mono">{`${algorithm}:${shortHex(hex)}`}</code>
            {artifact.producedBy ? (
              <>
                {' · built by '}
                <Link to={paths.build(artifact.producedBy.id)}>{artifact.producedBy.project}</Link>{' '}
                <RelativeTime iso={artifact.producedBy.time} />
              </>
            ) : null}
          </p>
        </div>
        <div className="header-side">
          <Link to={paths.lineage({ from: artifact.digest })}>Lineage</Link>
          {artifact.digest.startsWith('sha256:') ? <Link to={paths.reports({ kind: 'artifact', digest: artifact.digest })}>Report on this</Link> : null}
        </div>
      </header>

      <ArtifactSummary artifact={artifact} servedChanged={servedChanged} />
      <ServedCopySection changed={servedChanged} />

      <Section id="identity" title="Names and digests">
        <Facts
          items={[
            [
              artifact.names.length === 1 ? 'Name' : `Names (${artifact.names.length}, most recent first)`,
              artifact.names.length === 0 ? null : (
                <ul className="plain-list">
                  {artifact.names.map((item) => (
                    <li key={item} className="untrusted-text">
                      {item}
                    </li>
                  ))}
                </ul>
              ),
            ],
            ['Digests', <DigestList digest={artifact.digests} of={name ?? 'the artifact'} />],
          ]}
        />
      </Section>

      <ProducedBy artifact={artifact} />

      <Section id="attestations" title={`Attestations and signatures (${artifact.attestations.length})`}>
        {artifact.attestations.length === 0 ? (
          <p className="muted">No document attests to this artifact.</p>
        ) : (
          orderAttestations(artifact.attestations).map((attestation) => (
            <AttestationCard
              key={attestation.documentId}
              attestation={attestation}
              sbom={attestation.documentId === artifact.sbom?.documentId ? artifact.sbom : null}
              targeted={attestation.documentId === target}
              // Only one verification on the page carries the #check- ids: the targeted one, else the first.
              anchors={target === null ? attestation.documentId === orderAttestations(artifact.attestations)[0]?.documentId : attestation.documentId === target}
              highlight={attestation.documentId === target ? check : null}
            />
          ))
        )}
      </Section>

      <SbomSection artifact={artifact} />
      <RebuildsSection artifact={artifact} />

      <Section id="deployments" title="Deployments">
        {artifact.deployments.length === 0 ? (
          <p className="muted">No deployment of this artifact is recorded.</p>
        ) : (
          <ul className="plain-list">
            {artifact.deployments.map((deployment) => (
              <li key={deployment.id}>
                <span className="untrusted-text">{deployment.service}</span> to <span className="untrusted-text">{deployment.environment}</span>{' '}
                <RelativeTime iso={deployment.at} />
                {deployment.current ? ' · runs there now' : ''}
                {deployment.flagged ? <strong className="result-fail"> · deployed without verified provenance</strong> : null} ·{' '}
                <Link to={paths.lineage({ from: deployment.id })} aria-label={`Lineage of the ${deployment.service} deployment to ${deployment.environment}`}>
                  lineage
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Section>
      {gateDecisions?.(artifact.digest)}
    </article>
  )
}

function splitDigest(digest: string): [string, string] {
  const index = digest.indexOf(':')
  return index === -1 ? ['sha256', digest] : [digest.slice(0, index), digest.slice(index + 1)]
}

function ProducedBy({ artifact }: { artifact: ArtifactDetail }) {
  const others = artifact.builds.filter((build) => build.id !== artifact.producedBy?.id)
  return (
    <Section id="produced-by" title="Produced by">
      {artifact.producedBy === null ? (
        <p className="muted">No stored provenance names this artifact as a subject, so the build that produced it is unknown.</p>
      ) : (
        <Facts
          items={[
            [
              'Build',
              <Link to={paths.build(artifact.producedBy.id)}>
                {artifact.producedBy.project}
                {artifact.producedBy.sourceCommit ? ` @ ${shortCommit(artifact.producedBy.sourceCommit)}` : ''}
              </Link>,
            ],
            ['Builder', artifact.producedBy.builderId === null ? null : <span className="untrusted-text">{artifact.producedBy.builderId}</span>],
            ['Built', <RelativeTime iso={artifact.producedBy.time} />],
            ['Verification', <StatusBadge status={artifact.producedBy.status} failedCheck={artifact.producedBy.failedCheck} />],
          ]}
        />
      )}
      {others.length > 0 ? (
        <>
          <h3>Other builds that list it ({others.length})</h3>
          <ul className="plain-list">
            {others.map((build) => (
              <li key={build.id}>
                <Link to={paths.build(build.id)}>
                  {build.project} build {shortHex(build.id)}
                </Link>{' '}
                <RelativeTime iso={build.time} /> <StatusBadge status={build.status} failedCheck={build.failedCheck} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Section>
  )
}

function AttestationCard({
  attestation,
  sbom,
  targeted,
  anchors,
  highlight,
}: {
  attestation: ArtifactAttestation
  /** The SBOM this document carries, when it is the artifact's SBOM: the card says so, not only "DSSE envelope". */
  sbom: Sbom | null
  targeted: boolean
  anchors: boolean
  highlight: string | null
}) {
  const headingId = `attestation-${attestation.documentId}-heading`
  const envelope = FORMAT_NAMES[attestation.format] ?? attestation.format
  const format = sbom !== null && !SBOM_FORMATS.has(attestation.format) ? `${sbomStandard(sbom)} SBOM in a ${envelope}` : envelope
  const checks = attestation.verification.checks.length
  // Collapsed unless it failed or a link points into it: the page's other verdicts must not sit pages below
  // several fully expanded explainers.
  const open = attestation.verification.status === 'failed' || targeted
  // Once opened, the explainer stays rendered (closing and opening again is instant, and find-in-page sees it).
  const [opened, setOpened] = useState(false)
  return (
    <article className={targeted ? 'attestation is-targeted' : 'attestation'} aria-labelledby={headingId} id={`attestation-${attestation.documentId}`}>
      <div className="card-header">
        <h3 id={headingId}>
          {format}
          {attestation.predicateType ? <span className="muted heading-note"> · {attestation.predicateType}</span> : null}
        </h3>
        <StatusBadge status={attestation.verification.status} failedCheck={attestation.verification.failedCheck} />
      </div>
      <p className="section-note">
        Document <code className="mono">{shortHex(attestation.documentId)}</code>, ingested <RelativeTime iso={attestation.ingestedAt} />
        {attestation.buildId ? (
          <>
            {' · '}
            <Link to={paths.build(attestation.buildId)}>its build</Link>
          </>
        ) : null}
      </p>
      <p className="verdict">{verdictSummary(attestation.verification)}</p>
      <DocumentDownloads documentId={attestation.documentId} label={format} />
      <details className="attestation-detail" open={open} onToggle={(event) => event.currentTarget.open && setOpened(true)}>
        {/* The explainer's code starts loading as the pointer or the keyboard reaches the summary, before the click. */}
        <summary onPointerEnter={loadChecks} onFocus={loadChecks}>{`Checks (${checks}), signers and log entries`}</summary>
        {open || opened ? (
          <Suspense fallback={<Spinner label="Loading the checks" />}>
            <AttestationChecks verification={attestation.verification} label={`the ${format} ${shortHex(attestation.documentId)}`} anchors={anchors} highlight={highlight} />
          </Suspense>
        ) : null}
      </details>
    </article>
  )
}

/** Formats whose document is the SBOM itself (named as such already). */
const SBOM_FORMATS = new Set(['cyclonedx-json', 'spdx-json', 'spdx3-jsonld'])

const sbomStandard = (sbom: Sbom) => (sbom.standard === 'cyclonedx' ? 'CycloneDX' : 'SPDX')

function SbomSection({ artifact }: { artifact: ArtifactDetail }) {
  const sbom = artifact.sbom
  if (sbom === null) {
    return (
      <Section id="sbom" title="Software bill of materials">
        <p className="muted">No SBOM describing this artifact was ingested.</p>
      </Section>
    )
  }
  const described = [sbom.subject.name, sbom.subject.version].filter((part) => part !== null).join(' ')
  return (
    <Section id="sbom" title="Software bill of materials">
      <p className="section-note">
        {sbom.viaBuild === null ? (
          'The SBOM names this artifact itself. '
        ) : (
          <>
            The SBOM names no artifact by digest: <Link to={paths.build(sbom.viaBuild)}>the build</Link> that wrote its file also produced this artifact,
            which it describes.{' '}
          </>
        )}
        Its document: <Link to={paths.artifact(artifact.digest, { document: sbom.documentId })}>{`SBOM document ${shortHex(sbom.documentId)}`}</Link>, with its
        signature checks.
      </p>
      <Facts
        items={[
          [
            'Describes',
            described === '' && sbom.subject.purl === null ? null : (
              <>
                {described === '' ? null : <span className="untrusted-text">{described}</span>}
                {sbom.subject.purl === null ? null : (
                  <>
                    {' '}
                    <code className="mono untrusted-text">{sbom.subject.purl}</code>
                  </>
                )}
              </>
            ),
          ],
          ['Components', formatCount(sbom.componentCount)],
          [
            'Generated by',
            sbom.tools.length === 0 ? null : (
              <ul className="plain-list">
                {sbom.tools.map((tool, index) => (
                  <li key={`${tool.name}-${index}`}>
                    <span className="untrusted-text">{tool.name}</span> {tool.version ? <code className="mono">{tool.version}</code> : <NotRecorded compact />}
                  </li>
                ))}
              </ul>
            ),
          ],
          ['Standard', `${sbomStandard(sbom)} ${sbom.specVersion}`],
          ['Serial', sbom.serial === null ? null : <code className="mono">{sbom.serial}</code>],
          ['Signature', <StatusBadge status={sbom.status} />],
          ['Made', sbom.createdAt === null ? null : <RelativeTime iso={sbom.createdAt} />],
          ['Ingested', <RelativeTime iso={sbom.ingestedAt} />],
        ]}
      />
      <DocumentDownloads documentId={sbom.documentId} label="SBOM document" />
    </Section>
  )
}
