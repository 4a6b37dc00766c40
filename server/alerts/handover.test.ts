import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AlertQuery } from '../../src/contract/alerts'
import { buildFacts } from '../../domain/alerts/facts'
import { demoBuilds } from '../../demo/model'
import { ingestContext } from '../config'
import { demoConfig, demoEnvelope } from '../demo/seed'
import { ingestBody } from '../ingest/ingest'
import { tempStore } from '../testing/documents'
import type { Store } from '../store/types'
import { alertEngine } from './engine'
import { takeHandedOver } from './handover'

/*
 * Ingest hands the builds it stored to the engine so it need not read them back. What it hands over must be what
 * the database gives back, and evaluating with it must raise the same alerts as evaluating from the database alone.
 */

const config = demoConfig()
const batches: Buffer[] = []
const envelopes = demoBuilds(400, 3).map((build) => JSON.stringify(demoEnvelope(build)))
for (let offset = 0; offset < envelopes.length; offset += 100) batches.push(Buffer.from(envelopes.slice(offset, offset + 100).join('\n')))

const stores: { store: Store; dispose: () => Promise<void> }[] = []
const fresh = async () => {
  const opened = await tempStore()
  stores.push(opened)
  return opened.store
}
afterAll(async () => {
  for (const { dispose } of stores) await dispose()
})

const ingest = async (store: Store, batch: Buffer) => {
  const outcome = await ingestBody(store, batch, 'application/x-ndjson', ingestContext(config))
  if (!outcome.ok) throw new Error(outcome.error.message)
  return outcome.body.documents.flatMap((document) => (document.created && document.buildId ? [document.buildId] : []))
}

describe('builds handed over by ingest', () => {
  it('are what the database reads back, with the same facts', async () => {
    const store = await fresh()
    const ids = await ingest(store, batches[0] ?? Buffer.alloc(0))
    const handed = takeHandedOver(store)
    expect([...handed.keys()].sort()).toEqual([...ids].sort())
    const byId = <T extends { id: string }>(list: T[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : 1))
    const given = byId(await store.alerts.withPipelines([...handed.values()]))
    const read = byId(await store.alerts.factsInputs(ids))
    expect(given).toHaveLength(ids.length)
    expect(given).toEqual(read)
    expect(given.map((input) => buildFacts(input))).toEqual(read.map((input) => buildFacts(input)))
    // Taken once: the next catch-up starts empty.
    expect(takeHandedOver(store).size).toBe(0)
  }, 60_000)

  describe('evaluated batch by batch, with and without them', () => {
    let handedStore: Store
    let readStore: Store
    const readBack = { handed: new Set<string>(), read: new Set<string>() }
    const ingested: string[][] = []
    // Eight ingests and evaluations over two stores: well past the default timeout on a loaded machine.
    beforeAll(async () => {
      handedStore = await fresh()
      readStore = await fresh()
      for (const [store, seen] of [
        [handedStore, readBack.handed],
        [readStore, readBack.read],
      ] as const) {
        // Which builds the engine reads back from the database.
        const factsInputs = store.alerts.factsInputs.bind(store.alerts)
        store.alerts.factsInputs = async (ids) => {
          for (const id of ids) seen.add(id)
          return factsInputs(ids)
        }
      }
      const at = Date.parse('2026-11-30T00:00:00Z')
      const handedEngine = alertEngine(handedStore, config, () => at)
      const readEngine = alertEngine(readStore, config, () => at)
      for (const batch of batches) {
        ingested.push(await ingest(handedStore, batch))
        await handedEngine.catchUp()
        await ingest(readStore, batch)
        // As if another server had stored them: nothing handed over, everything read from the database.
        takeHandedOver(readStore)
        await readEngine.catchUp()
      }
    }, 120_000)

    it('raise the same alerts', async () => {
      const query = AlertQuery.parse({ sort: 'recent', limit: 500 })
      const alerts = async (store: Store) => (await store.alerts.list(query)).items.sort((a, b) => (a.id < b.id ? -1 : 1))
      const [handed, read] = [await alerts(handedStore), await alerts(readStore)]
      expect(handed.length).toBeGreaterThan(0)
      expect(handed).toEqual(read)
    })

    it('read back only what was not handed over', () => {
      // Every batch's builds (the first one's judged by the first full evaluation) come from ingest on one side and
      // from the database on the other.
      for (const ids of ingested) {
        expect(ids.length).toBeGreaterThan(0)
        for (const id of ids) {
          expect(readBack.handed.has(id)).toBe(false)
          expect(readBack.read.has(id)).toBe(true)
        }
      }
    })
  })
})
