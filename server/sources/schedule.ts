import type { SourceError, SourceKind, SyncRun, SyncState } from '../../src/contract/sources'

/*
 * Pure rules of the scheduler: when a source syncs next, what a finished run's state is, and what to tell
 * someone whose source has never synced.
 */

const DAY = 24 * 3600 * 1000

/**
 * After a success, the interval. After failures, a shorter first retry (a quarter of the interval, at least a
 * minute) doubling with each failure in a row, never longer than a day: a blip is retried soon, a registry that
 * stays down is not hammered.
 */
export function nextSyncDelayMs(intervalSeconds: number, consecutiveFailures: number): number {
  const interval = intervalSeconds * 1000
  if (consecutiveFailures <= 0) return interval
  const first = Math.max(60_000, interval / 4)
  return Math.min(DAY, first * 2 ** Math.min(consecutiveFailures - 1, 20))
}

/**
 * A run that found nothing and failed somewhere failed; one that read some items and failed on others is
 * partial; otherwise it succeeded.
 */
export function finishedState(run: Pick<SyncRun, 'documentsFound' | 'telemetryRuns' | 'unchanged' | 'done' | 'total'>, errorCount: number): SyncState {
  if (errorCount === 0) return 'succeeded'
  return run.documentsFound > 0 || run.telemetryRuns > 0 || run.unchanged > 0 ? 'partial' : 'failed'
}

/** What to check, for a source that has never succeeded; null once one sync has. */
export function adviceFor(kind: SourceKind, baseUrl: string, lastSuccessAt: number | null, lastRun: Pick<SyncRun, 'state' | 'errors'> | null): string | null {
  if (lastSuccessAt !== null) return null
  if (lastRun === null) return 'Not synced yet. Press Sync now, or wait for the first scheduled sync.'
  if (lastRun.state === 'running') return null
  const first: SourceError | undefined = lastRun.errors[0]
  const what = kind === 'oci' ? 'registry' : kind === 'npm' ? 'npm registry' : 'GitHub API'
  const credentials = kind === 'oci' ? 'auth.usernameEnv and auth.passwordEnv' : 'auth.tokenEnv'
  if (first === undefined) return `No sync has succeeded yet. The last one was ${lastRun.state}; press Sync now to try again.`
  if (/environment variable/.test(first.message)) return `Set the environment variable the config names (${credentials}) on the server and restart it.`
  if (first.status === null) return `The server could not reach ${baseUrl}. Check the url in the config, that this server can reach it (DNS, proxy, firewall), and that the ${what} is up.`
  if (first.status === 401 || first.status === 403) {
    return `The ${what} refused access. Check the credentials in the environment variables named by ${credentials}, and that they may read everything listed under coverage.`
  }
  if (first.status === 404) return `The ${what} does not know something listed under coverage. Check the names (repository, package) and the url (${baseUrl}).`
  if (first.status === 429) return `The ${what} is rate limiting this server. Give the source credentials (${credentials}) for a larger budget, or raise intervalSeconds.`
  return `The ${what} answered ${first.status}. Check the url (${baseUrl}) and the first error below.`
}
