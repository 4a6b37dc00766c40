import type { Subject, Verification, VerificationStatus } from '../../src/contract/common'
import type { DeploymentInput } from '../../src/contract/deployments'
import type { DiffoscopeSummary } from '../../src/contract/rebuilds'

/*
 * What the format readers in server/ingest produce and the documents store keeps: one document, the build it
 * describes, and the facts of its kind. Plain types, so readers and the store share them without importing
 * each other.
 */

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

/** What an SBOM (CycloneDX or SPDX, bare or as an attestation predicate) says about the artifact it describes. */
export type SbomRecord = {
  standard: 'cyclonedx' | 'spdx'
  specVersion: string
  /** CycloneDX serialNumber, SPDX 2 documentNamespace, SPDX 3 SpdxDocument spdxId. */
  serial: string | null
  /** The component or package the SBOM describes (CycloneDX metadata.component, SPDX DESCRIBES / rootElement). */
  subject: { name: string | null; version: string | null; purl: string | null; digest: Record<string, string> }
  /** The in-toto subjects when the SBOM came as an attestation predicate. */
  statementSubjects: Subject[]
  componentCount: number
  tools: { name: string; version: string | null }[]
  /** CycloneDX 1.5+ `formulation`, kept as written; null when absent. */
  formulation: unknown
  /** When the SBOM says it was made (CycloneDX metadata.timestamp, SPDX created), milliseconds; null when it does not. */
  createdAt?: number | null
}

/** An in-toto Verification Summary Attestation (SLSA VSA v1 or v0.2). */
export type VsaRecord = {
  vsaVersion: 'v1' | 'v0.2'
  verifierId: string
  timeVerified: number | null
  resourceUri: string | null
  /** `{ uri, digest }` as written. */
  policy: unknown
  verificationResult: 'PASSED' | 'FAILED'
  /** v1 verifiedLevels; v0.2's single policyLevel. */
  verifiedLevels: string[]
  inputAttestations: { uri: string | null; digest: Record<string, string> }[]
  subjects: Subject[]
}

/** An in-toto test result (https://in-toto.io/attestation/test-result/v0.1): one run of a test suite. */
export type TestResultRecord = {
  result: 'PASSED' | 'WARNED' | 'FAILED'
  url: string | null
  /** ResourceDescriptors as written. */
  configuration: Record<string, unknown>[]
  passed: number
  warned: number
  failed: number
  /** The first failed tests' names. */
  failedTests: string[]
  subjects: Subject[]
}

/** An in-toto v0.9 link: one step of a supply chain as its functionary recorded it. */
export type LinkRecord = {
  name: string
  command: string[]
  materials: Record<string, Record<string, string>>
  products: Record<string, Record<string, string>>
  byproducts: unknown
  environment: unknown
  /** The keyids of the link's signatures, in order. */
  keyids: string[]
}

/** One reproducibility verdict: one artifact rebuilt by one rebuilder. */
export type RebuildRecord = {
  rebuilderId: string | null
  /** The artifact that was rebuilt, with the digest it was published with. */
  artifact: { name: string | null; digest: Record<string, string> }
  /** What the rebuild produced. */
  rebuiltDigest: Record<string, string>
  verdict: 'match' | 'mismatch'
  source: 'in-toto-link' | 'rebuild-statement' | 'diffoscope'
  startedAt: number | null
  finishedAt: number | null
  diffoscope: DiffoscopeSummary | null
}

/** Facts a document carries beyond a build, one kind per format; stored beside the document. */
export type DocumentExtras = {
  sbom?: SbomRecord
  vsa?: VsaRecord
  testResult?: TestResultRecord
  link?: LinkRecord
  rebuilds?: RebuildRecord[]
  /** A deployment recorded by a signed deployment attestation (docs/deployment-predicate.md). */
  deployment?: DeploymentInput
}

/** What a transparency-log entry commits to: the digest it logs (hex SHA-256) and the SHA-256 of the signature it logs. */
export type LogPair = { digest: string; signature: string }

/** A Rekor entry read from an entry response: its key (null when it cannot be evidence) and the entry in bundle form. */
export type LoggedEntry = { uuid: string; logIndex: string; key: LogPair | null; tlogEntry: Record<string, unknown> }

/** A stored Rekor entry that records a document's signature: that document's log evidence. */
export type LogEvidence = { entryDocumentId: string; uuid: string; logIndex: string; tlogEntry: Record<string, unknown> }

/** Where a pulled document came from: a source's record of it is written in the transaction that stores it. */
export type DocumentOrigin = { source: string; origin: string; subject: string | null }

export type IngestItem = {
  document: DocumentRecord
  /** Pulled by a source (server/sources): recorded as that source's, with whether this store created it. */
  origin?: DocumentOrigin
  build: BuildRecord | null
  extras?: DocumentExtras
  /** The keys a log entry recording this document's signature would carry. */
  logKeys?: LogPair[]
  /** The entries of a Rekor entry response. */
  logEntries?: LoggedEntry[]
  /** Stored Rekor entries this document was verified with: linked to it when it is stored. */
  logEvidence?: LogEvidence[]
  /**
   * What a document that describes no build is about (a message signature's digest, a cosign payload's image, a
   * Statement's subjects): indexed by digest so the artifact page lists it. A build's subjects are indexed with it.
   */
  subjects?: Subject[]
}

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
