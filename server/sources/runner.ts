import { randomUUID } from 'node:crypto'
import { Source, type ChangeFeedStatus, type SourceEventsAccepted, type SyncRun } from '../../src/contract/sources'
import type { Config } from '../config'
import { instant } from '../store/db'
import type { Store } from '../store/types'
import { coverage, type SourceConfig } from './config'
import { syncGithub } from './github/sync'
import { syncNpm } from './npm/sync'
import { syncOci } from './oci/sync'
import { feedKeys, feedMode, numberOrNull } from './change-feed'
import { triageEvents, type EventEnvelope, type FeedEvent } from './oci/events'
import { adviceFor, finishedState, nextSyncDelayMs } from './schedule'
import type { SourceStateRecord } from './store'
import { SyncReport, type SyncContext } from './sync'

/** The coordination job of a source's syncs (server/coordination): one server syncs a source at a time. */
export const syncJob = (name: string) => `source-sync:${name}`

export type Connector = (context: SyncContext) => Promise<unknown>

/** The connector for each kind; the narrowing is by the discriminant, so each gets its own config type. */
export const connectors: Connector = (context) => {
  const { source } = context
  switch (source.kind) {
    case 'oci':
      return syncOci({ ...context, source })
    case 'npm':
      return syncNpm({ ...context, source })
    case 'github':
      return syncGithub({ ...context, source })
  }
}

export type SourceRunnerOptions = {
  store: Store
  config: Config
  now?: () => number
  env?: (name: string) => string | undefined
  connector?: Connector
}

type Live = { run: SyncRun; report: SyncReport; done: Promise<void> }

/** What a sync of a source with a change feed reads: all of it, or the events up to `upToSeq`. */
type FeedPlan = { mode: 'full' | 'changes'; upToSeq: number; events: FeedEvent[] | null }

/** The wait after start before an overdue source's sync. */
const START_DELAY_MS = 15_000

/** How often a running sync's progress is written to the store (the API reads the live run in between). */
const SAVE_EVERY_MS = 1000

/**
 * Runs the configured sources: on demand (one sync a source at a time), and on a schedule once `start` is
 * called (server/main.ts does). Progress is kept in memory while a sync runs and saved to the store, so a
 * restarted server knows what the last run did, and that a run it finds still "running" was interrupted.
 */
export class SourceRunner {
  private readonly live = new Map<string, Live>()
  private readonly timers = new Map<string, NodeJS.Timeout>()
  private readonly abort = new AbortController()
  private readonly now: () => number
  private readonly env: (name: string) => string | undefined
  private readonly connector: Connector
  private scheduling = false
  private readonly storedListeners: (() => Promise<unknown>)[] = []

  constructor(private readonly options: SourceRunnerOptions) {
    this.now = options.now ?? Date.now
    this.env = options.env ?? ((name) => process.env[name])
    this.connector = options.connector ?? connectors
  }

  get sources(): readonly SourceConfig[] {
    return this.options.config.sources ?? []
  }

  find(name: string): SourceConfig | undefined {
    return this.sources.find((source) => source.name === name)
  }

  /** Marks runs a stopped server left "running" as interrupted, then schedules every source. */
  async start(): Promise<void> {
    await this.recoverInterrupted()
    this.scheduling = true
    for (const source of this.sources) {
      const state = await this.options.store.sources.state(source.name)
      // A source never synced, or overdue while the server was down (or killed mid-sync), syncs soon after start;
      // not at once, so a server restarting in a loop does not hammer its registries.
      const at = Math.max(this.now() + START_DELAY_MS, state?.nextSyncAt ?? 0)
      await this.schedule(source, at)
    }
  }

  async stop(): Promise<void> {
    this.scheduling = false
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
    this.abort.abort()
    await Promise.allSettled([...this.live.values()].map((live) => live.done))
  }

  async recoverInterrupted(): Promise<void> {
    for (const state of await this.options.store.sources.states()) {
      const run = state.lastRun
      if (run?.state !== 'running' || this.live.has(state.name)) continue
      // On a shared database the run may be live on another server, which then holds the source's job.
      await this.options.store.coordination.once(syncJob(state.name), () => this.markInterrupted(state.name, state.kind, run))
    }
  }

  private async markInterrupted(name: string, kind: SourceStateRecord['kind'], run: SyncRun): Promise<void> {
    const finishedAt = this.now()
    const interrupted: SyncRun = {
      ...run,
      state: 'interrupted',
      finishedAt: instant(finishedAt),
      phase: 'interrupted: the server stopped during this sync',
      errors: [
        ...run.errors,
        { at: instant(finishedAt), message: 'the server stopped during this sync; the next sync goes on from what was stored (nothing is read twice or lost)', url: null, status: null },
      ],
    }
    await this.options.store.sources.saveRun(name, kind, interrupted, { finishedAt, succeeded: false, nextSyncAt: finishedAt })
  }

  /**
   * A scheduled sync runs on one server of those sharing a database: the one that takes the source's job. The
   * others see, once it is done, that the source is no longer due, and wait for the next time the store names.
   */
  private async scheduledSync(source: SourceConfig): Promise<void> {
    const ran = await this.options.store.coordination.once(syncJob(source.name), async () => {
      const state = await this.options.store.sources.state(source.name)
      if (state?.nextSyncAt != null && state.nextSyncAt > this.now() + 1000) return this.schedule(source, state.nextSyncAt)
      this.syncNow(source.name, 'scheduled')
      await this.settled(source.name)
    })
    // Another server is syncing this source: look again after a while, by when it has recorded the next time.
    if (!ran && this.scheduling) await this.schedule(source, this.now() + START_DELAY_MS)
  }

  private async schedule(source: SourceConfig, at: number): Promise<void> {
    await this.options.store.sources.setNextSync(source.name, source.kind, at)
    if (!this.scheduling) return
    clearTimeout(this.timers.get(source.name))
    const timer = setTimeout(() => {
      this.timers.delete(source.name)
      void this.scheduledSync(source).catch((error: unknown) => console.error(`provenance: source ${source.name}: the scheduled sync could not start:`, error))
    }, Math.max(0, at - this.now()))
    // The schedule alone never keeps the process alive.
    timer.unref()
    this.timers.set(source.name, timer)
  }

  /** Starts a sync (or joins the running one). Undefined when no source has that name. */
  syncNow(name: string, trigger: SyncRun['trigger']): { run: SyncRun; alreadyRunning: boolean } | undefined {
    const source = this.find(name)
    if (source === undefined) return undefined
    const running = this.live.get(name)
    if (running) return { run: this.snapshot(running), alreadyRunning: true }
    const report = new SyncReport(this.now)
    const run: SyncRun = {
      id: randomUUID(),
      state: 'running',
      trigger,
      startedAt: instant(this.now()),
      finishedAt: null,
      phase: 'starting',
      done: 0,
      total: 0,
      documentsFound: 0,
      documentsIngested: 0,
      telemetryRuns: 0,
      unchanged: 0,
      errors: [],
    }
    const live: Live = { run, report, done: Promise.resolve() }
    this.live.set(name, live)
    live.done = this.execute(source, live).finally(() => this.live.delete(name))
    return { run: this.snapshot(live), alreadyRunning: false }
  }

  /** Waits for the running sync of a source, if any (tests and the bench). */
  async settled(name: string): Promise<void> {
    await this.live.get(name)?.done
  }

  private snapshot(live: Live): SyncRun {
    const { report } = live
    return {
      ...live.run,
      phase: report.phase,
      done: report.done,
      total: Math.max(report.total, report.done),
      documentsFound: report.documentsFound,
      documentsIngested: report.documentsIngested,
      telemetryRuns: report.telemetryRuns,
      unchanged: report.unchanged,
      errors: [...report.errors],
    }
  }

  /** For a source with a change feed: whether this sync reads only the events, and up to which one. */
  private async feedPlan(source: SourceConfig, trigger: SyncRun['trigger']): Promise<FeedPlan | null> {
    if (source.kind !== 'oci' || source.changeFeed === undefined) return null
    const { store } = this.options
    const seen = await store.sources.seen(source.name, [feedKeys.cursor, feedKeys.fullCheckAt])
    const cursor = numberOrNull(seen.get(feedKeys.cursor))
    // Read before the sync starts: an event arriving during it (even about a tag a full check already passed)
    // is read by the next sync.
    const upToSeq = await store.sources.lastEventSeq(source.name)
    const mode = feedMode({ trigger, cursor, lastFullCheckAt: numberOrNull(seen.get(feedKeys.fullCheckAt)), now: this.now(), fullCheckSeconds: source.changeFeed.fullCheckSeconds })
    if (mode === 'full' || cursor === null) return { mode: 'full', upToSeq, events: null }
    return { mode, upToSeq, events: await store.sources.eventsBetween(source.name, cursor, upToSeq) }
  }

  /**
   * After a sync of a source with a change feed: the events it covered are read, and dropped. Only after a sync
   * with no errors: an image that failed is read again by the next sync because its events are still there.
   */
  private async feedDone(source: SourceConfig, plan: FeedPlan, startedAt: number, clean: boolean): Promise<void> {
    if (!clean) return
    const { store } = this.options
    const entries: { key: string; value: string }[] = [{ key: feedKeys.cursor, value: String(plan.upToSeq) }]
    if (plan.mode === 'full') entries.push({ key: feedKeys.fullCheckAt, value: String(startedAt) })
    await store.sources.markSeen(source.name, entries, this.now())
    await store.sources.pruneEvents(source.name, plan.upToSeq)
  }

  /**
   * A delivery of registry events for a source: the ones that can reveal a document are stored (once each, by
   * the registry's event id) and the source's next sync is brought forward to `changeFeed.delaySeconds` from now.
   * Undefined when no source has that name; null when it has no change feed.
   */
  async receiveEvents(name: string, envelope: EventEnvelope): Promise<SourceEventsAccepted | null | undefined> {
    const source = this.find(name)
    if (source === undefined) return undefined
    if (source.kind !== 'oci' || source.changeFeed === undefined) return null
    const { keep, ignored } = triageEvents(envelope, new Set(source.repositories.map((repository) => repository.name)))
    const at = this.now()
    const { stored, duplicates } = await this.options.store.sources.recordEvents(source.name, keep, at)
    await this.options.store.sources.markSeen(source.name, [{ key: feedKeys.lastEventAt, value: String(at) }], at)
    if (stored > 0 && this.scheduling && !this.live.has(name)) {
      const state = await this.options.store.sources.state(name)
      const soon = at + source.changeFeed.delaySeconds * 1000
      if (state?.nextSyncAt == null || state.nextSyncAt > soon) await this.schedule(source, soon)
    }
    return { name, received: envelope.events.length, stored, duplicates, ignored }
  }

  private async feedStatus(source: SourceConfig): Promise<ChangeFeedStatus | null> {
    if (source.kind !== 'oci' || source.changeFeed === undefined) return null
    const seen = await this.options.store.sources.seen(source.name, [feedKeys.cursor, feedKeys.fullCheckAt, feedKeys.lastEventAt])
    const lastEventAt = numberOrNull(seen.get(feedKeys.lastEventAt))
    const fullCheckAt = numberOrNull(seen.get(feedKeys.fullCheckAt))
    return {
      eventsPath: `/api/v1/sources/${source.name}/events`,
      fullCheckSeconds: source.changeFeed.fullCheckSeconds,
      lastEventAt: lastEventAt === null ? null : instant(lastEventAt),
      pendingEvents: await this.options.store.sources.countEventsAfter(source.name, numberOrNull(seen.get(feedKeys.cursor)) ?? 0),
      lastFullCheckAt: fullCheckAt === null ? null : instant(fullCheckAt),
    }
  }

  private async execute(source: SourceConfig, live: Live): Promise<void> {
    const { store, config } = this.options
    const plan = await this.feedPlan(source, live.run.trigger)
    if (plan !== null) live.run = { ...live.run, mode: plan.mode, ...(plan.events === null ? {} : { changeEvents: plan.events.length }) }
    await store.sources.saveRun(source.name, source.kind, this.snapshot(live), null)
    const saver = setInterval(() => {
      void store.sources.saveRun(source.name, source.kind, this.snapshot(live), null).catch(() => undefined)
    }, SAVE_EVERY_MS)
    saver.unref()
    let crashed: unknown = null
    try {
      await this.connector({ source, store, config, now: this.now, report: live.report, env: this.env, signal: this.abort.signal, ...(plan?.events ? { changes: plan.events } : {}) })
    } catch (error) {
      // A connector's own failure (a source-level error) is recorded by the report; anything else is ours.
      try {
        live.report.fail(error)
      } catch {
        crashed = error
      }
    } finally {
      clearInterval(saver)
    }
    const finishedAt = this.now()
    const snapshot = this.snapshot(live)
    if (crashed !== null) {
      console.error(`provenance: source ${source.name}: the sync failed in the server's own code:`, crashed)
      snapshot.errors.push({ at: instant(finishedAt), message: "the sync stopped on an error in this server's own code (the error is in the server's log); it is not a fault of the source", url: null, status: null })
    }
    const stopped = this.abort.signal.aborted
    const state = stopped ? 'interrupted' : crashed !== null ? 'failed' : finishedState(snapshot, live.report.errorCount)
    const succeeded = state === 'succeeded' || state === 'partial'
    const previous = await store.sources.state(source.name)
    const failures = succeeded ? 0 : (previous?.consecutiveFailures ?? 0) + 1
    let nextSyncAt = finishedAt + nextSyncDelayMs(source.intervalSeconds, failures)
    if (plan !== null && source.kind === 'oci' && source.changeFeed !== undefined) {
      await this.feedDone(source, plan, Date.parse(live.run.startedAt), state === 'succeeded')
      // Events that arrived during this sync are read soon, not at the next interval.
      if ((await store.sources.lastEventSeq(source.name)) > plan.upToSeq) nextSyncAt = Math.min(nextSyncAt, finishedAt + source.changeFeed.delaySeconds * 1000)
    }
    const final: SyncRun = { ...snapshot, state, finishedAt: instant(finishedAt), phase: stopped ? 'interrupted: the server is stopping' : `${state}` }
    live.run = final
    await store.sources.saveRun(source.name, source.kind, final, { finishedAt, succeeded, nextSyncAt })
    // No ingest request stored what the sync pulled, so nothing has had the alert rules judge it yet.
    if (!stopped && (live.report.documentsIngested > 0 || live.report.telemetryRuns > 0)) {
      for (const listener of this.storedListeners) {
        await listener().catch((error: unknown) => console.error(`provenance: source ${source.name}: judging what the sync stored failed; the next read of alerts judges it`, error))
      }
    }
    if (!stopped) await this.schedule(source, nextSyncAt)
  }

  /** Called after each sync that stored documents or CI runs (the app has the alert rules judge them). */
  onStored(listener: () => Promise<unknown>): void {
    this.storedListeners.push(listener)
  }

  /** Every configured source with its state, in config order. */
  async list(): Promise<Source[]> {
    const states = new Map((await this.options.store.sources.states()).map((state) => [state.name, state]))
    return Promise.all(this.sources.map(async (source) => this.describe(source, states.get(source.name) ?? null, await this.feedStatus(source))))
  }

  async get(name: string): Promise<Source | undefined> {
    const source = this.find(name)
    if (source === undefined) return undefined
    return this.describe(source, await this.options.store.sources.state(name), await this.feedStatus(source))
  }

  private describe(source: SourceConfig, state: SourceStateRecord | null, changeFeed: ChangeFeedStatus | null): Source {
    const live = this.live.get(source.name)
    const lastRun = live ? this.snapshot(live) : (state?.lastRun ?? null)
    return Source.parse({
      name: source.name,
      kind: source.kind,
      baseUrl: source.url,
      coverage: coverage(source),
      intervalSeconds: source.intervalSeconds,
      lastSyncAt: lastRun ? lastRun.startedAt : null,
      lastSuccessAt: state?.lastSuccessAt == null ? null : instant(state.lastSuccessAt),
      nextSyncAt: live || state?.nextSyncAt == null ? null : instant(state.nextSyncAt),
      consecutiveFailures: state?.consecutiveFailures ?? 0,
      // Counted from the store's record of where documents came from, so a running sync's are included.
      documentsFound: state?.documentsFound ?? 0,
      documentsIngested: state?.documentsIngested ?? 0,
      lastRun,
      advice: adviceFor(source.kind, source.url, state?.lastSuccessAt ?? null, lastRun),
      changeFeed,
    })
  }
}
