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
  /** Who signed, from the verification (migration 0006); see signer.ts. */
  signer: string | null
  /** The project of the document's build or rebuild verdicts (migration 0006); null for other documents. */
  project: string | null
  /** When it was signed or its build ran, from the stored facts (migration 0007; domain/signing-time.ts). */
  signed_at: number | null
  /** `signed_at`, else `ingested_at`: what the signatures list orders and filters by (migration 0007). */
  time: Generated<number>
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
  /** The build's time (migration 0006), so the newest artifact of a name is an index seek. */
  time: number | null
}

/** What an SBOM describes (migration 0003). JSON columns are text. */
export type SbomsTable = {
  document_id: string
  standard: string
  spec_version: string
  serial: string | null
  subject_name: string | null
  subject_version: string | null
  subject_purl: string | null
  /** JSON digest set of the described component. */
  subject_digest: string
  /** JSON array of the in-toto subjects when the SBOM was an attestation predicate. */
  statement_subjects: string
  component_count: number
  /** JSON array of { name, version }. */
  tools: string
  /** JSON, CycloneDX 1.5+ formulation; NULL when absent. */
  formulation: string | null
  ingested_at: number
  /** SHA-256 of the SBOM file when it was posted bare (migration 0009); a build listing it wrote the SBOM. */
  file_sha256: string | null
  /** When the SBOM says it was made (migration 0009); null when it does not, or it was stored before 0009. */
  created_at: number | null
}

/** Every digest an SBOM is about, one row each, for lookup by artifact digest. */
export type SbomDigestsTable = {
  document_id: string
  digest_algorithm: string
  digest_value: string
  /** Null when the SBOM names the digest itself; else the build that wrote both the SBOM file and it (migration 0009). */
  build_id: string | null
}

export type VsasTable = {
  document_id: string
  vsa_version: string
  verifier_id: string
  time_verified: number | null
  resource_uri: string | null
  policy: string | null
  verification_result: string
  verified_levels: string
  input_attestations: string
  subjects: string
}

/**
 * One row per subject digest of a VSA or test result (migration 0020), or of any other document that describes no
 * build (kind `document`), for lookup by artifact digest.
 */
export type AttestationSubjectsTable = {
  document_id: string
  kind: 'vsa' | 'test-result' | 'document'
  digest_algorithm: string
  digest_value: string
}

/** The facts of an in-toto test-result attestation (migration 0020). */
export type TestResultsTable = {
  document_id: string
  result: string
  url: string | null
  /** JSON array of ResourceDescriptors as written. */
  configuration: string
  passed_count: number
  warned_count: number
  failed_count: number
  /** JSON array of the first failed tests' names. */
  failed_tests: string
  /** JSON array of the in-toto subjects. */
  subjects: string
}

export type LinksTable = {
  document_id: string
  name: string
  command: string
  materials: string
  products: string
  byproducts: string | null
  environment: string | null
  keyids: string
}

/** One reproducibility verdict per (document, position). */
export type RebuildsTable = {
  id: string
  document_id: string
  position: number
  rebuilder_id: string | null
  project: string
  artifact_name: string | null
  artifact_algorithm: string | null
  artifact_digest: string | null
  artifact_digests: string
  rebuilt_digests: string
  verdict: string
  source: string
  status: string
  started_at: number | null
  finished_at: number | null
  ingested_at: number
  time: number
  diffoscope: string | null
}

/** Rebuild verdicts per (project, stored verdict), with the newest one's time (migration 0029, kept by a trigger). */
export type RebuildVerdictTotalsTable = { project: string; verdict: string; count: number; last: number }

/** Rebuild verdicts per (project, UTC day start, stored verdict) (migration 0029, kept by a trigger). */
export type RebuildVerdictDaysTable = { project: string; day: number; verdict: string; count: number }

/** Builds per project, the newest one's time and the greatest repository (migration 0033, kept by a trigger). */
export type ProjectTotalsTable = { project: string; builds: number; last_time: number; source_repo: string | null }

/** Documents per (project, signer, status), '' for none (migration 0006); kept by ingest and re-verification. */
export type SignatureCountsTable = {
  project: string
  signer: string
  status: string
  count: number
}

export type Database = {
  documents: DocumentsTable
  builds: BuildsTable
  subjects: SubjectsTable
  log_state: LogStateTable
  verification_history: VerificationHistoryTable
  settings: SettingsTable
  checkpoints: CheckpointsTable
  sboms: SbomsTable
  sbom_digests: SbomDigestsTable
  vsas: VsasTable
  attestation_subjects: AttestationSubjectsTable
  test_results: TestResultsTable
  links: LinksTable
  rebuilds: RebuildsTable
  signature_counts: SignatureCountsTable
  rebuild_verdict_totals: RebuildVerdictTotalsTable
  rebuild_verdict_days: RebuildVerdictDaysTable
  project_totals: ProjectTotalsTable
  deployments: DeploymentsTable
  deployment_artifacts: DeploymentArtifactsTable
  gate_decisions: GateDecisionsTable
  gate_decision_artifacts: GateDecisionArtifactsTable
  source_state: SourceStateTable
  source_seen: SourceSeenTable
  source_documents: SourceDocumentsTable
  source_events: SourceEventsTable
  log_entries: LogEntriesTable
  document_log_keys: DocumentLogKeysTable
  log_entry_links: LogEntryLinksTable
}


/** A verdict a re-verification replaced, kept so the record shows what a document was judged before. */
export type VerificationHistoryTable = {
  document_id: string
  replaced_at: number
  verification: string
}

export type SettingsTable = {
  key: string
  value: string
}

/** Sync state of one configured source (migration 0013); `last_run` is the newest run as JSON. */
export type SourceStateTable = {
  name: string
  kind: string
  last_sync_at: number | null
  last_success_at: number | null
  next_sync_at: number | null
  consecutive_failures: number
  last_run: string | null
}

/** What a source has already read: the cursor of its incremental sync (migration 0013). */
export type SourceSeenTable = {
  source: string
  key: string
  value: string
  seen_at: number
}

/** A registry notification a source received, until a sync has read it (migration 0039). */
export type SourceEventsTable = {
  seq: Generated<number>
  source: string
  event_id: string
  action: string
  repository: string
  tag: string | null
  digest: string | null
  media_type: string | null
  received_at: number
}

/** Which source a stored document came from, where, and the subject it was found under (migration 0013). */
export type SourceDocumentsTable = {
  source: string
  document_id: string
  origin: string
  subject: string | null
  /** 1 when this source's pull stored the document first, else 0. */
  created: number
  first_seen_at: number
}

/** One deployment (migration 0010): posted as JSON, or recorded by a signed deployment attestation (`document_id`). */
export type DeploymentsTable = {
  id: string
  environment: string
  cluster: string | null
  namespace: string | null
  region: string | null
  service: string
  project: string | null
  deployed_at: number
  system_name: string
  run_url: string | null
  replaces: string | null
  /** `api` or `attestation`. */
  recorded_by: string
  document_id: string | null
  ingested_at: number
  /** The deployment's input as canonical JSON, what its id is the hash of. */
  input: string
}

/** One deployed digest (sha256 hex) of a deployment, with its time and environment copied for index ranges. */
export type DeploymentArtifactsTable = {
  deployment_id: string
  position: number
  digest_value: string
  name: string | null
  environment: string
  deployed_at: number
}

/** Each entry of a stored Rekor entry response (migration 0017); digest and signature null when it is no evidence. */
export type LogEntriesTable = {
  document_id: string
  uuid: string
  log_index: string
  digest: string | null
  signature_sha256: string | null
  /** The entry in a Sigstore bundle's `tlogEntries[]` form, JSON. */
  tlog_entry: string
}

/** The (digest, signature) pairs a log entry recording a stored bundle would carry (migration 0017). */
export type DocumentLogKeysTable = {
  document_id: string
  digest: string
  signature_sha256: string
}

/** Each link made between a Rekor entry and the document it records, and when (migration 0017). */
export type LogEntryLinksTable = {
  entry_document_id: string
  uuid: string
  document_id: string
  linked_at: number
}

/** One answered gate request (migration 0014); `artifacts` is the JSON of every artifact's decision and reasons. */
export type GateDecisionsTable = {
  id: string
  decided_at: number
  asked_by: string
  policy: string
  environment: string | null
  decision: string
  artifacts: string
}

/** Each artifact (sha256:<hex>) of a gate decision, with its project and the decision's time (migration 0014). */
export type GateDecisionArtifactsTable = {
  decision_id: string
  digest: string
  project: string | null
  decided_at: number
}
