import { queryOptions } from '@tanstack/react-query'
import { getJson, postJson } from '../../api/client'
import { SourceList, SyncStarted, type SourceList as SourceListType } from '../../contract/sources'

/** While any source is syncing, the list is asked again this often, so progress moves on screen. */
export const PROGRESS_POLL_MS = 1000

export const sourceQueries = {
  all: () => ['sources'] as const,
  list: () =>
    queryOptions({
      queryKey: [...sourceQueries.all(), 'list'] as const,
      queryFn: ({ signal }) => getJson('/api/v1/sources', { schema: SourceList, signal }),
      refetchInterval: (query) => (anyRunning(query.state.data) ? PROGRESS_POLL_MS : false),
    }),
}

export function anyRunning(list: SourceListType | undefined): boolean {
  return list?.items.some((source) => source.lastRun?.state === 'running') ?? false
}

/** Starts a sync; `token` is one with the ingest scope when the stored read token lacks it. */
export function startSync(name: string, token: string | null) {
  return postJson(`/api/v1/sources/${encodeURIComponent(name)}/sync`, { schema: SyncStarted, token })
}
