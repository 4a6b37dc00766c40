import type { Alert } from '../../src/contract/alerts'
import { REBUILD_PREDICATE_TYPE } from '../../src/contract/rebuilds'
import { Report, REPORT_SCHEMA, type ReportArtifact, type ReportAttestation, type ReportPreviewRow, type ReportScope } from '../../src/contract/reports'
import { agreement } from '../../domain/reproducibility'
import { canonicalJson } from '../ingest/canonical-json'
import type { ArtifactFacts } from './evidence'

/*
 * Report assembly, pure: the facts the store gave for each artifact in, one report out. Nothing reads a clock;
 * `asOf` is the only time, and facts stored after it are left out, so a report can be made again later and
 * give the same bytes (as long as no verdict was re-judged in between: verdicts are the current ones).
 */

/** What the store knows of one digest in the scope; `detail` null when nothing names it. */
export type ArtifactEvidence = { digest: string; detail: ArtifactFacts | null; alerts: readonly Alert[] }

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** The digests a scope names by itself; an environment's and a project's are read from the store (gather.ts). */
export function scopeDigests(scope: Extract<ReportScope, { kind: 'artifact' | 'release' }>): string[] {
  return scope.kind === 'artifact' ? [scope.digest] : [...new Set(scope.digests)].sort(byText)
}

export function assembleReport(input: { scope: ReportScope; asOf: number; artifacts: readonly ArtifactEvidence[] }): Report {
  const asOf = new Date(input.asOf).toISOString()
  const tally = summaryTally()
  const artifacts: ReportArtifact[] = []
  for (const evidence of [...input.artifacts].sort((a, b) => byText(a.digest, b.digest))) {
    const artifact = reportArtifact(evidence, input.asOf)
    if (artifact === null) tally.unknown(evidence.digest)
    else {
      tally.add(artifact)
      artifacts.push(artifact)
    }
  }
  const documents = [...new Set(artifacts.flatMap((artifact) => artifact.attestations.map((attestation) => attestation.documentId)))].sort(byText)
  return Report.parse({ schema: REPORT_SCHEMA, asOf, scope: normalScope(input.scope), summary: tally.summary(asOf), artifacts, documents })
}

/** The scope as the report states it: a release's digests sorted, without repeats. */
export function normalScope(scope: ReportScope): ReportScope {
  return scope.kind === 'release' ? { kind: 'release', digests: scopeDigests(scope) } : scope
}

/** One artifact of the report from what the store knows of its digest, or null when nothing by `asOf` names it. */
export function reportArtifact(evidence: ArtifactEvidence, asOf: number): ReportArtifact | null {
  return evidence.detail === null ? null : artifactOf(evidence.digest, evidence.detail, evidence.alerts, (instant) => Date.parse(instant) <= asOf)
}

/** The report's bytes: canonical JSON (keys sorted by code point, no whitespace), the form that is signed. */
export function reportBytes(report: Report): Buffer {
  return Buffer.from(canonicalJson(report), 'utf8')
}

function artifactOf(digest: string, detail: ArtifactFacts, alerts: readonly Alert[], notAfter: (instant: string) => boolean): ReportArtifact | null {
  const rebuildDocuments = new Set(detail.rebuilds.map((rebuild) => rebuild.documentId))
  const attestations = detail.attestations
    .filter((attestation) => notAfter(attestation.ingestedAt))
    .map((attestation): ReportAttestation => {
      const { verification } = attestation
      const role =
        attestation.buildId !== null
          ? 'provenance'
          : detail.sbom?.documentId === attestation.documentId
            ? 'sbom'
            : attestation.predicateType === REBUILD_PREDICATE_TYPE || rebuildDocuments.has(attestation.documentId)
              ? 'rebuild'
              : 'other'
      return {
        documentId: attestation.documentId,
        format: attestation.format,
        role,
        predicateType: attestation.predicateType,
        buildId: attestation.buildId,
        ingestedAt: attestation.ingestedAt,
        status: verification.status,
        failedCheck: verification.failedCheck,
        // The verifier's order is the order checks depend on each other; kept as it is.
        checks: verification.checks.map((check) => ({
          name: check.name,
          ok: check.ok,
          expected: check.expected ?? null,
          found: check.actual ?? null,
          detail: check.detail ?? null,
          notJudged: check.notJudged ?? null,
        })),
        signers: verification.signers
          .map((signer) => ({ keyId: signer.keyId, trustedKeyId: signer.trustedKeyId, algorithm: signer.algorithm }))
          .sort((a, b) => byText(a.keyId ?? '', b.keyId ?? '') || byText(a.trustedKeyId ?? '', b.trustedKeyId ?? '')),
        certificateIdentity:
          verification.certificate === null || verification.certificate === undefined
            ? null
            : { subjectAlternativeName: verification.certificate.subjectAlternativeName, issuer: verification.certificate.issuer },
        transparencyLogEntries: (verification.transparencyLog ?? [])
          .map((entry) => ({ logIndex: entry.logIndex, inclusionProof: entry.inclusionProof, integratedTime: entry.integratedTime }))
          .sort((a, b) => byText(a.logIndex, b.logIndex)),
      }
    })
    .sort((a, b) => byText(a.documentId, b.documentId))
  const kept = new Set<string>(attestations.map((attestation) => attestation.documentId))
  const builds = detail.builds
    .filter((build) => kept.has(build.id))
    .map((build) => ({
      id: build.id,
      project: build.project,
      sourceRepo: build.sourceRepo,
      sourceCommit: build.sourceCommit,
      builderId: build.builderId,
      buildType: build.buildType,
      status: build.status,
      time: build.time,
    }))
    .sort((a, b) => byText(a.time, b.time) || byText(a.id, b.id))
  const rebuilds = detail.rebuilds.filter((rebuild) => kept.has(rebuild.documentId))
  const sbom = detail.sbom !== null && kept.has(detail.sbom.documentId) ? detail.sbom : null
  if (attestations.length === 0) return null
  const buildIds = new Set<string>(builds.map((build) => build.id))
  const agreed = agreement(rebuilds)
  return {
    digest,
    digests: detail.digests,
    names: [...detail.names].sort(byText),
    provenance: builds.length === 0 ? 'none' : builds.some((build) => build.status === 'verified') ? 'verified' : 'unverified',
    builds,
    attestations,
    sbom: sbom === null ? null : { documentId: sbom.documentId, standard: sbom.standard, componentCount: sbom.componentCount },
    rebuilds: {
      // The report's k of n, by the same rule as the artifact page (verified verdicts only); its verdicts list every claim.
      rebuilders: agreed.rebuilders,
      matched: agreed.matched,
      mismatched: agreed.mismatched,
      verdicts: rebuilds
        .map((rebuild) => ({ documentId: rebuild.documentId, rebuilderId: rebuild.rebuilderId, verdict: rebuild.verdict, status: rebuild.status, time: rebuild.time }))
        .sort((a, b) => byText(a.time, b.time) || byText(a.documentId, b.documentId)),
    },
    deployments: detail.deployments
      .filter((deployment) => notAfter(deployment.at))
      .map((deployment) => ({ id: deployment.id, environment: deployment.environment, service: deployment.service, at: deployment.at, flagged: deployment.flagged }))
      .sort((a, b) => byText(a.at, b.at) || byText(a.id, b.id)),
    alerts: alerts
      .filter((alert) => alert.state !== 'resolved' && notAfter(alert.firstSeen) && (buildIds.has(alert.subject.buildId) || alert.subject.id === digest))
      .map((alert) => ({
        id: alert.id,
        rule: alert.rule,
        severity: alert.severity,
        state: alert.state,
        title: alert.title,
        expected: alert.evidence.expected,
        found: alert.evidence.found,
        waiver: alert.waiver,
      }))
      .sort((a, b) => byText(a.id, b.id)),
  }
}

/** One artifact as the Reports screen's preview lists it. */
export function previewRow(artifact: ReportArtifact): ReportPreviewRow {
  const build = artifact.builds.find((candidate) => candidate.status === 'verified') ?? artifact.builds.at(-1) ?? null
  return {
    digest: artifact.digest,
    name: artifact.names[0] ?? null,
    provenance: artifact.provenance,
    sourceRepo: build?.sourceRepo ?? null,
    sourceCommit: build?.sourceCommit ?? null,
    builderId: build?.builderId ?? null,
    attestations: { verified: artifact.attestations.filter((attestation) => attestation.status === 'verified').length, total: artifact.attestations.length },
    rebuilds: { matched: artifact.rebuilds.matched, rebuilders: artifact.rebuilds.rebuilders },
    deployments: artifact.deployments.length,
    alerts: { open: artifact.alerts.filter((alert) => alert.state !== 'waived').length, waived: artifact.alerts.filter((alert) => alert.state === 'waived').length },
  }
}

const label = (artifact: ReportArtifact) => `${artifact.names[0] ?? 'unnamed'} (${artifact.digest.slice(0, 19)}…)`

function list(labels: readonly string[]): string {
  const shown = labels.slice(0, 10).join(', ')
  return labels.length > 10 ? `${shown} and ${labels.length - 10} more` : shown
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`

/**
 * The summary, added to one artifact at a time in the report's order: it keeps counts and the digests (and the
 * first few labels) the summary names, never the artifacts, so a report written as a stream sums up the same.
 */
export function summaryTally() {
  let n = 0
  let verified = 0
  let reproduced = 0
  let openAlerts = 0
  let waivedAlerts = 0
  const unverified: { digest: string; label: string }[] = []
  const none: { digest: string; label: string }[] = []
  const unknown: string[] = []
  const labelled = (artifact: ReportArtifact) => ({ digest: artifact.digest, label: label(artifact) })
  return {
    add(artifact: ReportArtifact) {
      n += 1
      if (artifact.provenance === 'verified') verified += 1
      else if (artifact.provenance === 'unverified') unverified.push(labelled(artifact))
      else none.push(labelled(artifact))
      if (artifact.rebuilds.matched > 0 && artifact.rebuilds.mismatched === 0) reproduced += 1
      for (const alert of artifact.alerts) {
        if (alert.state === 'open' || alert.state === 'acknowledged') openAlerts += 1
        else if (alert.state === 'waived') waivedAlerts += 1
      }
    },
    unknown(digest: string) {
      unknown.push(digest)
    },
    summary(asOf: string): Report['summary'] {
      // The instant in words as the page heads it ("2026-12-03 22:37:19.905 UTC"), to the millisecond the report cuts at.
      const lines = [`As of ${asOf.replace('T', ' ').replace(/Z$/, ' UTC')}, ${verified} of ${plural(n, 'artifact has', 'artifacts have')} verified provenance.`]
      if (unverified.length > 0) lines.push(`${plural(unverified.length, 'has', 'have')} provenance that did not verify: ${list(unverified.map((entry) => entry.label))}.`)
      if (none.length > 0) lines.push(`${plural(none.length, 'has', 'have')} no provenance at all: ${list(none.map((entry) => entry.label))}.`)
      if (unknown.length > 0) lines.push(`${plural(unknown.length, 'digest', 'digests')} asked for ${unknown.length === 1 ? 'is' : 'are'} not known to the dashboard: ${list(unknown.map((digest) => `${digest.slice(0, 19)}…`))}.`)
      lines.push(`${reproduced} of ${n} were rebuilt independently with matching results and no mismatch.`)
      lines.push(`${plural(openAlerts, 'alert is', 'alerts are')} open or acknowledged; ${plural(waivedAlerts, 'is', 'are')} waived.`)
      lines.push('Verified means the signature checked against a trusted key and every check passed, including the checks of the project policy governing its source repository (allowed builders, signers, required checks) when one does.')
      return {
        artifacts: n,
        verifiedProvenance: verified,
        unverifiedProvenance: unverified.map((entry) => entry.digest),
        withoutProvenance: none.map((entry) => entry.digest),
        unknown: [...unknown],
        reproduced,
        openAlerts,
        waivedAlerts,
        lines,
      }
    },
  }
}
