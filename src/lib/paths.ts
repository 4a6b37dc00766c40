/** Query parameters of the builds list, as they appear in its URL. */
export type BuildsSearchParams = Partial<Record<'project' | 'status' | 'from' | 'to', string>>
/** Query parameters of the signatures list, as they appear in its URL. */
export type SignaturesSearchParams = Partial<Record<'status' | 'project' | 'signer' | 'from' | 'to', string>>
/** Query parameters of the artifacts list. */
export type ArtifactsSearchParams = Partial<Record<'project' | 'name', string>>
/** Query parameters of the alert queue, as they appear in its URL. */
export type AlertsSearchParams = Partial<Record<'state' | 'rule' | 'project' | 'severity' | 'sort' | 'build', string>>
/** Query parameters of the lineage screen (see features/lineage/lib/lineage-search.ts). */
export type LineageSearchParams = Partial<Record<'from' | 'depth' | 'direction' | 'focus' | 'selected' | 'expand' | 'collapsed' | 'more' | 'view', string>>
/** Query parameters of the Reports screen: a scope to pre-fill (kind=artifact&digest=…, kind=project&project=…&from=…&to=…). */
export type ReportsSearchParams = Partial<Record<'kind' | 'digest' | 'digests' | 'environment' | 'project' | 'from' | 'to' | 'asOf', string>>
/** Query parameters of the reproducibility page. */
export type ReproducibilitySearchParams = Partial<Record<'project' | 'range', string>>

/** The element id of a verification check, the target of `#check-<name>` links. */
export function checkAnchor(name: string): string {
  return `check-${name}`
}

/** Every in-app href, built in one place so that a route change is one edit. */
export const paths = {
  home: () => '/',
  builds: (search: BuildsSearchParams = {}) => withQuery('/builds', search),
  /** A build page; `check` links to (and highlights) one verification check. */
  build: (id: string, check?: string) => `/builds/${encodeURIComponent(id)}${check ? `#${checkAnchor(check)}` : ''}`,
  /** The builds list filtered by one commit, the target of every commit cell. */
  buildsByCommit: (commit: string) => withQuery('/builds', { commit }),
  compare: (a: string, b?: string) => withQuery('/builds/compare', { a, b }),
  artifacts: (search: ArtifactsSearchParams = {}) => withQuery('/artifacts', search),
  /** An artifact page; `document` and `check` point at one attestation's check, `rebuild` at one rebuild's verdict. */
  artifact: (digest: string, target: { document?: string; check?: string; rebuild?: string } = {}) =>
    `${withQuery(`/artifacts/${encodeDigest(digest)}`, { document: target.document })}${
      target.check ? `#${checkAnchor(target.check)}` : target.rebuild ? `#rebuild-${target.rebuild}` : ''
    }`,
  /** The lineage graph; `from` (a digest, commit, build id or deployment id) centres it on that node. */
  lineage: (search: LineageSearchParams = {}) => withQuery('/lineage', search),
  reproducibility: (search: ReproducibilitySearchParams = {}) => withQuery('/reproducibility', search),
  signatures: (search: SignaturesSearchParams = {}) => withQuery('/signatures', search),
  search: (q: string) => withQuery('/search', { q }),
  alerts: (search: AlertsSearchParams = {}) => withQuery('/alerts', search),
  alert: (id: string) => `/alerts/${encodeURIComponent(id)}`,
  /** The Reports screen; a scope in the address pre-fills its form ("Report on this"). */
  reports: (search: ReportsSearchParams = {}) => withQuery('/reports', search),
  log: () => '/log',
  sources: () => '/sources',
} as const

/** A digest as a path segment: escaped, but `sha256:…` keeps its colon so that shared links stay readable. */
function encodeDigest(digest: string): string {
  return encodeURIComponent(digest).replace(/%3A/gi, ':')
}

function withQuery(path: string, search: Record<string, string | undefined>): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(search)) {
    if (typeof value === 'string' && value !== '') params.set(key, value)
  }
  const query = params.toString()
  return query ? `${path}?${query}` : path
}
