import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AlertDetail, AlertPage } from '../../src/contract/alerts'
import { createApp } from '../app'
import { buildConfig, ingestContext } from '../config'
import { signEnvelope } from '../demo/seed'
import { ingestBody } from '../ingest/ingest'
import { newKey, slsaV1Statement, tempStore } from '../testing/documents'
import type { Store } from '../store/types'
import { alertEngine } from './engine'

/*
 * Where evaluation stands is saved lazily: with the findings it produced, else now and then. A request whose build
 * raises nothing commits only its ingest; after a crash, evaluation resumes from the saved position, judges the
 * builds after it again and files nothing twice; a build stored just before a crash, never judged, is judged then.
 */

const trusted = newKey('release', 'ed25519')
const stranger = newKey('stranger', 'ed25519')
const repo = 'https://github.com/example/positioned'
const config = buildConfig(
  {
    tokens: [{ name: 'ci', sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', scopes: ['ingest', 'read'] }],
    trust: { keys: [{ id: 'release', publicKeyPem: trusted.publicKeyPem }] },
    policies: [{ name: 'positioned', repositories: [repo] }],
  },
  'position test',
)

let store: Store
let dispose: () => Promise<void>
beforeAll(async () => ({ store, dispose } = await tempStore()))
afterAll(async () => dispose())

let serial = 0
/** A build of its own commit and artifact, signed by the trusted key (clean) or by a key nobody trusts (raises). */
const envelope = (key: typeof trusted) => {
  serial++
  return signEnvelope(slsaV1Statement({ repo, commit: serial.toString(16).padStart(40, '0'), sha256: serial.toString(16).padStart(64, '0') }), key)
}
const server = () => createApp({ store, config, version: 't', demo: false })
const post = async (app: ReturnType<typeof server>, key: typeof trusted) => {
  const response = await app.request('/api/v1/attestations', {
    method: 'POST',
    headers: { authorization: 'Bearer test', 'content-type': 'application/json' },
    body: JSON.stringify(envelope(key)),
  })
  expect(response.status).toBe(201)
}
const savedSeq = async () => Number(await store.settings.get('alerts.seq'))
const unknownSigner = async (app: ReturnType<typeof server>) => {
  const page = AlertPage.parse(await (await app.request('/api/v1/alerts?rule=signer-identity', { headers: { authorization: 'Bearer test' } })).json())
  expect(page.items).toHaveLength(1)
  const id = page.items[0]?.id ?? ''
  return AlertDetail.parse(await (await app.request(`/api/v1/alerts/${id}`, { headers: { authorization: 'Bearer test' } })).json())
}

describe('the evaluation position', () => {
  let first: ReturnType<typeof server>
  beforeAll(() => {
    first = server()
  })

  it('is not written again by a request whose build raises nothing', async () => {
    await post(first, trusted)
    const after = await savedSeq()
    expect(after).toBeGreaterThan(0)
    await post(first, trusted)
    await post(first, trusted)
    expect(await savedSeq()).toBe(after)
  })

  it('is saved with the findings a request raises, in their transaction', async () => {
    await post(first, stranger)
    const alert = await unknownSigner(first)
    expect(alert).toMatchObject({ state: 'open', occurrences: 1 })
    // Every document so far was judged, and the position says so.
    const documents = await store.alerts.pending(0, 0, 1000)
    expect(await savedSeq()).toBe(documents.seq)
  })

  it('after a crash, resumes from the saved position: judges the unsaved builds again, files nothing twice and misses nothing', async () => {
    await post(first, trusted)
    await post(first, trusted)
    const before = await unknownSigner(first)
    // Stored by ingest, and the server died before the rules ran: nothing has judged this build.
    const stored = await ingestBody(store, Buffer.from(JSON.stringify(envelope(stranger))), 'application/json', ingestContext(config))
    expect(stored.ok).toBe(true)
    // A new server on the same database, as after a restart.
    const restarted = alertEngine(store, config, Date.now)
    const outcome = await restarted.catchUp()
    // The two clean builds after the saved position, and the one never judged.
    expect(outcome.evaluated).toBe(3)
    expect(outcome.created).toEqual([])
    const after = await unknownSigner(server())
    expect(after.occurrences).toBe(before.occurrences + 1)
    expect(after.recentOccurrences.map((occurrence) => occurrence.buildId)).toEqual(expect.arrayContaining(before.recentOccurrences.map((occurrence) => occurrence.buildId)))
    expect(new Set(after.recentOccurrences.map((occurrence) => occurrence.buildId)).size).toBe(after.recentOccurrences.length)
    // Judging the same builds once more changes nothing.
    const again = alertEngine(store, config, Date.now)
    expect((await again.catchUp()).evaluated).toBe(0)
    expect((await unknownSigner(server())).occurrences).toBe(after.occurrences)
  })

  it('is saved when the server stops cleanly, so a restart judges nothing again', async () => {
    const stopping: (() => Promise<void>)[] = []
    const app = createApp({ store, config, version: 't', demo: false, onStop: (stop) => stopping.push(stop) })
    await post(app, trusted)
    // A clean build raises nothing, so its request left the saved position behind.
    const { seq } = await store.alerts.pending(0, 0, 1000)
    expect(await savedSeq()).toBeLessThan(seq)
    await Promise.all(stopping.map((stop) => stop()))
    expect(await savedSeq()).toBe(seq)
    expect((await alertEngine(store, config, Date.now).catchUp()).evaluated).toBe(0)
  })
})
