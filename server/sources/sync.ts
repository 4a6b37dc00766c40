import type { SourceError, SyncRun } from '../../src/contract/sources'
import { ingestContext, type Config } from '../config'
import { ingestBody } from '../ingest/ingest'
import { instant } from '../store/db'
import type { Store } from '../store/types'
import type { SourceConfig } from './config'
import { SourceFetchError } from './http'
import type { FeedEvent } from './oci/events'

/*
 * What every connector is given for one sync, and the one way pulled documents are stored: the same
 * `ingestBody` POST /api/v1/attestations calls, so a pulled document gets exactly the verdict a pushed one would.
 */

export type SyncProgress = Pick<SyncRun, 'phase' | 'done' | 'total' | 'documentsFound' | 'documentsIngested' | 'telemetryRuns' | 'unchanged' | 'errors'>

/** Errors kept per run: enough to show what is wrong, bounded so a registry of broken images cannot grow a row without end. */
const MAX_ERRORS = 50

export class SyncReport implements SyncProgress {
  phase = 'starting'
  done = 0
  total = 0
  documentsFound = 0
  documentsIngested = 0
  telemetryRuns = 0
  unchanged = 0
  errors: SourceError[] = []
  errorCount = 0

  constructor(private readonly now: () => number) {}

  /** Records a failure of one item; the sync goes on with the others. Errors in our own code are rethrown. */
  fail(error: unknown, fallbackUrl: string | null = null): void {
    if (!(error instanceof SourceFetchError) && !(error instanceof PulledDocumentError)) throw error
    this.errorCount++
    if (this.errors.length >= MAX_ERRORS) return
    this.errors.push({
      at: instant(this.now()),
      message: error.message,
      url: error.url ?? fallbackUrl,
      status: error instanceof SourceFetchError ? error.status : null,
    })
  }
}

/** A document found at a source that the ingest path could not read: a fact about the source's content, said with its URL. */
export class PulledDocumentError extends Error {
  override name = 'PulledDocumentError'
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(message)
  }
}

export type SyncContext<S extends SourceConfig = SourceConfig> = {
  source: S
  store: Store
  config: Config
  now: () => number
  report: SyncReport
  /** Reads the environment variable a source names for a secret; undefined when unset. */
  env: (name: string) => string | undefined
  /** Set when the server is stopping: connectors stop between items. */
  signal: AbortSignal
  /**
   * A feed-driven sync (a source with `changeFeed`): the change-feed events since the last sync, and only what
   * they name is looked at. Absent: a full check of everything the source covers.
   */
  changes?: readonly FeedEvent[]
}

/**
 * Stores one pulled document through the ingest path and records where it came from. Returns the stored ids.
 * A document the ingest path rejects is reported as such (with its URL), never as a verdict.
 */
export async function ingestPulled(context: SyncContext, bytes: Buffer, origin: string, subject: string | null): Promise<string[]> {
  const { store, config, now, report, source } = context
  if (bytes.byteLength > config.maxBodyBytes) throw new PulledDocumentError(`the document is ${bytes.byteLength} bytes, more than limits.maxBodyBytes (${config.maxBodyBytes})`, origin)
  // Where each document came from is recorded in the transaction that stores it: a server killed right after the
  // commit must not leave a document this source stored that it never counted as its own.
  const result = await ingestBody(store, bytes, 'application/json', { ...ingestContext(config, now), origin: { source: source.name, origin, subject } })
  if (!result.ok) throw new PulledDocumentError(`the document could not be read (${result.error.code}): ${result.error.message}`, origin)
  const ids = result.body.documents.map((document) => document.id)
  report.documentsFound += ids.length
  report.documentsIngested += result.body.documents.filter((document) => document.created).length
  return ids
}

/** Reads a secret from the environment, or says which variable to set. */
export function secret(context: SyncContext, variable: string, field: string): string {
  const value = context.env(variable)
  if (value === undefined || value === '') {
    throw new SourceFetchError(`the environment variable ${variable} (named by ${field}) is not set on the server`, null, null)
  }
  return value
}
