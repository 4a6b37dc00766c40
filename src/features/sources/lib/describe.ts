import type { Source, SourceError, SyncRun } from '../../../contract/sources'
import { formatCount } from '../../../lib/format'

/*
 * How the sources screen says things: pure, so the words are tested without rendering.
 */

export const kindLabel = (kind: Source['kind']): string => ({ oci: 'OCI registry', npm: 'npm registry', github: 'GitHub' })[kind]

/** "HTTP 404", or what happened when nothing answered. */
export function errorStatus(error: Pick<SourceError, 'status'>): string {
  return error.status === null ? 'no answer' : `HTTP ${error.status}`
}

const stateWords: Record<SyncRun['state'], string> = {
  running: 'Syncing',
  succeeded: 'Succeeded',
  partial: 'Finished with errors',
  failed: 'Failed',
  interrupted: 'Interrupted',
}

export const runStateLabel = (state: SyncRun['state']): string => stateWords[state]

/** One line about a run: "12 of 40 items · 5 documents found, 3 new · 7 unchanged". */
export function runSummary(run: SyncRun): string {
  const parts = [
    run.total > 0 ? `${run.done} of ${run.total} items` : run.state === 'running' ? 'listing' : 'nothing to read',
    `${run.documentsFound} ${run.documentsFound === 1 ? 'document' : 'documents'} found, ${run.documentsIngested} new`,
  ]
  // Only a source with a change feed records the mode: a feed-driven run says how many events it read.
  if (run.mode === 'changes') parts.push(`read ${plural(run.changeEvents ?? 0, 'change event')}`)
  if (run.mode === 'full') parts.push('full check')
  if (run.telemetryRuns > 0) parts.push(`${run.telemetryRuns} CI ${run.telemetryRuns === 1 ? 'run' : 'runs'} read`)
  if (run.unchanged > 0) parts.push(`${run.unchanged} unchanged since the last sync`)
  if (run.errors.length > 0) parts.push(`${run.errors.length} ${run.errors.length === 1 ? 'error' : 'errors'}`)
  return parts.join(' · ')
}

/** The interval in words: "every hour", "every 15 minutes". */
export function intervalLabel(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? 'every day' : `every ${seconds / 86_400} days`
  if (seconds % 3600 === 0) return seconds === 3600 ? 'every hour' : `every ${seconds / 3600} hours`
  if (seconds % 60 === 0) return seconds === 60 ? 'every minute' : `every ${seconds / 60} minutes`
  return `every ${seconds} seconds`
}

const plural = (count: number, noun: string): string => `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`

/** The change feed's backlog: "3 events wait for the next sync", "none waiting". */
export function pendingLabel(pending: number): string {
  return pending === 0 ? 'none waiting' : `${plural(pending, 'event')} ${pending === 1 ? 'waits' : 'wait'} for the next sync`
}
