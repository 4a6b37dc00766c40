import { queryOptions } from '@tanstack/react-query'
import { getJson, patchJson } from '../../api/client'
import { AlertDetail, AlertPage, type AlertPatch } from '../../contract/alerts'
import type { AlertFilter } from './lib/alerts-search'

export const alertQueries = {
  all: () => ['alerts'] as const,
  lists: () => [...alertQueries.all(), 'list'] as const,
  /** The queue for a filter: up to 500 alerts (one per cause), with the counts per state. */
  list: (filter: AlertFilter) =>
    queryOptions({
      queryKey: [...alertQueries.lists(), filter] as const,
      queryFn: ({ signal }) => getJson('/api/v1/alerts', { query: filter, schema: AlertPage, signal }),
    }),
  detail: (id: string) =>
    queryOptions({
      queryKey: [...alertQueries.all(), 'detail', id] as const,
      queryFn: ({ signal }) => getJson(`/api/v1/alerts/${encodeURIComponent(id)}`, { schema: AlertDetail, signal }),
    }),
}

/** One triage change; the token is the triage token, never the read token. */
export function triageAlert(id: string, patch: AlertPatch, token: string | null): Promise<AlertDetail> {
  return patchJson(`/api/v1/alerts/${encodeURIComponent(id)}`, { body: patch, schema: AlertDetail, token })
}
