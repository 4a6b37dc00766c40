import type { BuildDetail, BuildPage, BuildQuery, ProjectList } from '../../src/contract/builds'
import type { Subject, Verification, VerificationStatus } from '../../src/contract/common'

/** A document exactly as received, with what verification found. Append-only: never updated in place. */
export type DocumentRecord = {
  /** SHA-256 (hex) of `raw`; also the document's id, so the same bytes always map to the same record. */
  id: string
  raw: Uint8Array
  /** Detected format, e.g. `dsse`. */
  format: string
  payloadType: string | null
  verification: Verification
  /** Milliseconds since the epoch. */
  ingestedAt: number
}

/** The build a provenance document describes, flattened for listing and filtering. */
export type BuildRecord = {
  /** Equal to the id of the document that describes it. */
  id: string
  documentId: string
  project: string
  sourceRepo: string | null
  sourceCommit: string | null
  builderId: string | null
  buildType: string | null
  invocationId: string | null
  predicateType: string | null
  statementType: string | null
  slsaVersion: 'v0.2' | 'v1' | null
  status: VerificationStatus
  failedCheck: string | null
  /** Milliseconds since the epoch; null when the document does not say. */
  startedAt: number | null
  finishedAt: number | null
  ingestedAt: number
  /** finishedAt ?? startedAt ?? ingestedAt: what lists sort and filter by. */
  time: number
  subjects: Subject[]
  externalParameters: unknown
  internalParameters: unknown
  resolvedDependencies: { uri: string | null; name: string | null; digest: Record<string, string> }[]
  /** The in-toto Statement as signed, pretty-printed. */
  statement: string
}

export type IngestItem = { document: DocumentRecord; build: BuildRecord | null }

export type IngestOutcome = {
  id: string
  /** False when a document with the same id was already stored; nothing was changed then. */
  created: boolean
  /** The stored verification: for an existing document, the one recorded when it was first stored. */
  verification: Verification
  buildId: string | null
}

export type StoredDocument = DocumentRecord & {
  /** Position in the append-only record, starting at 1. */
  seq: number
}

export type StoreKind = 'sqlite' | 'postgres'

/** The latest signed tree head of the document log. */
export type LogCheckpoint = { origin: string; size: number; rootHash: string; note: string; publicKeyPem: string }

export type LogEntry = { index: number; id: string; raw: Uint8Array; seq: number }

export interface Store {
  readonly kind: StoreKind
  /** Stores a batch in one transaction: all of it is durable when the promise resolves, or none of it. */
  ingest(items: IngestItem[]): Promise<IngestOutcome[]>
  getDocument(id: string): Promise<StoredDocument | null>
  listBuilds(query: BuildQuery): Promise<BuildPage>
  getBuild(id: string): Promise<BuildDetail | null>
  listProjects(): Promise<ProjectList>
  countDocuments(): Promise<number>
  /** The log's public key (PEM), for checking checkpoints offline. */
  readonly logPublicKeyPem: string
  logCheckpoint(): Promise<LogCheckpoint>
  listCheckpoints(): Promise<{ size: number; rootHash: string; note: string }[]>
  /** Log entries from `fromIndex` on, in log order. */
  readLogEntries(fromIndex: number, limit: number): Promise<LogEntry[]>
  countUnloggedDocuments(): Promise<number>
  close(): Promise<void>
}
