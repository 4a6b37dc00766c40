import type { Subject, Verification } from '../../src/contract/common'
import type { Policy } from '../../src/contract/policy'
import type { CertificateFacts } from '../policy/policy'
import type { TrustedKey } from './keys'
import type { DocumentExtras, DocumentOrigin, LogEvidence, LoggedEntry, LogPair } from '../documents/records'
import type { SigstoreTrust } from './sigstore/trust-material'
import type { Statement } from './statement'

export type IngestContext = {
  keys: readonly TrustedKey[]
  now: () => number
  /** Per-project policies; the one matching a build's source repository adds its checks. */
  policies?: readonly Policy[]
  /** Trust material for Sigstore bundles; without it, certificate-signed documents are unverifiable. */
  sigstore?: SigstoreTrust
  /** Rekor entries stored apart from the document that record its signature: its log evidence when it carries none. */
  logEvidence?: readonly LogEvidence[]
  /** The body was pulled by a source: each document is recorded as that source's in the transaction storing it. */
  origin?: DocumentOrigin
}

/** What reading one document found, whatever its format. */
export type Reading = {
  /** Stable format name, stored with the document: `dsse`, `sigstore-bundle`, `in-toto-statement`, … */
  format: string
  payloadType: string | null
  verification: Verification
  /** The in-toto Statement the document carries, when it carries one; SLSA provenance in it makes a build. */
  statement: Statement | null
  /** SBOM, VSA, link and rebuild facts the document carries, stored beside it. */
  extras?: DocumentExtras
  /** What the document is about when it carries no Statement: a message signature's digest. */
  subjects?: Subject[]
  /** The signing certificate's identity, for documents signed with a Sigstore certificate. */
  certificate?: CertificateFacts | null
  /** The keys a transparency-log entry recording this document's signature would carry (log-evidence.ts). */
  logKeys?: LogPair[]
  /** A Rekor entry response's entries, matched against stored documents by their keys. */
  logEntries?: LoggedEntry[]
}

/**
 * One accepted document format. Formats are told apart by content, not by content type, because CI jobs and
 * registries label what they upload loosely. `detect` must be cheap and must not throw; `read` throws only
 * IngestError.
 */
export type FormatHandler = {
  name: string
  /** How an error names the format a document looked like: "a DSSE envelope". */
  label: string
  detect(value: Record<string, unknown>): boolean
  read(value: Record<string, unknown>, context: IngestContext): Reading
}
