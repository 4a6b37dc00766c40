import { ReportRequest, type ReportJob, type ReportPreviewRow, type ReportScope } from '../../../contract/reports'

/*
 * The words the Reports screen uses for a report's scope, its maker and its rows, and the reading of the form
 * into a request: pure, so the screen's components only lay them out.
 */

const short = (digest: string) => `${digest.slice(0, 19)}…`

export function scopeWords(scope: ReportScope): string {
  if (scope.kind === 'artifact') return `Artifact ${short(scope.digest)}`
  if (scope.kind === 'release') return `Release of ${scope.digests.length} ${scope.digests.length === 1 ? 'artifact' : 'artifacts'}`
  if (scope.kind === 'project') return `Project ${scope.project}, ${scope.from.slice(0, 16).replace('T', ' ')} to ${scope.to.slice(0, 16).replace('T', ' ')} UTC`
  return `Environment ${scope.environment}`
}

export function madeByWords(createdBy: ReportJob['createdBy']): string {
  if (createdBy.token === null) return 'someone without a token (reads need none)'
  return `token ${createdBy.token} (${createdBy.scopes.join(', ')})`
}

export type ScopeKind = ReportScope['kind']

/** The form as typed: every field a string, as the inputs hold them and the URL carries them. */
export type ReportForm = { kind: ScopeKind; digest: string; digests: string; environment: string; project: string; from: string; to: string; asOf: string }

export const emptyForm: ReportForm = { kind: 'environment', digest: '', digests: '', environment: '', project: '', from: '', to: '', asOf: '' }

/** A time from a link (an ISO instant or already an input's value) as a datetime-local input shows it, in UTC. */
function inputTime(text: string | null): string {
  if (text === null) return ''
  if (!/Z$|[+-]\d\d:\d\d$/.test(text.trim())) return text
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? text : new Date(ms).toISOString().slice(0, 19)
}

/** A pre-filled form from the page's address (`?kind=artifact&digest=…`), so other screens can link to "report on this". */
export function formFromSearch(search: URLSearchParams): ReportForm {
  const kind = search.get('kind')
  return {
    kind: kind === 'artifact' || kind === 'release' || kind === 'environment' || kind === 'project' ? kind : emptyForm.kind,
    digest: search.get('digest') ?? '',
    digests: search.get('digests') ?? '',
    environment: search.get('environment') ?? '',
    project: search.get('project') ?? '',
    from: inputTime(search.get('from')),
    to: inputTime(search.get('to')),
    asOf: inputTime(search.get('asOf')),
  }
}

/** The field names the form shows errors beside. */
export type FormField = 'digest' | 'digests' | 'environment' | 'project' | 'from' | 'to' | 'asOf'

/** A time typed as UTC (a datetime-local input's value, or an ISO instant from a link); undefined when unreadable. */
function utcInstant(text: string): string | undefined {
  const trimmed = text.trim()
  const ms = Date.parse(`${trimmed}${/Z$|[+-]\d\d:\d\d$/.test(trimmed) ? '' : 'Z'}`)
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString()
}

/**
 * The form read as a request, or what is wrong and in which field. `asOf` is typed as UTC (`YYYY-MM-DDTHH:MM`,
 * a datetime-local input's value); empty means now.
 */
export function requestFromForm(form: ReportForm): { ok: true; request: ReportRequest } | { ok: false; field: FormField; message: string } {
  let asOf: string | undefined
  if (form.asOf.trim() !== '') {
    asOf = utcInstant(form.asOf)
    if (asOf === undefined) return { ok: false, field: 'asOf', message: 'Give the time as a date and time (UTC), or leave it empty for now.' }
  }
  if (form.kind === 'project') {
    if (form.project.trim() === '') return { ok: false, field: 'project', message: 'Choose a project.' }
    const from = utcInstant(form.from)
    if (from === undefined) return { ok: false, field: 'from', message: 'Give the start of the range as a date and time (UTC).' }
    const to = utcInstant(form.to)
    if (to === undefined) return { ok: false, field: 'to', message: 'Give the end of the range as a date and time (UTC).' }
    if (Date.parse(to) <= Date.parse(from)) return { ok: false, field: 'to', message: 'The range ends after it starts: give an end later than the start.' }
    const scope = { kind: 'project' as const, project: form.project.trim(), from, to }
    const parsed = ReportRequest.safeParse(asOf === undefined ? { scope } : { scope, asOf })
    return parsed.success ? { ok: true, request: parsed.data } : { ok: false, field: 'project', message: parsed.error.issues[0]?.message ?? 'This is not a project a report can have.' }
  }
  const scope =
    form.kind === 'artifact'
      ? { kind: 'artifact' as const, digest: form.digest.trim().toLowerCase() }
      : form.kind === 'release'
        ? { kind: 'release' as const, digests: form.digests.split(/[\s,]+/).filter((digest) => digest !== '').map((digest) => digest.toLowerCase()) }
        : { kind: 'environment' as const, environment: form.environment.trim() }
  if (scope.kind === 'environment' && scope.environment === '') return { ok: false, field: 'environment', message: 'Choose an environment.' }
  if (scope.kind === 'release' && scope.digests.length === 0) return { ok: false, field: 'digests', message: 'List at least one digest, one a line.' }
  const parsed = ReportRequest.safeParse(asOf === undefined ? { scope } : { scope, asOf })
  if (parsed.success) return { ok: true, request: parsed.data }
  const issue = parsed.error.issues[0]
  const field: FormField = scope.kind === 'artifact' ? 'digest' : scope.kind === 'release' ? 'digests' : 'environment'
  if (scope.kind === 'release' && issue?.path[2] !== undefined) {
    const index = Number(issue.path[2])
    return { ok: false, field, message: `Digest ${index + 1} (${scope.digests[index] ?? ''}) is not sha256: followed by 64 hex characters.` }
  }
  if (scope.kind === 'release' && issue?.code === 'too_big') return { ok: false, field, message: 'A release is at most 500 digests.' }
  if (scope.kind === 'artifact') return { ok: false, field, message: 'A digest is sha256: followed by 64 hex characters.' }
  return { ok: false, field, message: issue?.message ?? 'This is not a scope a report can have.' }
}

/** One row of the preview's per-artifact table, in words. */
export function artifactRow(row: ReportPreviewRow) {
  return {
    digest: row.digest,
    name: row.name ?? 'unnamed',
    provenance: row.provenance === 'verified' ? 'Verified' : row.provenance === 'unverified' ? 'Did not verify' : 'None',
    source: row.sourceRepo === null ? 'not recorded' : `${row.sourceRepo}${row.sourceCommit === null ? '' : ` @ ${row.sourceCommit.slice(0, 12)}`}`,
    builder: row.builderId ?? 'not recorded',
    attestations: `${row.attestations.verified} of ${row.attestations.total} verified`,
    rebuilds: row.rebuilds.rebuilders === 0 ? 'not rebuilt' : `${row.rebuilds.matched} of ${row.rebuilds.rebuilders} matched`,
    deployments: row.deployments,
    alerts: `${row.alerts.open} open, ${row.alerts.waived} waived`,
  }
}
