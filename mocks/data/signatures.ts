import { SignaturePage, type SignatureQuery, type SignatureRow } from '../../src/contract/signatures'
import { countStatuses } from '../../domain/status-counts'
import { newestFirstThenId, type DemoIndex, type DemoSignatureEntry } from './demo-index'

/** A page of the demo's verification results with counts by status for the same filters, status aside. */
export function demoSignatures(index: DemoIndex, query: SignatureQuery): SignaturePage | { error: 'invalid-cursor' } {
  const offset = query.cursor === undefined ? 0 : Number.parseInt(atob(query.cursor), 10)
  if (!Number.isInteger(offset) || offset < 0) return { error: 'invalid-cursor' }
  const from = query.from === undefined ? null : Date.parse(query.from)
  const to = query.to === undefined ? null : Date.parse(query.to)
  const filtered = index.signatures.filter(
    (entry) =>
      (query.project === undefined || entry.project === query.project) &&
      (query.signer === undefined || entry.signer === query.signer) &&
      (from === null || entry.time >= from) &&
      (to === null || entry.time < to),
  )
  const matching: DemoSignatureEntry[] = query.status === undefined ? filtered : filtered.filter((entry) => entry.status === query.status)
  // Rows are made for the page only, a rebuild's costing a signature (see demo-index.ts); equal times are ordered
  // by document id, descending, as the server orders them.
  const items: SignatureRow[] = []
  for (const entry of newestFirstThenId(matching, (candidate) => candidate.row().documentId, offset)) {
    if (items.length >= query.limit) break
    items.push(entry.row())
  }
  const next = offset + items.length
  return SignaturePage.parse({ items, nextCursor: next < matching.length ? btoa(String(next)) : null, counts: countStatuses(filtered) })
}
