import { queryOptions } from '@tanstack/react-query'
import { getJson, postJson } from '../../api/client'
import { ProjectList } from '../../contract/builds'
import { ReportDetail, ReportJob, ReportPage, type ReportRequest } from '../../contract/reports'

/** While a report is being made, it is asked for again this often, so its progress moves on screen. */
export const PROGRESS_POLL_MS = 1000

export const reportQueries = {
  all: () => ['reports'] as const,
  list: () =>
    queryOptions({
      queryKey: [...reportQueries.all(), 'list'] as const,
      queryFn: ({ signal }) => getJson('/api/v1/reports', { query: { limit: 25 }, schema: ReportPage, signal }),
      refetchInterval: (query) => (query.state.data?.items.some((item) => item.state === 'running') ? PROGRESS_POLL_MS : false),
    }),
  detail: (id: string) =>
    queryOptions({
      queryKey: [...reportQueries.all(), 'detail', id] as const,
      queryFn: ({ signal }) => getJson(`/api/v1/reports/${encodeURIComponent(id)}`, { schema: ReportDetail, signal }),
      refetchInterval: (query) => (query.state.data?.state === 'running' ? PROGRESS_POLL_MS : false),
    }),
  projects: () =>
    queryOptions({
      queryKey: ['projects'] as const,
      queryFn: ({ signal }) => getJson('/api/v1/projects', { schema: ProjectList, signal }),
      staleTime: 60_000,
    }),
}

export function startReport(request: ReportRequest) {
  return postJson('/api/v1/reports', { schema: ReportJob, body: request })
}
