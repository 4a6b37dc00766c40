import { Verification } from '../../src/contract/common'
import { isRecord } from '../ingest/errors'
import { pairKey } from '../ingest/log-evidence'
import { parseJson, type Db, type StoreKind } from '../store/db'
import type { LogEvidence, LoggedEntry, LogPair } from './records'
import { replaceVerdict } from './reverify-store'

/*
 * Rekor entries stored apart from the documents whose signatures they record (migration 0017). The match is the
 * pair an entry commits to, (digest, SHA-256 of the signature); the rules that derive it live with the readers
 * (server/ingest/log-evidence.ts), the store only keeps and looks up the pairs.
 */

/** A document an entry records, with what is needed to verify it again. */
export type RecordedDocument = { id: string; raw: Uint8Array; verification: string }

/** Keeps the pairs a log entry recording this document would carry, and the entries a Rekor entry response holds. */
export async function insertLogFacts(trx: Db, documentId: string, keys: readonly LogPair[], entries: readonly LoggedEntry[]): Promise<void> {
  if (keys.length > 0) {
    await trx
      .insertInto('document_log_keys')
      .values(keys.map((key) => ({ document_id: documentId, digest: key.digest, signature_sha256: key.signature })))
      .onConflict((oc) => oc.doNothing())
      .execute()
  }
  if (entries.length > 0) {
    await trx
      .insertInto('log_entries')
      .values(
        entries.map((entry) => ({
          document_id: documentId,
          uuid: entry.uuid,
          log_index: entry.logIndex,
          digest: entry.key?.digest ?? null,
          signature_sha256: entry.key?.signature ?? null,
          tlog_entry: JSON.stringify(entry.tlogEntry),
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute()
  }
}

/** Records that each evidence entry was used to verify `documentId`. */
export async function insertLinks(trx: Db, documentId: string, evidence: readonly LogEvidence[], at: number): Promise<void> {
  if (evidence.length === 0) return
  await trx
    .insertInto('log_entry_links')
    .values(evidence.map((item) => ({ entry_document_id: item.entryDocumentId, uuid: item.uuid, document_id: documentId, linked_at: at })))
    .onConflict((oc) => oc.doNothing())
    .execute()
}

/** The stored entries that commit to any of these pairs, by pair (`digest:signature`), oldest entry document first. */
export async function evidenceFor(db: Db, keys: readonly LogPair[]): Promise<Map<string, LogEvidence[]>> {
  const found = new Map<string, LogEvidence[]>()
  const unique = [...new Map(keys.map((key) => [pairKey(key), key])).values()]
  // Bind parameters stay well under both engines' limits.
  for (let start = 0; start < unique.length; start += 400) {
    const slice = unique.slice(start, start + 400)
    const rows = await db
      .selectFrom('log_entries')
      .innerJoin('documents', 'documents.id', 'log_entries.document_id')
      .select(['log_entries.document_id', 'log_entries.uuid', 'log_entries.log_index', 'log_entries.digest', 'log_entries.signature_sha256', 'log_entries.tlog_entry'])
      .where((eb) => eb.or(slice.map((key) => eb.and([eb('log_entries.digest', '=', key.digest), eb('log_entries.signature_sha256', '=', key.signature)]))))
      .orderBy('documents.seq')
      .orderBy('log_entries.uuid')
      .execute()
    for (const row of rows) {
      if (row.digest === null || row.signature_sha256 === null) continue
      const at = pairKey({ digest: row.digest, signature: row.signature_sha256 })
      const list = found.get(at) ?? []
      list.push({ entryDocumentId: row.document_id, uuid: row.uuid, logIndex: row.log_index, tlogEntry: readEntry(row.tlog_entry) })
      found.set(at, list)
    }
  }
  return found
}

/** The stored documents whose pairs any of these entries commit to, with the pairs each carries. */
export async function documentsRecordedBy(db: Db, keys: readonly LogPair[]): Promise<(RecordedDocument & { keys: LogPair[] })[]> {
  if (keys.length === 0) return []
  const rows = await db
    .selectFrom('document_log_keys as matched')
    .innerJoin('documents', 'documents.id', 'matched.document_id')
    .select(['documents.id', 'documents.raw', 'documents.verification'])
    .where((eb) => eb.or(keys.map((key) => eb.and([eb('matched.digest', '=', key.digest), eb('matched.signature_sha256', '=', key.signature)]))))
    .distinct()
    .execute()
  const result: (RecordedDocument & { keys: LogPair[] })[] = []
  for (const row of rows) {
    const own = await db.selectFrom('document_log_keys').select(['digest', 'signature_sha256']).where('document_id', '=', row.id).execute()
    result.push({ id: row.id, raw: Uint8Array.from(row.raw), verification: row.verification, keys: own.map((key) => ({ digest: key.digest, signature: key.signature_sha256 })) })
  }
  return result
}

/** Every stored document's log evidence, for verifying them all again with it. */
export async function evidenceByDocument(db: Db): Promise<Map<string, LogEvidence[]>> {
  const rows = await db
    .selectFrom('document_log_keys as keys')
    .innerJoin('log_entries', (join) => join.onRef('log_entries.digest', '=', 'keys.digest').onRef('log_entries.signature_sha256', '=', 'keys.signature_sha256'))
    .innerJoin('documents', 'documents.id', 'log_entries.document_id')
    .select(['keys.document_id as recorded', 'log_entries.document_id', 'log_entries.uuid', 'log_entries.log_index', 'log_entries.tlog_entry'])
    .orderBy('documents.seq')
    .orderBy('log_entries.uuid')
    .execute()
  const found = new Map<string, LogEvidence[]>()
  for (const row of rows) {
    const list = found.get(row.recorded) ?? []
    if (!list.some((item) => item.entryDocumentId === row.document_id && item.uuid === row.uuid)) {
      list.push({ entryDocumentId: row.document_id, uuid: row.uuid, logIndex: row.log_index, tlogEntry: readEntry(row.tlog_entry) })
    }
    found.set(row.recorded, list)
  }
  return found
}

/**
 * Links a document to the entries that record it and, when verifying it with them changed its verdict, replaces
 * the verdict (the old one kept as history), in one transaction.
 */
export async function linkDocument(db: Db, kind: StoreKind, document: RecordedDocument, evidence: readonly LogEvidence[], next: Verification | null, at: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    // Ordered with ingest and re-verification on PostgreSQL, as they take the log row first too.
    if (kind === 'postgres') await trx.selectFrom('log_state').select('id').where('id', '=', 1).forUpdate().execute()
    await insertLinks(trx, document.id, evidence, at)
    const current = await trx.selectFrom('documents').select('verification').where('id', '=', document.id).executeTakeFirst()
    if (!next || !current || JSON.stringify(next) === JSON.stringify(Verification.parse(parseJson(current.verification)))) return false
    await replaceVerdict(trx, document.id, current.verification, next, at)
    return true
  })
}

function readEntry(text: string): Record<string, unknown> {
  const value = parseJson(text)
  if (!isRecord(value)) throw new Error('a stored log entry is not a JSON object')
  return value
}
