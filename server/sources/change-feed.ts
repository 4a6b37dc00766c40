import type { SyncRun } from '../../src/contract/sources'

/*
 * Pure rules of a source's change feed: whether a sync reads only the events since the last sync or checks
 * everything, and where the feed's bookkeeping lives among the source's cursors (`source_seen`).
 */

export const feedKeys = {
  /** The last event sequence number a successful sync read. */
  cursor: 'feed:cursor',
  /** When the last successful full check started (ms). */
  fullCheckAt: 'feed:full-check-at',
  /** When the newest event arrived (ms). */
  lastEventAt: 'feed:last-event-at',
} as const

export type FeedMode = NonNullable<SyncRun['mode']>

/**
 * A sync reads only the events when it is scheduled and the feed has a cursor and a recent full check. An
 * on-demand sync ("Sync now") is a full check, as is the first sync and one due by `fullCheckSeconds`: events
 * the registry dropped (it keeps undelivered ones in memory only) or sent while nothing listened are caught there.
 */
export function feedMode(input: { trigger: SyncRun['trigger']; cursor: number | null; lastFullCheckAt: number | null; now: number; fullCheckSeconds: number }): FeedMode {
  if (input.trigger !== 'scheduled' || input.cursor === null || input.lastFullCheckAt === null) return 'full'
  return input.now - input.lastFullCheckAt >= input.fullCheckSeconds * 1000 ? 'full' : 'changes'
}

export const numberOrNull = (value: string | undefined): number | null => {
  if (value === undefined) return null
  const number = Number(value)
  return Number.isFinite(number) ? number : null
}
