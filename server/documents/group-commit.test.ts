import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { prepareDocument } from '../ingest/ingest'
import { slsaV1Statement, tempStore } from '../testing/documents'
import type { Store } from '../store/types'
import type { IngestItem } from './records'

/*
 * Batches stored at the same time share a transaction (group commit, server/documents/store.ts); each caller must
 * still get exactly its own outcomes, in its own order, as if the batches had been stored one after another.
 */

let store: Store
let dispose: () => Promise<void>
beforeEach(async () => {
  ;({ store, dispose } = await tempStore())
})
afterEach(async () => dispose())

const item = (commit: string): IngestItem =>
  prepareDocument(Buffer.from(JSON.stringify(slsaV1Statement({ commit, sha256: commit.padEnd(64, '0') }))), { keys: [], now: () => 1_700_000_000_000 }).item

describe('group commit of concurrent ingests', () => {
  it('answers each caller with the outcomes of its own documents, in order, all stored', async () => {
    const batches = Array.from({ length: 6 }, (_, batch) => Array.from({ length: batch + 1 }, (_, index) => item(`${batch}${index}`.padStart(40, 'a'))))
    const answers = await Promise.all(batches.map((batch) => store.documents.ingest(batch)))
    answers.forEach((outcomes, batch) => {
      expect(outcomes.map((outcome) => outcome.id)).toEqual(batches[batch]?.map((entry) => entry.document.id))
      expect(outcomes.every((outcome) => outcome.created)).toBe(true)
    })
    expect(await store.documents.count()).toBe(21)
  })

  it('the same document sent by two callers at once is stored once: the later caller is told it already was', async () => {
    const same = item('b'.repeat(40))
    const [first, second] = await Promise.all([store.documents.ingest([same]), store.documents.ingest([same])])
    expect([first?.[0]?.created, second?.[0]?.created]).toEqual([true, false])
    expect(second?.[0]?.verification).toEqual(first?.[0]?.verification)
    expect(await store.documents.count()).toBe(1)
  })

  it("one caller's invalid batch is refused without touching the others stored alongside it", async () => {
    const good = item('c'.repeat(40))
    const bad: IngestItem = { ...item('d'.repeat(40)), document: { ...item('d'.repeat(40)).document, id: 'e'.repeat(64) } }
    const [stored, refused] = await Promise.allSettled([store.documents.ingest([good]), store.documents.ingest([bad])])
    expect(stored.status).toBe('fulfilled')
    expect(refused).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringMatching(/is not the SHA-256 of its raw bytes/) }) })
    expect(await store.documents.count()).toBe(1)
  })

  it('a batch with copies among its documents stores each once, answers each copy from the stored one, and leaves the log gap-free', async () => {
    const [a, b, c] = ['1', '2', '3'].map((digit) => item(digit.repeat(40)))
    if (!a || !b || !c) throw new Error('three items expected')
    await store.documents.ingest([c])
    const outcomes = await store.documents.ingest([a, b, a, c, b, item('4'.repeat(40))])
    expect(outcomes.map((outcome) => outcome.created)).toEqual([true, true, false, false, false, true])
    expect(outcomes.map((outcome) => outcome.id)).toEqual([a, b, a, c, b].map((entry) => entry.document.id).concat(outcomes[5]?.id ?? ''))
    expect(outcomes[2]).toEqual(outcomes[0] && { ...outcomes[0], created: false })
    expect(outcomes[3]?.buildId).toBe(c.document.id)
    expect(await store.documents.count()).toBe(4)
    const entries = await store.log.entries(0, 10)
    expect(entries.map((entry) => entry.index)).toEqual([0, 1, 2, 3])
    expect(entries.map((entry) => entry.id)).toEqual([c, a, b].map((entry) => entry.document.id).concat(outcomes[5]?.id ?? ''))
    expect((await store.log.checkpoint()).size).toBe(4)
  })

  it("a pulled document's source record is written with it: a copy is not the source's own, and a refused document leaves no record", async () => {
    const pulled = { source: 'registry', origin: 'oci://registry/acme/app@sha256:1', subject: null }
    const first = item('d'.repeat(40))
    const copy = item('d'.repeat(40))
    const [stored, again] = await Promise.all([store.documents.ingest([{ ...first, origin: pulled }]), store.documents.ingest([{ ...copy, origin: { ...pulled, source: 'mirror' } }])])
    expect([stored?.[0]?.created, again?.[0]?.created]).toEqual([true, false])
    expect(await store.sources.documentsOf('registry')).toEqual([expect.objectContaining({ documentId: first.document.id, origin: pulled.origin, created: true })])
    expect(await store.sources.documentsOf('mirror')).toEqual([expect.objectContaining({ documentId: first.document.id, created: false })])

    // The same transaction: a batch the store refuses (an id that is not its bytes' digest) records no origin either.
    const bad: IngestItem = { ...item('e'.repeat(40)), origin: { ...pulled, source: 'broken' } }
    const refused = { ...bad, document: { ...bad.document, id: 'f'.repeat(64) } }
    await expect(store.documents.ingest([refused])).rejects.toThrow(/is not the SHA-256 of its raw bytes/)
    expect(await store.sources.documentsOf('broken')).toEqual([])
  })
})
