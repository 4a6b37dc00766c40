import { z } from 'zod'
import { AlertRule, AlertSeverity, AlertState } from './alerts'
import { ApiErrorBody, BuildId, DigestSet, DocumentId, Instant, VerificationStatus } from './common'
import { RebuildVerdict } from './rebuilds'
import { errors, type RouteSpec } from './route-spec'

/*
 * An auditor's report: what is and is not proven about a set of artifacts, as of a stated instant. Version 1 of
 * the schema; docs/reports.md describes every field. The report is serialised as canonical JSON (keys sorted,
 * arrays in a stated order), so the same inputs give the same bytes.
 */

export const REPORT_SCHEMA = 'https://provenance-dashboard.dev/report/v1'

/** DSSE payload type of a signed report. */
export const REPORT_PAYLOAD_TYPE = 'application/vnd.provenance-dashboard.report.v1+json'

const Sha256Digest = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a digest is sha256:<64 lower-case hex characters>')

export const ReportScope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('artifact'), digest: Sha256Digest }),
  /** A release: a set of artifacts named by digest (1 to 500). */
  z.object({ kind: z.literal('release'), digests: z.array(Sha256Digest).min(1).max(500) }),
  /** What ran in an environment as of the report's `asOf`: the artifacts of each service's newest deployment by then. */
  z.object({ kind: z.literal('environment'), environment: z.string().trim().min(1).max(200) }),
  /** A project over a time range: the artifacts of its builds whose time is at or after `from` and before `to`. */
  z.object({ kind: z.literal('project'), project: z.string().trim().min(1).max(200), from: Instant, to: Instant }),
]).refine((scope) => scope.kind !== 'project' || Date.parse(scope.from) < Date.parse(scope.to), { message: 'a project range ends after it starts: give from before to', path: ['to'] })
export type ReportScope = z.infer<typeof ReportScope>

export const ReportCheck = z.object({
  name: z.string(),
  ok: z.boolean(),
  expected: z.string().nullable(),
  found: z.string().nullable(),
  detail: z.string().nullable(),
  /** Why the check could not be judged, when it could not (ok is then false). */
  notJudged: z.string().nullable(),
})

export const ReportAttestation = z.object({
  documentId: DocumentId,
  format: z.string(),
  /** What the document is to the artifact. */
  role: z.enum(['provenance', 'sbom', 'rebuild', 'other']),
  predicateType: z.string().nullable(),
  buildId: BuildId.nullable(),
  ingestedAt: Instant,
  status: VerificationStatus,
  failedCheck: z.string().nullable(),
  checks: z.array(ReportCheck),
  /** Who signed: key ids as found and the trusted key each matched; for Sigstore, the certificate's identity. */
  signers: z.array(z.object({ keyId: z.string().nullable(), trustedKeyId: z.string().nullable(), algorithm: z.string().nullable() })),
  certificateIdentity: z.object({ subjectAlternativeName: z.string().nullable(), issuer: z.string().nullable() }).nullable(),
  /** Transparency-log entries the document itself carries (Sigstore), by log index. */
  transparencyLogEntries: z.array(z.object({ logIndex: z.string(), inclusionProof: z.boolean(), integratedTime: z.string().nullable() })),
})
export type ReportAttestation = z.infer<typeof ReportAttestation>

export const ReportBuild = z.object({
  id: BuildId,
  project: z.string(),
  sourceRepo: z.string().nullable(),
  sourceCommit: z.string().nullable(),
  builderId: z.string().nullable(),
  buildType: z.string().nullable(),
  status: VerificationStatus,
  time: Instant,
})

export const ReportArtifact = z.object({
  digest: Sha256Digest,
  digests: DigestSet,
  names: z.array(z.string()),
  /**
   * verified: at least one build's provenance naming it verified; unverified: provenance exists but none
   * verified; none: no provenance names it.
   */
  provenance: z.enum(['verified', 'unverified', 'none']),
  builds: z.array(ReportBuild),
  attestations: z.array(ReportAttestation),
  sbom: z.object({ documentId: DocumentId, standard: z.string(), componentCount: z.number().int() }).nullable(),
  rebuilds: z.object({
    /** k of n: rebuilders whose newest verdict matched, of every rebuilder with a verdict. */
    rebuilders: z.number().int(),
    matched: z.number().int(),
    mismatched: z.number().int(),
    verdicts: z.array(z.object({ documentId: DocumentId, rebuilderId: z.string().nullable(), verdict: RebuildVerdict, status: VerificationStatus, time: Instant })),
  }),
  deployments: z.array(z.object({ id: z.string(), environment: z.string(), service: z.string(), at: Instant, flagged: z.boolean() })),
  /** Alerts on its builds or on it that are open, acknowledged or waived, with the waiver's reason. */
  alerts: z.array(
    z.object({
      id: z.string(),
      rule: AlertRule,
      severity: AlertSeverity,
      state: AlertState,
      title: z.string(),
      expected: z.string(),
      found: z.string(),
      waiver: z.object({ reason: z.string(), expiresAt: Instant, by: z.string() }).nullable(),
    }),
  ),
})
export type ReportArtifact = z.infer<typeof ReportArtifact>

export const ReportSummary = z.object({
  artifacts: z.number().int(),
  verifiedProvenance: z.number().int(),
  /** Digests of artifacts with provenance, none of which verified. */
  unverifiedProvenance: z.array(Sha256Digest),
  /** Digests of artifacts no provenance names. */
  withoutProvenance: z.array(Sha256Digest),
  /** Digests asked for that nothing stored names. */
  unknown: z.array(Sha256Digest),
  reproduced: z.number().int(),
  openAlerts: z.number().int(),
  waivedAlerts: z.number().int(),
  /** The same, in plain words, one sentence a line. */
  lines: z.array(z.string()),
})
export type ReportSummary = z.infer<typeof ReportSummary>

export const Report = z.object({
  schema: z.literal(REPORT_SCHEMA),
  /** The instant the report speaks for: nothing stored after it is included. */
  asOf: Instant,
  scope: ReportScope,
  summary: ReportSummary,
  artifacts: z.array(ReportArtifact),
  /** Every document the report relies on, sorted: the archive carries each, with its log inclusion proof. */
  documents: z.array(DocumentId),
})
export type Report = z.infer<typeof Report>

/** Body of `POST /api/v1/reports`. */
export const ReportRequest = z
  .object({
    scope: ReportScope,
    /** Defaults to the time the request is received. */
    asOf: Instant.optional(),
  })
  .strict()
export type ReportRequest = z.infer<typeof ReportRequest>

/** The files a finished report offers; each is also inside the archive, so the archive alone is the evidence. */
export const REPORT_FILES = ['report.json', 'report.dsse.json', 'report.csv', 'report.html'] as const
export const ReportFileName = z.enum(REPORT_FILES)
export type ReportFileName = z.infer<typeof ReportFileName>

export const ReportJob = z.object({
  id: z.string().regex(/^[0-9a-f]{32}$/),
  scope: ReportScope,
  asOf: Instant,
  state: z.enum(['running', 'done', 'failed']),
  /** Artifacts assembled so far, of the total (0 until an environment's deployments are read). */
  progress: z.object({ done: z.number().int(), total: z.number().int() }),
  createdAt: Instant,
  /** Who asked for it: the name and scopes of the bearer token sent; null name when none was sent (reads need no token). */
  createdBy: z.object({ token: z.string().nullable(), scopes: z.array(z.string()) }),
  /** When done: the summary and where to download. */
  summary: ReportSummary.nullable(),
  /** When done: the archive first, then each file of it that can be read on its own. */
  files: z.array(z.object({ name: z.string(), format: z.enum(['archive', ...REPORT_FILES]), href: z.string(), bytes: z.number().int() })),
  error: z.string().nullable(),
})
export type ReportJob = z.infer<typeof ReportJob>

/** How many of a finished report's artifacts its preview lists; the files hold them all. */
export const PREVIEW_ROWS = 50

/** One artifact as the Reports screen's table shows it: its verdict and counts, not its evidence. */
export const ReportPreviewRow = z.object({
  digest: Sha256Digest,
  /** Its first name in the report, null when it has none. */
  name: z.string().nullable(),
  provenance: ReportArtifact.shape.provenance,
  /** The build shown for it: its first verified build, else its newest. */
  sourceRepo: z.string().nullable(),
  sourceCommit: z.string().nullable(),
  builderId: z.string().nullable(),
  attestations: z.object({ verified: z.number().int(), total: z.number().int() }),
  rebuilds: z.object({ matched: z.number().int(), rebuilders: z.number().int() }),
  deployments: z.number().int(),
  /** Open or acknowledged, and waived. */
  alerts: z.object({ open: z.number().int(), waived: z.number().int() }),
})
export type ReportPreviewRow = z.infer<typeof ReportPreviewRow>

/** The first PREVIEW_ROWS artifacts of a finished report, in the report's order, and how many it has in all. */
export const ReportPreview = z.object({ rows: z.array(ReportPreviewRow).max(PREVIEW_ROWS), artifacts: z.number().int() })
export type ReportPreview = z.infer<typeof ReportPreview>

/**
 * `GET /api/v1/reports/{id}`: the report with, when done, its preview, so a screen shows a report of any size
 * without downloading report.json. Null while it is made, and for reports made before previews were kept.
 */
export const ReportDetail = ReportJob.extend({ preview: ReportPreview.nullable().default(null) })
export type ReportDetail = z.infer<typeof ReportDetail>

/** `GET /api/v1/reports`: newest first. */
export const ReportQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  /** The `nextCursor` of the previous page. */
  cursor: z.string().regex(/^\d+:[0-9a-f]{32}$/, 'a cursor is the nextCursor of a previous page').optional(),
})
export type ReportQuery = z.infer<typeof ReportQuery>

export const ReportPage = z.object({ items: z.array(ReportJob), nextCursor: z.string().nullable() })
export type ReportPage = z.infer<typeof ReportPage>

export const ReportId = z.object({ id: z.string().regex(/^[0-9a-f]{32}$/, 'a report id is 32 lower-case hex characters') })

export const ReportFileParams = ReportId.extend({ file: ReportFileName })

export const reportRoutes = {
  listReports: {
    method: 'get',
    path: '/api/v1/reports',
    summary: 'Reports made on this server, newest first, with their scope, who asked for them, state and summary',
    scope: 'read',
    query: ReportQuery,
    responses: { 200: { description: 'A page of reports', schema: ReportPage }, ...errors },
  },
  createReport: {
    method: 'post',
    path: '/api/v1/reports',
    summary: 'Starts a signed, offline-checkable report on an artifact, a release, or what ran in an environment; answers its id',
    scope: 'read',
    body: { contentTypes: ['application/json'], description: 'ReportRequest: the scope and, optionally, the instant it speaks for' },
    responses: { 202: { description: 'The report started', schema: ReportJob }, ...errors },
  },
  getReport: {
    method: 'get',
    path: '/api/v1/reports/{id}',
    summary: "A report's progress and, when done, its summary, files and a preview of its first artifacts",
    scope: 'read',
    params: ReportId,
    paramError: { code: 'invalid-report-id' },
    responses: { 200: { description: 'The report', schema: ReportDetail }, ...errors, 404: { description: 'No such report', schema: ApiErrorBody } },
  },
  getReportArchive: {
    method: 'get',
    path: '/api/v1/reports/{id}/archive',
    summary: 'The report as one tar archive: the report, its DSSE envelope, the cited documents, the log checkpoint, inclusion proofs, the public key',
    scope: 'read',
    params: ReportId,
    paramError: { code: 'invalid-report-id' },
    responses: {
      200: { description: 'application/x-tar' },
      ...errors,
      404: { description: 'No such report', schema: ApiErrorBody },
      409: { description: 'The report is not done yet', schema: ApiErrorBody },
    },
  },
  getReportFile: {
    method: 'get',
    path: '/api/v1/reports/{id}/files/{file}',
    summary: 'One file of a finished report on its own: the JSON, its DSSE envelope, the CSV or the printable HTML (each is also in the archive)',
    scope: 'read',
    params: ReportFileParams,
    paramError: { code: 'invalid-report-file', hint: `a file is one of ${REPORT_FILES.join(', ')}` },
    responses: {
      200: { description: 'The file, as an attachment' },
      ...errors,
      404: { description: 'No such report', schema: ApiErrorBody },
      409: { description: 'The report is not done yet', schema: ApiErrorBody },
    },
  },
} as const satisfies Record<string, RouteSpec>
