import type { Report, ReportArtifact } from '../../src/contract/reports'

/*
 * The report's other formats, each a pure function of the signed report.json: the same report gives the same
 * bytes, and `verify-report` makes them again from report.json and compares, so a CSV or HTML file in an archive
 * says nothing the signed report does not.
 */

// --- CSV -------------------------------------------------------------------------------------------------------

const CSV_COLUMNS = [
  'row',
  'digest',
  'name',
  'provenance',
  'build_id',
  'project',
  'source_repo',
  'source_commit',
  'builder_id',
  'build_type',
  'build_status',
  'build_time',
  'attestations',
  'attestations_verified',
  'sbom_components',
  'rebuilders',
  'rebuilds_matched',
  'rebuilds_mismatched',
  'deployments',
  'open_alerts',
  'waived_alerts',
] as const
type CsvRow = Partial<Record<(typeof CSV_COLUMNS)[number], string | number | null>>

/**
 * One cell per RFC 4180. Names and builder ids come from signed documents anyone can write, so a cell a
 * spreadsheet would run as a formula (= + - @, tab, carriage return first) is prefixed with an apostrophe.
 */
function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return ''
  let text = String(value)
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** One row per artifact, then one per build of it (`row` says which), in the report's order; CRLF line ends. */
export function reportCsv(report: Report): Buffer {
  return Buffer.concat([CSV_HEADER, ...report.artifacts.map(csvRows)])
}

/** The CSV's first line; the rows of each artifact follow (csvRows), so the file can be written a row at a time. */
export const CSV_HEADER = Buffer.from(`${CSV_COLUMNS.join(',')}\r\n`, 'utf8')

/** The CSV rows of one artifact: its own, then one per build. */
export function csvRows(artifact: ReportArtifact): Buffer {
  const rows: CsvRow[] = []
  {
    const alerts = openAndWaived(artifact)
    rows.push({
      row: 'artifact',
      digest: artifact.digest,
      name: artifact.names.join(' '),
      provenance: artifact.provenance,
      attestations: artifact.attestations.length,
      attestations_verified: artifact.attestations.filter((attestation) => attestation.status === 'verified').length,
      sbom_components: artifact.sbom?.componentCount ?? null,
      rebuilders: artifact.rebuilds.rebuilders,
      rebuilds_matched: artifact.rebuilds.matched,
      rebuilds_mismatched: artifact.rebuilds.mismatched,
      deployments: artifact.deployments.length,
      open_alerts: alerts.open,
      waived_alerts: alerts.waived,
    })
    for (const build of artifact.builds) {
      rows.push({
        row: 'build',
        digest: artifact.digest,
        build_id: build.id,
        project: build.project,
        source_repo: build.sourceRepo,
        source_commit: build.sourceCommit,
        builder_id: build.builderId,
        build_type: build.buildType,
        build_status: build.status,
        build_time: build.time,
      })
    }
  }
  return Buffer.from(rows.map((row) => `${CSV_COLUMNS.map((column) => cell(row[column])).join(',')}\r\n`).join(''), 'utf8')
}

function openAndWaived(artifact: ReportArtifact): { open: number; waived: number } {
  const waived = artifact.alerts.filter((alert) => alert.state === 'waived').length
  return { open: artifact.alerts.length - waived, waived }
}

// --- HTML ------------------------------------------------------------------------------------------------------

/** Everything from a document is text: escaped for element content and attribute values alike. */
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')

const scopeWords = (scope: Report['scope']) =>
  scope.kind === 'artifact'
    ? `artifact ${scope.digest}`
    : scope.kind === 'release'
      ? `a release of ${scope.digests.length} digests`
      : scope.kind === 'project'
        ? `the builds of ${scope.project} from ${scope.from} until ${scope.to}`
        : `what ran in ${scope.environment}`

const STYLE = `
:root { color: #17202b; font: 10.5pt/1.45 system-ui, sans-serif; }
body { margin: 0 auto; max-width: 60rem; padding: 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 0.25rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 0.5rem; }
h3 { font-size: 1rem; margin: 1rem 0 0.35rem; }
code, .mono { font-family: ui-monospace, 'DejaVu Sans Mono', monospace; font-size: 0.9em; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 0.35rem 0 0.75rem; }
th, td { border: 1px solid #b8c3d0; padding: 0.2rem 0.4rem; text-align: left; vertical-align: top; }
thead th { background: #eceff3; }
.meta { color: #5a6878; margin: 0 0 1rem; }
.summary li { margin: 0.2rem 0; }
.bad { color: #a8201a; font-weight: 600; }
.good { color: #1d6b3a; }
.artifact { border-top: 2px solid #17202b; padding-top: 0.5rem; margin-top: 1.25rem; }
@media print {
  body { max-width: none; padding: 0; }
  .summary-page { break-after: page; }
  .artifact { break-before: auto; break-inside: avoid-page; }
  h2, h3 { break-after: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
}
/* Last: a browser without page margin boxes drops only this rule. */
@page { size: A4; margin: 16mm 14mm; @top-center { content: "Provenance report"; font-size: 8pt; color: #5a6878; } @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
`

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '<p class="meta">None.</p>'
  return `<table><thead><tr>${headers.map((header) => `<th scope="col">${escape(header)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((value) => `<td>${value}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`
}

const text = (value: string | null | undefined) => (value === null || value === undefined ? '<span class="meta">not recorded</span>' : escape(value))
const mono = (value: string | null | undefined) => (value === null || value === undefined ? text(value) : `<code>${escape(value)}</code>`)
const status = (value: string) => `<span class="${value === 'verified' ? 'good' : 'bad'}">${escape(value)}</span>`

function artifactSection(artifact: ReportArtifact): string {
  const provenance =
    artifact.provenance === 'verified'
      ? '<span class="good">verified provenance</span>'
      : artifact.provenance === 'unverified'
        ? '<span class="bad">provenance that did not verify</span>'
        : '<span class="bad">no provenance</span>'
  const { rebuilds } = artifact
  return `<section class="artifact" aria-label="${escape(artifact.names[0] ?? artifact.digest)}">
<h3>${escape(artifact.names.join(', ') || 'unnamed')}</h3>
<p><code>${escape(artifact.digest)}</code>: ${provenance}. Rebuilt by ${rebuilds.rebuilders} ${rebuilds.rebuilders === 1 ? 'rebuilder' : 'rebuilders'}: ${rebuilds.matched} matched, ${rebuilds.mismatched} did not.${
    artifact.sbom === null ? '' : ` SBOM (${escape(artifact.sbom.standard)}): ${artifact.sbom.componentCount} components.`
  }</p>
<h4>Builds</h4>
${table(
  ['Build', 'Source', 'Builder', 'Status', 'Time'],
  artifact.builds.map((build) => [mono(build.id.slice(0, 16)), `${text(build.sourceRepo)}${build.sourceCommit === null ? '' : ` @ ${mono(build.sourceCommit)}`}`, mono(build.builderId), status(build.status), escape(build.time)]),
)}
<h4>Attestations</h4>
${table(
  ['Document', 'Role', 'Status', 'Failed check', 'Signers', 'Log entries'],
  artifact.attestations.map((attestation) => [
    mono(attestation.documentId.slice(0, 16)),
    escape(attestation.role),
    status(attestation.status),
    text(attestation.failedCheck),
    [
      ...attestation.signers.map((signer) => `${text(signer.keyId)}${signer.trustedKeyId === null ? ' (untrusted)' : ` (trusted key ${escape(signer.trustedKeyId)})`}`),
      ...(attestation.certificateIdentity === null ? [] : [`${text(attestation.certificateIdentity.subjectAlternativeName)} from ${text(attestation.certificateIdentity.issuer)}`]),
    ].join('<br>') || '<span class="meta">none</span>',
    attestation.transparencyLogEntries.map((entry) => `${escape(entry.logIndex)}${entry.inclusionProof ? ' (proved)' : ''}`).join(', ') || '<span class="meta">none</span>',
  ]),
)}
<h4>Deployments</h4>
${table(
  ['Environment', 'Service', 'At', 'Flagged'],
  artifact.deployments.map((deployment) => [escape(deployment.environment), escape(deployment.service), escape(deployment.at), deployment.flagged ? '<span class="bad">flagged</span>' : 'no']),
)}
<h4>Alerts</h4>
${table(
  ['Alert', 'Severity', 'State', 'Expected', 'Found', 'Waiver'],
  artifact.alerts.map((alert) => [
    escape(alert.title),
    escape(alert.severity),
    escape(alert.state),
    escape(alert.expected),
    escape(alert.found),
    alert.waiver === null ? '' : `${escape(alert.waiver.reason)} (by ${escape(alert.waiver.by)}, until ${escape(alert.waiver.expiresAt)})`,
  ]),
)}
</section>`
}

/**
 * A standalone page to read and print (to PDF from any browser): the summary alone on page one, then each
 * artifact, kept on one page where it fits. No script, no link out, no navigation: it is a document.
 */
export function reportHtml(report: Report): Buffer {
  const { head, tail } = htmlFrame(report)
  return Buffer.concat([head, ...report.artifacts.map((artifact, index) => htmlSection(artifact, index)), tail])
}

/** One artifact's section of the page, with the line break that separates sections. */
export function htmlSection(artifact: ReportArtifact, index: number): Buffer {
  return Buffer.from(`${index === 0 ? '' : '\n'}${artifactSection(artifact)}`, 'utf8')
}

/** The page around the artifacts' sections: they are written between head and tail, one at a time. */
export function htmlFrame(report: Pick<Report, 'scope' | 'asOf' | 'schema' | 'summary'> & { documents: { length: number } }): { head: Buffer; tail: Buffer } {
  const { summary } = report
  const head = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Provenance report: ${escape(scopeWords(report.scope))} as of ${escape(report.asOf)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<section class="summary-page" aria-labelledby="summary">
<h1>Provenance report: ${escape(scopeWords(report.scope))}</h1>
<p class="meta">As of ${escape(report.asOf)}. Schema ${escape(report.schema)}. ${report.documents.length} documents cited; the signed archive holds each with its log inclusion proof.</p>
<h2 id="summary">What is proven and what is not</h2>
<ul class="summary">${summary.lines.map((line) => `<li>${escape(line)}</li>`).join('')}</ul>
${table(
  ['Artifacts', 'Verified provenance', 'Did not verify', 'No provenance', 'Unknown digests', 'Reproduced', 'Open alerts', 'Waived alerts'],
  [[summary.artifacts, summary.verifiedProvenance, summary.unverifiedProvenance.length, summary.withoutProvenance.length, summary.unknown.length, summary.reproduced, summary.openAlerts, summary.waivedAlerts].map(String)],
)}
</section>
<h2>Artifacts</h2>
`
  const tail = `
</main>
</body>
</html>
`
  return { head: Buffer.from(head, 'utf8'), tail: Buffer.from(tail, 'utf8') }
}
