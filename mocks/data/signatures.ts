import { SignaturePage, type SignatureQuery, type SignatureRow } from '../../src/contract/signatures'
import { countStatuses } from '../../domain/status-counts'
import type { DemoIndex } from './demo-index'

/** A page of the demo's verification results with counts by status for the same filters, status aside. */
export function demoSignatures(index: DemoIndex, query: SignatureQuery): SignaturePage | { error: 'invalid-cursor' } {
  const offset = query.cursor === undefined ? 0 : Number.parseInt(atob(query.cursor), 10)
  if (!Number.isInteger(offset) || offset < 0) return { error: 'invalid-cursor' }
  const from = query.from === undefined ? null : Date.parse(query.from)
  const to = query.to === undefined ? null : Date.parse(query.to)
  const filtered = index.signatureRows.filter((row) => {
    const time = Date.parse(row.time)
    return (
      (query.project === undefined || row.project === query.project) &&
      (query.signer === undefined || row.signer === query.signer) &&
      (from === null || time >= from) &&
      (to === null || time < to)
    )
  })
  const matching: SignatureRow[] = query.status === undefined ? filtered : filtered.filter((row) => row.status === query.status)
  const items = matching.slice(offset, offset + query.limit)
  const next = offset + items.length
  return SignaturePage.parse({ items, nextCursor: next < matching.length ? btoa(String(next)) : null, counts: countStatuses(filtered) })
}
