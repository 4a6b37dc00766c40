import { createHash } from 'node:crypto'
import { IngestResponse, type LineError } from '../../src/contract/attestations'
import type { Subject, Verification } from '../../src/contract/common'
import type { BuildRecord, IngestItem } from '../documents/records'
import type { Store } from '../store/types'
import { handedBuild, handOver } from '../alerts/handover'
import { IngestError, isRecord, kindOf } from './errors'
import { applyPolicy, policyFor } from '../policy/policy'
import { parseJson } from './json'
import type { FormatHandler, IngestContext, Reading } from './format'
import { formats } from './formats'
import { projectName, readProvenance } from './slsa'
import { PROVENANCE_FIELDS_IGNORED, withTolerated } from './verify'
import { wrongDoor } from './wrong-door'
import { looksLikeCheckpoint, readCheckpoint } from './rekor-entry'
import { trustOf } from './sigstore-format'
import { linkStoredDocuments, withStoredEvidence } from './log-links'
import { prepareBundlesInWorkers } from './sigstore/pool'

export type { IngestContext }

export type RawDocument = { raw: Buffer; line?: number }

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/**
 * Splits a request body into documents. A body that is one JSON value is one document; otherwise (or when the
 * content type says JSONL) every non-blank line is one. Each document keeps its exact bytes.
 */
export function splitBody(body: Buffer, contentType: string): RawDocument[] {
  const jsonl = /ndjson|jsonl|json-seq/i.test(contentType)
  if (!jsonl) {
    const text = body.toString('utf8').trim()
    if (text === '') return []
    try {
      JSON.parse(text)
      return [{ raw: body }]
    } catch {
      // JSONL sent as application/json reads line by line; anything else is one broken document, and the
      // parser should say where it breaks.
      if (!firstLineIsJson(text)) return [{ raw: body }]
    }
  }
  const documents: RawDocument[] = []
  let start = 0
  let line = 1
  while (start <= body.length) {
    const newline = body.indexOf(0x0a, start)
    const index = newline < 0 ? body.length : newline
    let end = index
    if (end > start && body[end - 1] === 0x0d) end--
    const raw = body.subarray(start, end)
    if (!isBlank(raw)) documents.push({ raw: Buffer.from(raw), line })
    start = index + 1
    line++
  }
  return documents
}

/**
 * A line of nothing but white space (as String.prototype.trim sees it). A line that starts, after ASCII blanks,
 * with a visible ASCII character (a document's `{`) is answered without decoding it: decoding every line of a
 * batch cost more than finding the lines.
 */
function isBlank(raw: Buffer): boolean {
  for (const byte of raw) {
    if (byte === 0x20 || (byte >= 0x09 && byte <= 0x0d)) continue
    if (byte > 0x20 && byte < 0x7f) return false
    break
  }
  return raw.toString('utf8').trim() === ''
}

export type PreparedDocument = { item: IngestItem; subjects: Subject[] }

function firstLineIsJson(text: string): boolean {
  const newline = text.indexOf('\n')
  if (newline < 0) return false
  // Every document we read is an object; a first line that is a bare string or number is not JSONL.
  try {
    const first: unknown = JSON.parse(text.slice(0, newline))
    return typeof first === 'object' && first !== null && !Array.isArray(first)
  } catch {
    return false
  }
}

/** Parses and verifies one document, producing what the store keeps. Throws only IngestError. */
export function prepareDocument(raw: Buffer, context: IngestContext): PreparedDocument {
  // The one text format: a transparency log's signed checkpoint (C2SP signed note), kept as log evidence.
  if (looksLikeCheckpoint(raw)) return finish(raw, context, readCheckpoint(raw, trustOf(context)))
  const value = parseJson(raw)
  if (!isRecord(value)) {
    throw new IngestError('unsupported-format', `expected a JSON object (${formats.map((format) => format.label).join(', ')}), found ${kindOf(value)}`, '$')
  }
  const handler = formats.find((format) => format.detect(value))
  if (!handler) {
    const door = wrongDoor(value)
    if (door) throw new IngestError('wrong-endpoint', `this is ${door.what}, not an attestation; ${door.where}`, '$')
    const keys = Object.keys(value).slice(0, 8).join(', ')
    throw new IngestError(
      'unsupported-format',
      `not a format this server reads (${formats.map((format) => format.label).join(', ')}); top-level keys: ${keys || '(none)'}`,
      '$',
    )
  }
  return finish(raw, context, readSafely(handler, value, context))
}

/** What the store keeps of a document once its reader has read and verified it. */
function finish(raw: Buffer, context: IngestContext, reading: Reading): PreparedDocument {
  const { format, payloadType, statement } = reading
  const provenance = statement ? readProvenance(statement) : null
  // Tolerated, and said: the signature covers the bytes as sent, so the verdict is unaffected.
  const trailing =
    // A reader of several envelopes says it per envelope itself.
    statement && statement.trailingBytes > 0 && !reading.verification.checks.some((check) => check.name.endsWith('payload-trailing-bytes'))
      ? { ...reading.verification, checks: [...reading.verification.checks, { name: 'payload-trailing-bytes', ok: true, detail: `${statement.trailingBytes} bytes after the Statement's JSON were ignored` }] }
      : reading.verification
  const read = withTolerated(trailing, PROVENANCE_FIELDS_IGNORED, provenance?.tolerated ?? [])
  const id = sha256(raw)
  const ingestedAt = context.now()
  const verification = applyPolicy(read, policyFor(context.policies ?? [], provenance?.sourceRepo ?? null), {
    sourceRepo: provenance?.sourceRepo ?? null,
    builderId: provenance?.builderId ?? null,
    buildType: provenance?.buildType ?? null,
    certificate: reading.certificate ?? null,
  })
  let build: BuildRecord | null = null
  if (statement && provenance) {
    build = {
      id,
      documentId: id,
      project: projectName(provenance.sourceRepo, provenance.builderId),
      sourceRepo: provenance.sourceRepo,
      sourceCommit: provenance.sourceCommit,
      builderId: provenance.builderId,
      buildType: provenance.buildType,
      invocationId: provenance.invocationId,
      predicateType: statement.predicateType,
      statementType: statement.type,
      slsaVersion: provenance.slsaVersion,
      status: verification.status,
      failedCheck: verification.failedCheck,
      startedAt: provenance.startedAt,
      finishedAt: provenance.finishedAt,
      ingestedAt,
      time: provenance.finishedAt ?? provenance.startedAt ?? ingestedAt,
      subjects: statement.subjects,
      externalParameters: provenance.externalParameters,
      internalParameters: provenance.internalParameters,
      resolvedDependencies: provenance.resolvedDependencies,
      statement: JSON.stringify(statement.value, null, 2),
    }
  }
  const subjects = statement?.subjects ?? reading.subjects ?? []
  // A signed deployment record is found through its deployment (deployment_artifacts) and shown in the artifact's
  // deployments, not as one of its attestations; every other document that describes no build is indexed by subject.
  const indexed = build === null && reading.extras?.deployment === undefined ? subjects : []
  return {
    item: {
      document: { id, raw, format, payloadType, verification, ingestedAt },
      build,
      ...(indexed.length > 0 ? { subjects: indexed } : {}),
      ...(reading.extras ? { extras: reading.extras } : {}),
      ...(reading.logKeys && reading.logKeys.length > 0 ? { logKeys: reading.logKeys } : {}),
      ...(reading.logEntries && reading.logEntries.length > 0 ? { logEntries: reading.logEntries } : {}),
    },
    subjects,
  }
}

/**
 * A reader that throws anything but IngestError has a defect: the document is stored as sent, marked as not
 * checked because of an internal error (never failed: its author did nothing wrong), and can be verified again
 * once the defect is fixed. The error is written to the server log for whoever fixes it.
 */
function readSafely(handler: FormatHandler, value: Record<string, unknown>, context: IngestContext): Reading {
  try {
    return handler.read(value, context)
  } catch (error) {
    if (error instanceof IngestError) throw error
    console.error(`internal error reading ${handler.label}:`, error)
    return { format: handler.name, payloadType: null, statement: null, verification: internalErrorVerification(handler.label, error) }
  }
}

/** The verification of a document whose reading crashed: one check saying so, status unverifiable. */
export function internalErrorVerification(label: string, error: unknown): Verification {
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return {
    status: 'unverifiable',
    failedCheck: null,
    checks: [
      {
        name: 'verification',
        ok: false,
        expected: `${label}, read and verified`,
        actual: 'could not be checked: internal error',
        detail: 'Reading the document stopped with an unexpected error. It is stored as sent and can be verified again once the defect is fixed.',
        notJudged: `internal error while reading (${what}); this is a defect of the dashboard, not a finding about the document`,
      },
    ],
    signers: [],
  }
}

export type IngestResult =
  | { ok: true; status: 200 | 201; body: IngestResponse }
  | { ok: false; status: 400 | 422; error: { code: string; message: string; path?: string } }

const where = (line: number | undefined, path: string | undefined) =>
  line === undefined ? path : path ? `line ${line}: ${path}` : `line ${line}`

/** Reads, verifies and stores every document of a body in one transaction. */
export async function ingestBody(store: Store, body: Buffer, contentType: string, context: IngestContext): Promise<IngestResult> {
  const documents = splitBody(body, contentType)
  if (documents.length === 0) return { ok: false, status: 400, error: { code: 'empty-body', message: 'the request body is empty' } }
  const prepared: (PreparedDocument & { line?: number })[] = []
  const errors: LineError[] = []
  // Sigstore bundles of a batch are verified on worker threads (one per core); the rest, and whatever a worker
  // could not answer, here.
  const pooled = await prepareBundlesInWorkers<PreparedDocument>(documents.map((document) => document.raw), context)
  for (const [index, document] of documents.entries()) {
    try {
      const done = pooled?.[index]
      if (done && 'error' in done) throw new IngestError(done.error.code, done.error.message, done.error.path)
      prepared.push({ ...(done && 'ok' in done ? done.ok : prepareDocument(document.raw, context)), ...(document.line === undefined ? {} : { line: document.line }) })
    } catch (error) {
      if (!(error instanceof IngestError)) throw error
      const path = where(document.line, error.path)
      errors.push({ ...(document.line === undefined ? {} : { line: document.line }), code: error.code, message: error.message, ...(path ? { path } : {}) })
    }
  }
  if (prepared.length === 0) {
    const first = errors[0]
    if (documents.length === 1 && first) {
      return { ok: false, status: first.code === 'invalid-json' ? 400 : 422, error: { code: first.code, message: first.message, ...(first.path ? { path: first.path } : {}) } }
    }
    const summary = errors.slice(0, 5).map((error) => `line ${error.line}: ${error.message}`).join('; ')
    return {
      ok: false,
      status: 422,
      error: { code: 'no-valid-documents', message: `none of the ${documents.length} lines could be read: ${summary}`, ...(first?.path ? { path: first.path } : {}) },
    }
  }
  const ready = await withStoredEvidence(store, prepared, context, prepareDocument)
  const { origin } = context
  const outcomes = await store.documents.ingest(ready.map(({ item }) => (origin === undefined ? item : { ...item, origin })))
  const created = ready.filter((_, index) => outcomes[index]?.created === true)
  // The builds just stored go to this process's alert engine as they are, so it need not read them back.
  handOver(
    store,
    ready.flatMap(({ item }, index) => {
      const outcome = outcomes[index]
      return outcome?.created === true && item.build !== null ? [handedBuild(item.build, outcome.verification)] : []
    }),
  )
  // Every entry document of the batch links, those stored before included: a request that failed after storing
  // (500) and is sent again completes its links instead of answering as a copy with nothing linked.
  const links = await linkStoredDocuments(store, ready, created, context, prepareDocument)
  // Parsing brands the ids and proves the answer matches the published contract.
  const response = IngestResponse.parse({
    documents: outcomes.map((outcome, index) => {
      const entry = ready[index]
      const linked = links.get(outcome.id)
      return {
        id: outcome.id,
        ...(entry?.line === undefined ? {} : { line: entry.line }),
        format: entry?.item.document.format,
        created: outcome.created,
        buildId: outcome.buildId,
        subjects: entry?.subjects,
        verification: outcome.verification,
        ...(linked ? { logEntries: linked } : {}),
      }
    }),
    errors,
  })
  return { ok: true, status: outcomes.some((outcome) => outcome.created) ? 201 : 200, body: response }
}
