import type { Generated } from 'kysely'
import { Verification } from '../../src/contract/common'
import { signerIdentity } from '../../domain/signer'
import { countSignature, keepSignatureTime } from '../signatures/store'
import type { Db, StoreKind } from '../store/db'

export type Reverifier = (document: { id: string; raw: Uint8Array }) => Verification | null

export type ReverifyOutcome = { checked: number; changed: number }

/**
 * Re-runs verification over every stored document, oldest first, a page at a time. A changed verdict replaces
 * the current one on the document and its build, in one transaction with the old verdict's history row.
 */
export async function reverifyDocuments(db: Db, verify: Reverifier, now: () => number, kind: StoreKind = 'sqlite'): Promise<ReverifyOutcome> {
  let checked = 0
  let changed = 0
  let after = 0
  for (;;) {
    const page = await db.selectFrom('documents').select(['seq', 'id', 'raw', 'verification']).where('seq', '>', after).orderBy('seq').limit(500).execute()
    if (page.length === 0) return { checked, changed }
    after = page.at(-1)?.seq ?? after
    const updates: { id: string; old: string; next: Verification }[] = []
    for (const row of page) {
      checked++
      const next = verify({ id: row.id, raw: row.raw })
      if (next && JSON.stringify(next) !== JSON.stringify(Verification.parse(JSON.parse(row.verification)))) {
        updates.push({ id: row.id, old: row.verification, next })
      }
    }
    if (updates.length === 0) continue
    await db.transaction().execute(async (trx) => {
      // The kept signature counts change too; taking the log row first (as ingest does) orders this transaction
      // with ingest on PostgreSQL, so their counter updates cannot deadlock. SQLite has one writer already.
      if (kind === 'postgres') await trx.selectFrom('log_state').select('id').where('id', '=', 1).forUpdate().execute()
      for (const update of updates) await replaceVerdict(trx, update.id, update.old, update.next, now())
    })
    changed += updates.length
  }
}

/**
 * Replaces a document's verdict (and its build's and rebuilds') with `next`, keeping `old` as history. The caller
 * holds a transaction that took the log row first on PostgreSQL.
 */
export async function replaceVerdict(trx: Db, id: string, old: string, next: Verification, at: number): Promise<void> {
  await countSignature(trx, id, -1)
  await trx.insertInto('verification_history').values({ document_id: id, replaced_at: at, verification: old }).execute()
  await trx
    .updateTable('documents')
    .set({ verification: JSON.stringify(next), status: next.status, failed_check: next.failedCheck, signer: signerIdentity(next) })
    .where('id', '=', id)
    .execute()
  // A rebuild verdict is only as good as its document's signature.
  await trx.updateTable('rebuilds').set({ status: next.status }).where('document_id', '=', id).execute()
  await countSignature(trx, id, 1)
  await keepSignatureTime(trx, id)
  await trx.updateTable('builds').set({ status: next.status, failed_check: next.failedCheck }).where('document_id', '=', id).execute()
  // The anomaly rules judge the document's build again from this row (migration 0021, server/alerts/engine.ts).
  await trx.withTables<{ verdict_changes: { seq: Generated<number>; document_id: string; changed_at: number } }>().insertInto('verdict_changes').values({ document_id: id, changed_at: at }).execute()
}
