import type { Generated } from 'kysely'

/*
 * Row types as the database holds them. Column names are snake_case and mapped by hand in store.ts, so
 * the SQL a reader sees in logs and EXPLAIN matches the code. Times are milliseconds since the epoch;
 * JSON is kept as text in both dialects so it round-trips exactly as written.
 */

export type DocumentsTable = {
  /** Position in the append-only record; identity/autoincrement, never reused. */
  seq: Generated<number>
  id: string
  /** better-sqlite3 and pg both hand back a Buffer, which is a Uint8Array. */
  raw: Uint8Array
  /** Byte length of `raw`, kept so build detail does not have to read the blob. */
  size: number
  format: string
  payload_type: string | null
  status: string
  failed_check: string | null
  verification: string
  ingested_at: number
  /** Position in the Merkle log, from 0; assigned in the transaction that stores the document. */
  log_index: number | null
}

/** The log's right edge (one row, id 1): tree size and the roots of its perfect subtrees. */
export type LogStateTable = {
  id: number
  size: number
  compact_range: string
}

/** Every signed tree head, one per ingest transaction. */
export type CheckpointsTable = {
  size: number
  root_hash: string
  note: string
  created_at: number
}

export type BuildsTable = {
  id: string
  document_id: string
  project: string
  source_repo: string | null
  source_commit: string | null
  builder_id: string | null
  build_type: string | null
  invocation_id: string | null
  predicate_type: string | null
  statement_type: string | null
  slsa_version: string | null
  status: string
  failed_check: string | null
  started_at: number | null
  finished_at: number | null
  ingested_at: number
  time: number
  /** JSON text; NULL when the value was undefined (JSON has no spelling for it). */
  external_parameters: string | null
  internal_parameters: string | null
  resolved_dependencies: string
  statement: string
}

/**
 * One row per (subject, digest algorithm), so an artifact can be found by digest value through an index.
 * A subject with an empty digest set keeps one row with NULL algorithm and value, so it is not lost.
 */
export type SubjectsTable = {
  build_id: string
  position: number
  name: string
  digest_algorithm: string | null
  digest_value: string | null
}

export type Database = {
  documents: DocumentsTable
  builds: BuildsTable
  subjects: SubjectsTable
  log_state: LogStateTable
  checkpoints: CheckpointsTable
}

