import type { Kysely } from 'kysely'
import { z } from 'zod'
import { splitDigest } from '../../domain/digests'
import { VerificationStatus } from '../../src/contract/common'
import { instant, parseJson, type Db } from '../store/db'
import type { Database } from '../store/schema'

/*
 * Attestations found by the artifacts they are about (migration 0020): verification summaries (VSAs) and in-toto
 * test results. Ingest writes one `attestation_subjects` row per subject digest; readers ask by digest.
 */

/**
 * `document`: any other document that describes no build (a message signature's digest, a cosign payload's image, a
 * Statement of another kind), written after the facts so a VSA's or test result's own row keeps its kind; the
 * artifact page lists every kind. A build's subjects are in `subjects`.
 */
export type AttestationKind = 'vsa' | 'test-result' | 'document'

export type AttestationSubjectRow = { document_id: string; kind: AttestationKind; digest_algorithm: string; digest_value: string }

const SubjectDigests = z.array(z.object({ digest: z.record(z.string(), z.unknown()) }).catch({ digest: {} })).catch([])

/**
 * The index rows for a document's subjects, one per (algorithm, value), values as artifact pages name them
 * (lower-case, as splitDigest reads a requested digest). Subjects that are not objects with a digest set index nothing.
 */
export function attestationSubjectRows(documentId: string, kind: AttestationKind, subjects: unknown): AttestationSubjectRow[] {
  const seen = new Set<string>()
  const rows: AttestationSubjectRow[] = []
  for (const subject of SubjectDigests.parse(subjects)) {
    for (const [algorithm, value] of Object.entries(subject.digest)) {
      if (typeof value !== 'string' || value === '' || algorithm === '') continue
      const key = `${algorithm.toLowerCase()}:${value.toLowerCase()}`
      if (seen.has(key)) continue
      seen.add(key)
      rows.push({ document_id: documentId, kind, digest_algorithm: algorithm.toLowerCase(), digest_value: value.toLowerCase() })
    }
  }
  return rows
}

/** Writes a newly stored VSA's or test result's subject rows; called inside the ingest transaction. */
export async function indexAttestationSubjects(trx: Kysely<Database>, documentId: string, kind: AttestationKind, subjects: unknown): Promise<void> {
  const rows = attestationSubjectRows(documentId, kind, subjects)
  for (let start = 0; start < rows.length; start += 500) {
    await trx
      .insertInto('attestation_subjects')
      .values(rows.slice(start, start + 500))
      .onConflict((oc) => oc.columns(['document_id', 'digest_algorithm', 'digest_value']).doNothing())
      .execute()
  }
}

/** What a stored VSA says about an artifact, and whether the document itself verified. */
export type VsaFact = {
  documentId: string
  /** The requested digest it names (`algorithm:value`, as asked). */
  digest: string
  vsaVersion: 'v1' | 'v0.2'
  verifierId: string
  verificationResult: 'PASSED' | 'FAILED'
  verifiedLevels: string[]
  /** The predicate's `policy.uri`; null when it names none. */
  policyUri: string | null
  resourceUri: string | null
  timeVerified: string | null
  /** The document's own verification: only a `verified` VSA is a verifier's signed word. */
  status: VerificationStatus
  failedCheck: string | null
  ingestedAt: string
}

/** What a stored in-toto test result says about an artifact, and whether the document itself verified. */
export type TestResultFact = {
  documentId: string
  digest: string
  result: 'PASSED' | 'WARNED' | 'FAILED'
  url: string | null
  passed: number
  warned: number
  failed: number
  /** The first failed tests' names (at most 20). */
  failedTests: string[]
  status: VerificationStatus
  failedCheck: string | null
  ingestedAt: string
}

const Levels = z.array(z.string()).catch([])
const PolicyUri = z.object({ uri: z.string() }).transform((policy) => policy.uri).nullable().catch(null)
const Names = z.array(z.string()).catch([])
const VsaVersion = z.enum(['v1', 'v0.2'])
const VsaResult = z.enum(['PASSED', 'FAILED'])
const TestResult = z.enum(['PASSED', 'WARNED', 'FAILED'])
const Status = VerificationStatus

/** Requested digests by the lower-case value they are indexed under, each with its algorithm as asked. */
function requested(digests: readonly string[]): Map<string, { algorithm: string | null; asked: string }[]> {
  const byValue = new Map<string, { algorithm: string | null; asked: string }[]>()
  for (const asked of new Set(digests)) {
    const { algorithm, value } = splitDigest(asked)
    if (value === '') continue
    byValue.set(value, [...(byValue.get(value) ?? []), { algorithm, asked }])
  }
  return byValue
}

/** Chunks of at most 500 values, so one `in (…)` list stays under every engine's parameter limit. */
function chunks<T>(values: readonly T[]): T[][] {
  const out: T[][] = []
  for (let start = 0; start < values.length; start += 500) out.push(values.slice(start, start + 500))
  return out
}

/**
 * Files each row (newest first) under every digest that asked for its value, once a document per digest; an asked
 * `algorithm:value` takes only rows of that algorithm, bare hex takes any.
 */
function gather<Row extends { digest_algorithm: string; digest_value: string; document_id: string }, Fact extends { documentId: string }>(
  out: Map<string, Fact[]>,
  wanted: Map<string, { algorithm: string | null; asked: string }[]>,
  rows: readonly Row[],
  toFact: (row: Row, asked: string) => Fact,
): void {
  for (const row of rows) {
    for (const { algorithm, asked } of wanted.get(row.digest_value) ?? []) {
      if (algorithm !== null && algorithm !== row.digest_algorithm) continue
      const list = out.get(asked) ?? []
      if (list.some((fact) => fact.documentId === row.document_id)) continue
      list.push(toFact(row, asked))
      out.set(asked, list)
    }
  }
}

/**
 * The VSAs about each of `digests` (`sha256:<hex>`, or `algorithm:value`; bare hex matches any algorithm), newest
 * stored first; a digest nothing is about maps to an empty list. One indexed query per 500 digests, so a release
 * or a lineage graph costs the same few statements as one artifact. Used by the release gate, the lineage graph and
 * reports.
 */
export async function vsasForDigests(db: Db, digests: readonly string[]): Promise<Map<string, VsaFact[]>> {
  const wanted = requested(digests)
  const out = new Map<string, VsaFact[]>(digests.map((digest) => [digest, []]))
  for (const values of chunks([...wanted.keys()])) {
    const rows = await db
      .selectFrom('attestation_subjects')
      .innerJoin('vsas', 'vsas.document_id', 'attestation_subjects.document_id')
      .innerJoin('documents', 'documents.id', 'attestation_subjects.document_id')
      .select([
        'attestation_subjects.digest_algorithm',
        'attestation_subjects.digest_value',
        'vsas.document_id',
        'vsas.vsa_version',
        'vsas.verifier_id',
        'vsas.verification_result',
        'vsas.verified_levels',
        'vsas.policy',
        'vsas.resource_uri',
        'vsas.time_verified',
        'documents.status',
        'documents.failed_check',
        'documents.ingested_at',
      ])
      .where('attestation_subjects.kind', '=', 'vsa')
      .where('attestation_subjects.digest_value', 'in', values)
      .orderBy('documents.ingested_at', 'desc')
      .orderBy('documents.seq', 'desc')
      .execute()
    gather(out, wanted, rows, (row, asked) => ({
      documentId: row.document_id,
      digest: asked,
      vsaVersion: VsaVersion.catch('v1').parse(row.vsa_version),
      verifierId: row.verifier_id,
      verificationResult: VsaResult.catch('FAILED').parse(row.verification_result),
      verifiedLevels: Levels.parse(parseJson(row.verified_levels)),
      policyUri: row.policy === null ? null : PolicyUri.parse(parseJson(row.policy)),
      resourceUri: row.resource_uri,
      timeVerified: row.time_verified === null ? null : instant(row.time_verified),
      status: Status.catch('unverifiable').parse(row.status),
      failedCheck: row.failed_check,
      ingestedAt: instant(row.ingested_at),
    }))
  }
  return out
}

/** The in-toto test results about each of `digests`, newest ingested first, as vsasForDigests reads VSAs. */
export async function testResultsForDigests(db: Db, digests: readonly string[]): Promise<Map<string, TestResultFact[]>> {
  const wanted = requested(digests)
  const out = new Map<string, TestResultFact[]>(digests.map((digest) => [digest, []]))
  for (const values of chunks([...wanted.keys()])) {
    const rows = await db
      .selectFrom('attestation_subjects')
      .innerJoin('test_results', 'test_results.document_id', 'attestation_subjects.document_id')
      .innerJoin('documents', 'documents.id', 'attestation_subjects.document_id')
      .select([
        'attestation_subjects.digest_algorithm',
        'attestation_subjects.digest_value',
        'test_results.document_id',
        'test_results.result',
        'test_results.url',
        'test_results.passed_count',
        'test_results.warned_count',
        'test_results.failed_count',
        'test_results.failed_tests',
        'documents.status',
        'documents.failed_check',
        'documents.ingested_at',
      ])
      .where('attestation_subjects.kind', '=', 'test-result')
      .where('attestation_subjects.digest_value', 'in', values)
      .orderBy('documents.ingested_at', 'desc')
      .orderBy('documents.seq', 'desc')
      .execute()
    gather(out, wanted, rows, (row, asked) => ({
      documentId: row.document_id,
      digest: asked,
      result: TestResult.catch('FAILED').parse(row.result),
      url: row.url,
      passed: row.passed_count,
      warned: row.warned_count,
      failed: row.failed_count,
      failedTests: Names.parse(parseJson(row.failed_tests)),
      status: Status.catch('unverifiable').parse(row.status),
      failedCheck: row.failed_check,
      ingestedAt: instant(row.ingested_at),
    }))
  }
  return out
}
