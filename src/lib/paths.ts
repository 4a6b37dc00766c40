/** Query parameters of the builds list, as they appear in its URL. */
export type BuildsSearchParams = Partial<Record<'project' | 'status' | 'from' | 'to', string>>

/** Every in-app href, built in one place so that a route change is one edit. */
export const paths = {
  home: () => '/',
  builds: (search: BuildsSearchParams = {}) => {
    const query = toQueryString(search)
    return query ? `/builds?${query}` : '/builds'
  },
  build: (id: string) => `/builds/${encodeURIComponent(id)}`,
  artifacts: () => '/artifacts',
  lineage: () => '/lineage',
  reproducibility: () => '/reproducibility',
  signatures: () => '/signatures',
  alerts: () => '/alerts',
  reports: () => '/reports',
  log: () => '/log',
} as const

function toQueryString(search: BuildsSearchParams): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(search)) {
    if (typeof value === 'string' && value !== '') params.set(key, value)
  }
  return params.toString()
}
