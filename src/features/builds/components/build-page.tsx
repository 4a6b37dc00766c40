import { useQuery, useSuspenseQuery } from '@tanstack/react-query'
import { useParams } from 'react-router'
import { Link } from '../../../components/ui/app-link'
import type { BuildDetail } from '../../../contract/builds'
import { BuildId } from '../../../contract/common'
import { Facts, Section } from '../../../components/ui/card-section'
import { CopyButton } from '../../../components/ui/copy-button'
import { DigestList } from '../../../components/ui/digest-list'
import { DocumentDownloads } from '../../../components/ui/document-downloads'
import { artifactDigest } from '../../../components/ui/entity-links'
import { FlatTable } from '../../../components/ui/flat-table'
import { useFirstRows } from '../../../components/ui/first-rows'
import { NotRecorded } from '../../../components/ui/not-recorded'
import { RelativeTime } from '../../../components/ui/relative-time'
import { SafeLink } from '../../../components/ui/safe-link'
import { StatusBadge } from '../../../components/ui/status-badge'
import { formatAbsolute, formatBytes, formatCount, formatDuration, formatRelative, shortCommit, shortHex } from '../../../lib/format'
import { paths } from '../../../lib/paths'
import { useHashCheck } from '../../../lib/use-hash-check'
import { useSectionFromHash } from '../../../lib/use-section-from-hash'
import { buildQueries } from '../builds-queries'
import { EnvironmentSection, HostsSection, TimelineSection, ToolVersionsSection } from './how-built'
import { VerificationSection } from './verification-section'

export function BuildPage() {
  // The loader has validated the id and filled the cache, so neither of these can suspend or throw here.
  const id = BuildId.parse(useParams().id)
  const { data: build } = useSuspenseQuery(buildQueries.detail(id))
  const highlight = useHashCheck()
  useSectionFromHash()
  const commit = build.sourceCommit === null ? null : shortCommit(build.sourceCommit)
  const subjects = useFirstRows(build.subjects, 'artifacts', build.id)
  const dependencies = useFirstRows(build.resolvedDependencies, 'dependencies', build.id)

  return (
    <article className="page build-page" aria-labelledby="build-heading">
      <title>{`${build.project}${commit ? ` @ ${commit}` : ''} · Builds · Provenance`}</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={paths.builds()}>Builds</Link>
        <span aria-hidden="true"> / </span>
        <span aria-current="page">{build.project}</span>
      </nav>
      <header className="page-header build-header">
        <div>
          <h1 id="build-heading">
            {build.project}
            {commit ? <span className="heading-commit mono"> @ {commit}</span> : null}
          </h1>
          <p className="page-lede">
            Build <code className="mono">{shortHex(build.id)}</code>
            {' · '}
            {build.finishedAt ? 'finished' : build.startedAt ? 'started' : 'ingested'}{' '}
            <RelativeTime iso={build.time} />
          </p>
        </div>
        <div className="header-side">
          <StatusBadge status={build.status} failedCheck={build.failedCheck} />
          <CompareWithPrevious id={build.id} />
          <Link to={paths.lineage({ from: build.id })}>Lineage</Link>
          {/* Named apart from the header's Alerts, which lists every build's. */}
          <Link to={paths.alerts({ build: build.id, state: 'unresolved' })} aria-label="Alerts of this build">
            Alerts
          </Link>
        </div>
      </header>

      <Section id="summary" title="What was built, from what, by whom">
        <Facts
          items={[
            ['Project', build.project],
            ['Source repository', build.sourceRepo === null ? null : <SafeLink value={build.sourceRepo} />],
            [
              'Source commit',
              build.sourceCommit === null ? null : (
                <>
                  <CopyableMono value={build.sourceCommit} label="Copy commit" /> <Link to={paths.buildsByCommit(build.sourceCommit)}>Every build of this commit</Link>
                </>
              ),
            ],
            ['Builder', build.builderId === null ? null : <SafeLink value={build.builderId} />],
            ['Build type', build.buildType === null ? null : <SafeLink value={build.buildType} />],
            ['Invocation', build.invocationId === null ? null : <SafeLink value={build.invocationId} />],
            ['SLSA provenance', build.slsaVersion],
            ['Statement type', build.statementType],
            ['Predicate type', build.predicateType],
            ['Started', build.startedAt === null ? null : <Timestamp iso={build.startedAt} />],
            ['Finished', build.finishedAt === null ? null : <Timestamp iso={build.finishedAt} />],
            ['Duration', duration(build)],
            ['Ingested', <Timestamp iso={build.ingestedAt} />],
            ['Build id', <CopyableMono value={build.id} label="Copy build id" />],
          ]}
        />
      </Section>

      <VerificationSection verification={build.verification} highlight={highlight} />
      <DocumentDownloads documentId={build.id} label="provenance" />

      <Section id="subjects" title={`Artifacts (${build.subjects.length})`}>
        {build.subjects.length === 0 ? (
          <p className="muted">The statement names no subjects.</p>
        ) : (
          <div className="table-wrap">
            <table className="data-table">
              <caption className="visually-hidden">Artifacts this build produced, with their digests</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Digests</th>
                </tr>
              </thead>
              <tbody>
                {subjects.shown.map((subject, index) => {
                  const digest = artifactDigest(subject.digest)
                  const to = digest === null ? undefined : paths.artifact(digest)
                  return (
                    <tr key={`${subject.name}-${index}`}>
                      <td className="cell-wrap">{to === undefined ? subject.name : <Link to={to}>{subject.name}</Link>}</td>
                      <td>
                        <DigestList digest={subject.digest} of={subject.name} to={to} />
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
        )}
        {subjects.more}
      </Section>

      <Section id="parameters" title="External parameters">
        <p className="section-note">Chosen by whoever started the build; the inputs to scrutinise.</p>
        <FlatTable value={build.externalParameters} label="External parameters" empty="The provenance records no external parameters." />
        <details className="raw-json">
          <summary>External parameters as JSON</summary>
          <JsonBlock value={build.externalParameters} label="External parameters as JSON" />
        </details>
      </Section>

      <EnvironmentSection build={build} />
      <ToolVersionsSection build={build} />

      <Section id="dependencies" title={`Resolved dependencies (${build.resolvedDependencies.length})`}>
        {build.resolvedDependencies.length === 0 ? (
          <p className="muted">The document lists no resolved dependencies.</p>
        ) : (
          <div className="table-wrap">
            <table className="data-table">
              <caption className="visually-hidden">Dependencies the builder resolved</caption>
              <thead>
                <tr>
                  <th scope="col">URI</th>
                  <th scope="col">Name</th>
                  <th scope="col">Digests</th>
                </tr>
              </thead>
              <tbody>
                {dependencies.shown.map((dependency, index) => (
                  <tr key={`${dependency.uri ?? ''}-${index}`}>
                    <td className="cell-wrap">{dependency.uri === null ? <NotRecorded /> : <SafeLink value={dependency.uri} />}</td>
                    <td>{dependency.name ?? <NotRecorded />}</td>
                    <td>
                      <DigestList digest={dependency.digest} of={dependency.name ?? dependency.uri ?? 'dependency'} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {dependencies.more}
      </Section>

      <TimelineSection build={build} />
      <HostsSection build={build} />

      <Section id="document" title="Stored document">
        <Facts
          items={[
            ['Document id', <CopyableMono value={build.document.id} label="Copy document id" />],
            ['SHA-256', <CopyableMono value={build.document.sha256} label="Copy document SHA-256" />],
            ['Format', build.document.format],
            ['Payload type', build.document.payloadType],
            [
              'Size',
              <span title={`${formatCount(build.document.size)} bytes`}>{formatBytes(build.document.size)}</span>,
            ],
            ['Ingested', <Timestamp iso={build.document.ingestedAt} />],
          ]}
        />
      </Section>

      <Section
        id="statement"
        title="Raw statement"
        action={<CopyButton text={build.statement} label="Copy raw statement" />}
      >
        <p className="section-note">The in-toto statement exactly as signed. It is untrusted input, shown as plain text.</p>
        {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- it scrolls, so keyboard users must reach it (axe: scrollable-region-focusable) */}
        <pre className="code-block" aria-label="Raw statement text" tabIndex={0}>
          {build.statement}
        </pre>
      </Section>
    </article>
  )
}

function duration(build: BuildDetail): string | null {
  if (build.startedAt === null || build.finishedAt === null) return null
  return formatDuration(Date.parse(build.finishedAt) - Date.parse(build.startedAt))
}

function Timestamp({ iso }: { iso: string }) {
  return (
    <>
      <time dateTime={iso}>{formatAbsolute(iso)}</time> <span className="muted time-relative">({formatRelative(iso)})</span>
    </>
  )
}

function CopyableMono({ value, label }: { value: string; label: string }) {
  return (
    <span className="digest digest-full">
      <code className="mono">{value}</code>
      <CopyButton text={value} label={label} />
    </span>
  )
}

function JsonBlock({ value, label }: { value: unknown; label: string }) {
  if (value === undefined || value === null) return <p className="muted">Not recorded</p>
  let text: string
  try {
    text = JSON.stringify(value, null, 2)
  } catch {
    text = '(this value cannot be shown as JSON)'
  }
  return (
    // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- it scrolls, so keyboard users must reach it (axe: scrollable-region-focusable)
    <pre className="code-block code-block-short" aria-label={label} tabIndex={0}>
      {text}
    </pre>
  )
}

/** "Compare with previous": the project's build just before this one, when there is one. */
function CompareWithPrevious({ id }: { id: BuildId }) {
  const neighbours = useQuery(buildQueries.neighbours(id))
  if (neighbours.isPending) return <span className="muted compare-link">Looking for the previous build…</span>
  if (neighbours.isError) {
    return (
      <button type="button" className="button button-small" onClick={() => void neighbours.refetch()}>
        Could not find the previous build · Retry
      </button>
    )
  }
  const previous = neighbours.data.previous
  if (previous === null) return <span className="muted compare-link">The project’s first build: nothing to compare with</span>
  return (
    <Link className="button button-small compare-link" to={paths.compare(previous.id, id)}>
      Compare with previous
    </Link>
  )
}
