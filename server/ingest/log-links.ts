import type { Subject, Verification, VerificationStatus } from '../../src/contract/common'
import type { IngestItem } from '../documents/records'
import type { Store } from '../store/types'
import { IngestError } from './errors'
import type { IngestContext } from './format'
import { evidenceOf, pairKey } from './log-evidence'

/*
 * Whichever arrives second, a Sigstore bundle without a log entry or the Rekor entry that records its signature, the
 * bundle is verified with the entry as if it carried it, and the link is recorded (server/ingest/log-evidence.ts).
 */

/** One document as `prepareDocument` gives it (passed in, since ingest.ts calls this module). */
type Prepared = { item: IngestItem; subjects: Subject[]; line?: number }

type Prepare = (raw: Buffer, context: IngestContext) => Prepared

/**
 * Before a batch is stored: a document that could use log evidence and has some, stored earlier or in this batch,
 * is read again with it. Returns the batch with those documents replaced.
 */
export async function withStoredEvidence(store: Store, batch: Prepared[], context: IngestContext, prepare: Prepare): Promise<Prepared[]> {
  const keys = batch.flatMap((entry) => entry.item.logKeys ?? [])
  if (keys.length === 0) return batch
  const byKey = await store.documents.logEvidenceFor(keys)
  for (const entry of batch) {
    for (const logged of entry.item.logEntries ?? []) {
      if (!logged.key) continue
      const list = byKey.get(pairKey(logged.key)) ?? []
      list.push({ entryDocumentId: entry.item.document.id, uuid: logged.uuid, logIndex: logged.logIndex, tlogEntry: logged.tlogEntry })
      byKey.set(pairKey(logged.key), list)
    }
  }
  return batch.map((entry) => {
    const evidence = evidenceOf(entry.item.logKeys ?? [], byKey)
    if (evidence.length === 0) return entry
    const again = prepare(Buffer.from(entry.item.document.raw), { ...context, logEvidence: evidence })
    return { ...entry, item: { ...again.item, logEvidence: evidence } }
  })
}

/** One entry of a stored Rekor entry response and the stored documents it was linked to. */
export type EntryLinks = { uuid: string; logIndex: string; documents: { id: string; status: VerificationStatus }[] }

/**
 * After a batch is stored: the documents stored earlier that the batch's Rekor entries record are verified again
 * with every entry that records them, and linked. `batch` is every document of the batch, `created` those it stored
 * (read with the batch's entries before they were). An entry document stored before is linked again: linking is
 * idempotent, and a request whose linking failed after its documents were stored completes when it is sent again.
 * Returns, per entry document, what each entry was linked to.
 */
export async function linkStoredDocuments(
  store: Store,
  batch: readonly Prepared[],
  created: readonly Prepared[],
  context: IngestContext,
  prepare: Prepare,
): Promise<Map<string, EntryLinks[]>> {
  const result = new Map<string, EntryLinks[]>()
  const inBatch = new Set(created.map((entry) => entry.item.document.id))
  for (const entry of batch) {
    const entries = entry.item.logEntries ?? []
    // The same entry document twice in a batch is linked once.
    if (entries.length === 0 || result.has(entry.item.document.id)) continue
    const linksOf: EntryLinks[] = entries.map((logged) => ({ uuid: logged.uuid, logIndex: logged.logIndex, documents: [] }))
    result.set(entry.item.document.id, linksOf)
    // Documents of the same batch were read with these entries before they were stored.
    for (const other of created) {
      for (const used of other.item.logEvidence ?? []) {
        if (used.entryDocumentId === entry.item.document.id) linksOf.find((link) => link.uuid === used.uuid)?.documents.push({ id: other.item.document.id, status: other.item.document.verification.status })
      }
    }
    const keys = entries.flatMap((logged) => (logged.key ? [logged.key] : []))
    for (const document of await store.documents.documentsRecordedBy(keys)) {
      if (inBatch.has(document.id)) continue
      const evidence = evidenceOf(document.keys, await store.documents.logEvidenceFor(document.keys))
      let next: Verification | null = null
      try {
        next = prepare(Buffer.from(document.raw), { ...context, logEvidence: evidence }).item.document.verification
      } catch (error) {
        // A stored document that no longer reads keeps its verdict; the link is still recorded.
        if (!(error instanceof IngestError)) throw error
      }
      await store.documents.linkLogEvidence(document, evidence, next)
      const status = next?.status ?? 'unverifiable'
      for (const used of evidence) {
        if (used.entryDocumentId === entry.item.document.id) linksOf.find((link) => link.uuid === used.uuid)?.documents.push({ id: document.id, status })
      }
    }
  }
  return result
}
