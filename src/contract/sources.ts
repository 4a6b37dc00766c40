import { z } from 'zod'
import { ApiErrorBody, Instant } from './common'
import { errors, type RouteSpec } from './route-spec'

/**
 * Sources: places the server pulls evidence from on a schedule (OCI registries, the npm registry, GitHub), as
 * configured in `sources:` of the config file. Everything pulled goes through the same ingest path as a push.
 * docs/sources.md lists the fields each connector relies on.
 */

export const sourceKinds = ['oci', 'npm', 'github'] as const
export const SourceKind = z.enum(sourceKinds)
export type SourceKind = z.infer<typeof SourceKind>

/** A source name as configured: lower-case letters, digits and dashes, so it can sit in a URL path. */
export const SourceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a source name is 1–63 lower-case letters, digits or dashes, starting with a letter or digit')

export const SourceError = z.object({
  /** When the request failed. */
  at: Instant,
  /** What failed, in words: `the registry answered 401 Unauthorized to the token request`. */
  message: z.string(),
  /** The URL that failed, when a request failed (credentials never appear in it). */
  url: z.string().nullable(),
  /** The HTTP status, or null when no answer came (connection refused, timeout, unreadable body). */
  status: z.number().int().nullable(),
})
export type SourceError = z.infer<typeof SourceError>

export const syncStates = ['running', 'succeeded', 'partial', 'failed', 'interrupted'] as const
export const SyncState = z.enum(syncStates).meta({
  description:
    'running; succeeded: every item read; partial: finished, but some items failed (listed in errors); failed: the sync stopped on an error; ' +
    'interrupted: the server stopped during the sync (the next sync resumes where it left off)',
})
export type SyncState = z.infer<typeof SyncState>

/** One sync of a source, running or finished. */
export const SyncRun = z.object({
  id: z.string(),
  state: SyncState,
  /** `scheduled` or `on-demand`. */
  trigger: z.enum(['scheduled', 'on-demand']),
  startedAt: Instant,
  finishedAt: Instant.nullable(),
  /** What it is doing now, in words (`reading referrers of acme/web@sha256:ab…`). */
  phase: z.string(),
  /** Items (images, package versions, digests, runs) done and known so far; total grows while listing. */
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** Documents found at the source in this sync, and how many of them were new to the store. */
  documentsFound: z.number().int().nonnegative(),
  documentsIngested: z.number().int().nonnegative(),
  /** CI runs (GitHub Actions) read and stored as telemetry. */
  telemetryRuns: z.number().int().nonnegative(),
  /** Items skipped because nothing changed since the last sync. */
  unchanged: z.number().int().nonnegative(),
  errors: z.array(SourceError),
  /**
   * `full`: everything the source covers was checked. `changes`: a scheduled sync of a source with a change feed,
   * which looked only at what the registry's events since the last sync named. Absent in runs stored before.
   */
  mode: z.enum(['full', 'changes']).optional(),
  /** For `changes`: how many change-feed events it read. */
  changeEvents: z.number().int().nonnegative().optional(),
})
export type SyncRun = z.infer<typeof SyncRun>

/** A source's change feed (registry notifications), when configured. */
export const ChangeFeedStatus = z.object({
  /** Where the registry sends its notifications (path on this server), with a token holding the ingest scope. */
  eventsPath: z.string(),
  /** A full check runs at least this often, to catch events the registry dropped. */
  fullCheckSeconds: z.number().int().positive(),
  /** When the newest event arrived; null: none yet (the feed is not live). */
  lastEventAt: Instant.nullable(),
  /** Events received and not yet read by a sync. */
  pendingEvents: z.number().int().nonnegative(),
  lastFullCheckAt: Instant.nullable(),
})
export type ChangeFeedStatus = z.infer<typeof ChangeFeedStatus>

export const Source = z.object({
  name: SourceName,
  kind: SourceKind,
  /** Where it pulls from (the base URL, without credentials). */
  baseUrl: z.string(),
  /** What it covers, one line each: `acme/web (all tags)`, `sigstore@^2`, `acme/web: attestations, runs of 30 days`. */
  coverage: z.array(z.string()),
  intervalSeconds: z.number().int().positive(),
  lastSyncAt: Instant.nullable(),
  lastSuccessAt: Instant.nullable(),
  /** When the scheduler will sync next. Null when not scheduled (the scheduler runs only in the server process). */
  nextSyncAt: Instant.nullable(),
  /** Failed syncs in a row. After a failure the next try comes after a quarter of the interval (at least a minute), doubling with each failure, up to a day. */
  consecutiveFailures: z.number().int().nonnegative(),
  /** Distinct documents this source has found, and how many of them it stored first (they were new to the store). */
  documentsFound: z.number().int().nonnegative(),
  documentsIngested: z.number().int().nonnegative(),
  /** The newest sync, running or finished; null before the first. */
  lastRun: SyncRun.nullable(),
  /** For a source that has never succeeded: what to check, in words. Null once a sync succeeded. */
  advice: z.string().nullable(),
  /** The change feed, for a source with `changeFeed` configured; null (or absent) otherwise. */
  changeFeed: ChangeFeedStatus.nullable().optional(),
})
export type Source = z.infer<typeof Source>

export const SourceList = z.object({ items: z.array(Source) })
export type SourceList = z.infer<typeof SourceList>

export const SyncStarted = z.object({
  name: SourceName,
  /** The run started, or the one already running (a source syncs once at a time). */
  run: SyncRun,
  /** True when a sync was already running and this request joined it. */
  alreadyRunning: z.boolean(),
  /** Poll this for progress. */
  progressUrl: z.string(),
})
export type SyncStarted = z.infer<typeof SyncStarted>

/** What the change-feed receiver did with a delivery of registry events. */
export const SourceEventsAccepted = z.object({
  name: SourceName,
  /** Events in the delivery. */
  received: z.number().int().nonnegative(),
  /** Stored for the next sync: manifest pushes in a repository the source covers. */
  stored: z.number().int().nonnegative(),
  /** Already stored (the registry retried a delivery). */
  duplicates: z.number().int().nonnegative(),
  /** Pulls, blob uploads, deletions and repositories the source does not cover. */
  ignored: z.number().int().nonnegative(),
})
export type SourceEventsAccepted = z.infer<typeof SourceEventsAccepted>

const SourceParams = z.object({ name: SourceName })

/** The sources routes, declared once: mounted by the server, published as OpenAPI. */
export const sourceRoutes = {
  listSources: {
    method: 'get',
    path: '/api/v1/sources',
    summary: 'Every configured source: kind, coverage, last and next sync, documents found and stored, errors',
    scope: 'read',
    responses: { 200: { description: 'The configured sources, in config order', schema: SourceList }, ...errors },
  },
  getSource: {
    method: 'get',
    path: '/api/v1/sources/{name}',
    summary: 'One source and the progress of its newest sync',
    scope: 'read',
    params: SourceParams,
    paramError: { code: 'invalid-source-name' },
    responses: {
      200: { description: 'The source', schema: Source },
      ...errors,
      404: { description: 'No source of that name is configured', schema: ApiErrorBody },
    },
  },
  syncSource: {
    method: 'post',
    path: '/api/v1/sources/{name}/sync',
    summary: 'Start a sync of one source now; answers at once with the run to poll',
    scope: 'ingest',
    params: SourceParams,
    paramError: { code: 'invalid-source-name' },
    responses: {
      202: { description: 'Sync started (or already running); poll progressUrl', schema: SyncStarted },
      ...errors,
      404: { description: 'No source of that name is configured', schema: ApiErrorBody },
    },
  },
  receiveSourceEvents: {
    method: 'post',
    path: '/api/v1/sources/{name}/events',
    summary: "A registry's change feed: receives its notifications (Distribution's notifications endpoints) for a source with changeFeed",
    scope: 'ingest',
    params: SourceParams,
    paramError: { code: 'invalid-source-name' },
    body: {
      contentTypes: ['application/vnd.docker.distribution.events.v1+json', 'application/json'],
      description:
        'The registry\'s event envelope: { events: [{ id, action, target: { repository, mediaType?, digest?, tag? } }] } (other fields are ignored). Stored before the answer; the next sync reads them.',
    },
    responses: {
      202: { description: 'Stored for the next sync (or ignored: pulls, blobs, other repositories)', schema: SourceEventsAccepted },
      ...errors,
      404: { description: 'No source of that name is configured', schema: ApiErrorBody },
      409: { description: 'The source has no changeFeed configured', schema: ApiErrorBody },
      413: { description: 'The body is larger than limits.maxBodyBytes', schema: ApiErrorBody },
      415: { description: 'The body is not JSON (Content-Type)', schema: ApiErrorBody },
    },
  },
} as const satisfies Record<string, RouteSpec>
