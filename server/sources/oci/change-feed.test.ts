import { serve, type ServerType } from '@hono/node-server'
import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArtifactDetail } from '../../../src/contract/artifacts'
import { Source, SourceEventsAccepted } from '../../../src/contract/sources'
import { createApp } from '../../app'
import { buildConfig } from '../../config'
import { findRegistryBinary, freePort, listenLoopback, registryInstallHint, relay, startRegistry, type TestRegistry } from '../../store/testing/registry'
import { newKey, tempStore } from '../../testing/documents'
import { SourceRunner } from '../runner'
import { attachCosignAttestations, provenanceEnvelope, pushImage, sbomEnvelope } from './fixtures'
import { EVENTS_MEDIA_TYPE } from './events'

/*
 * The change feed against a real registry: Debian's docker-registry (CNCF Distribution) configured with
 * `notifications: endpoints:` pointing at this test's server, so the events are the registry's own. Every request
 * the source sends to the registry goes through a counting proxy, so "no request" is measured, not assumed.
 */

if (findRegistryBinary() === null) throw new Error(registryInstallHint)

const key = newKey('release', 'ecdsa-p256')
const INGEST = 'feed-test-ingest'
const READ_ONLY = 'feed-test-read'
const hash = (text: string) => createHash('sha256').update(text).digest('hex')
const REPO = 'feed/app'

/** Forwards to the registry and records `<method> <path>` of each request. */
async function countingProxy(target: string): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = []
  const server: Server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url ?? '/'}`)
    relay(target, request, response).catch((error: unknown) => response.writeHead(502).end(String(error)))
  })
  return { ...(await listenLoopback(server)), requests }
}

let registry: TestRegistry
let proxy: Awaited<ReturnType<typeof countingProxy>>
let http: ServerType
let base: string
let offsetMs = 0
let world: { store: Awaited<ReturnType<typeof tempStore>>['store']; runner: SourceRunner; app: ReturnType<typeof createApp>; dispose: () => Promise<void> }

const source = async (): Promise<Source> => Source.parse(await (await fetch(`${base}/api/v1/sources/feed`)).json())

/** Waits until the registry's events have arrived: `pending` events stored and waiting for a sync. */
async function eventsArrived(pending: number): Promise<Source> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const current = await source()
    if ((current.changeFeed?.pendingEvents ?? 0) >= pending) return current
    if (Date.now() > deadline) throw new Error(`the registry's events did not arrive: ${JSON.stringify(current.changeFeed)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function scheduledSync(): Promise<Source> {
  world.runner.syncNow('feed', 'scheduled')
  await world.runner.settled('feed')
  return source()
}

async function artifact(digest: string) {
  const response = await fetch(`${base}/api/v1/artifacts/${digest}`)
  expect(response.status).toBe(200)
  return ArtifactDetail.parse(await response.json())
}

const postEvents = (body: string, headers: Record<string, string> = {}, name = 'feed') =>
  fetch(`${base}/api/v1/sources/${name}/events`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}`, 'content-type': EVENTS_MEDIA_TYPE, ...headers }, body })

beforeAll(async () => {
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  registry = await startRegistry({ notifications: { url: `${base}/api/v1/sources/feed/events`, token: INGEST } })
  proxy = await countingProxy(registry.url)
  const { store, dispose } = await tempStore()
  const config = buildConfig(
    {
      trust: { keys: [{ id: key.id, publicKeyPem: key.publicKeyPem }] },
      tokens: [
        { name: 'ingest', sha256: hash(INGEST), scopes: ['ingest'] },
        { name: 'reader', sha256: hash(READ_ONLY), scopes: ['read'] },
      ],
      sources: [
        { name: 'feed', kind: 'oci', url: proxy.url, repositories: [{ name: REPO }], intervalSeconds: 3600, changeFeed: { fullCheckSeconds: 3600 } },
        { name: 'polled', kind: 'oci', url: proxy.url, repositories: [{ name: REPO }] },
      ],
    },
    'test config',
  )
  const runner = new SourceRunner({ store, config, now: () => Date.now() + offsetMs })
  const app = createApp({ store, config, version: 'test', demo: false, sources: runner })
  world = { store, runner, app, dispose }
  http = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' })
  await new Promise((resolve) => http.once('listening', resolve))
}, 60_000)

afterAll(async () => {
  await registry?.stop()
  await proxy?.close()
  await new Promise((resolve) => http?.close(resolve))
  await world?.dispose()
})

describe('OCI change feed (registry notifications) against a real registry', () => {
  it('stores the registry’s events, and a scheduled sync reads only what they name: nothing new is no request at all', async () => {
    const first = await pushImage(registry, REPO, '1.0')
    const firstProvenance = provenanceEnvelope(key, first.digest, REPO)
    await attachCosignAttestations(registry, REPO, first.digest, [firstProvenance])
    // Two manifest pushes (the image's tag, its .att tag); the blob uploads are not sent (ignore: mediatypes).
    const waiting = await eventsArrived(2)
    expect(waiting.changeFeed).toMatchObject({ eventsPath: '/api/v1/sources/feed/events', fullCheckSeconds: 3600, lastFullCheckAt: null })
    expect(waiting.changeFeed?.lastEventAt).not.toBeNull()

    // "Sync now" is a full check: it lists the tags, and takes the events it covered as read.
    proxy.requests.length = 0
    expect((await fetch(`${base}/api/v1/sources/feed/sync`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}` } })).status).toBe(202)
    await world.runner.settled('feed')
    const afterFull = await source()
    expect(afterFull.lastRun).toMatchObject({ state: 'succeeded', mode: 'full', documentsIngested: 1 })
    expect(afterFull.changeFeed).toMatchObject({ pendingEvents: 0 })
    expect(afterFull.changeFeed?.lastFullCheckAt).not.toBeNull()
    expect(proxy.requests).toContain(`GET /v2/${REPO}/tags/list?n=1000`)

    // Nothing new: the scheduled sync reads the (no) events and sends the registry nothing.
    proxy.requests.length = 0
    const quiet = await scheduledSync()
    expect(quiet.lastRun).toMatchObject({ state: 'succeeded', mode: 'changes', changeEvents: 0, documentsIngested: 0, errors: [] })
    expect(proxy.requests).toEqual([])

    // A new image with an attestation: its events arrive, and the feed-driven sync reads that image's .att tag
    // and the layer under it, and nothing else (no tag listing, no other image).
    const second = await pushImage(registry, REPO, '2.0')
    await attachCosignAttestations(registry, REPO, second.digest, [provenanceEnvelope(key, second.digest, REPO)])
    await eventsArrived(2)
    proxy.requests.length = 0
    const fed = await scheduledSync()
    expect(fed.lastRun).toMatchObject({ state: 'succeeded', mode: 'changes', documentsIngested: 1, errors: [] })
    expect(fed.lastRun?.changeEvents).toBeGreaterThanOrEqual(2)
    expect(proxy.requests.length).toBeGreaterThan(0)
    for (const request of proxy.requests) expect(request).toMatch(new RegExp(`^GET /v2/${REPO}/(manifests/${second.digest.replace(':', '-')}\\.att|blobs/sha256:[0-9a-f]{64})$`))
    expect((await artifact(second.digest)).attestations.map((attestation) => attestation.verification.status)).toEqual(['verified'])
    expect(fed.changeFeed?.pendingEvents).toBe(0)

    // An attestation appended to an existing .att manifest (as `cosign attest` does) moves the tag: found too.
    await attachCosignAttestations(registry, REPO, first.digest, [firstProvenance, sbomEnvelope(key, first.digest, REPO)])
    await eventsArrived(1)
    const appended = await scheduledSync()
    expect(appended.lastRun).toMatchObject({ state: 'succeeded', mode: 'changes', changeEvents: 1, documentsIngested: 1, errors: [] })
    const firstPage = await artifact(first.digest)
    expect(firstPage.attestations.map((attestation) => attestation.verification.status)).toEqual(['verified', 'verified'])
    expect(firstPage.sbom?.subject.name).toBe(REPO)
  }, 120_000)

  it('catches an event that never arrived by the periodic full check', async () => {
    const lost = await pushImage(registry, REPO, '3.0')
    await attachCosignAttestations(registry, REPO, lost.digest, [provenanceEnvelope(key, lost.digest, REPO)])
    await eventsArrived(2)
    // As if the registry had dropped them (it keeps undelivered events in memory only).
    await world.store.sources.pruneEvents('feed', await world.store.sources.lastEventSeq('feed'))
    const missed = await scheduledSync()
    expect(missed.lastRun).toMatchObject({ state: 'succeeded', mode: 'changes', changeEvents: 0, documentsIngested: 0 })

    offsetMs = 3600 * 1000
    const checked = await scheduledSync()
    expect(checked.lastRun).toMatchObject({ state: 'succeeded', mode: 'full', documentsIngested: 1, errors: [] })
    expect((await artifact(lost.digest)).attestations.map((attestation) => attestation.verification.status)).toEqual(['verified'])
  }, 120_000)

  it('answers a bad delivery with a 4xx naming what is wrong, and stores nothing of it', async () => {
    const before = await world.store.sources.lastEventSeq('feed')
    const valid = { id: 'manual-1', action: 'push', target: { repository: REPO, tag: 'sha256-' + 'a'.repeat(64) + '.att', mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:' + 'b'.repeat(64) } }

    const notJson = await postEvents('{"events": [')
    expect(notJson.status).toBe(400)
    expect(await notJson.json()).toMatchObject({ error: { code: 'invalid-json', path: 'body' } })

    const noRepository = await postEvents(JSON.stringify({ events: [valid, { id: 'manual-2', action: 'push', target: { tag: 'latest' } }] }))
    expect(noRepository.status).toBe(400)
    expect(await noRepository.json()).toMatchObject({ error: { code: 'invalid-events', path: 'body.events.1.target.repository' } })

    const noEvents = await postEvents(JSON.stringify({ event: [valid] }))
    expect(noEvents.status).toBe(400)
    expect(await noEvents.json()).toMatchObject({ error: { code: 'invalid-events', path: 'body.events' } })

    const wrongType = await postEvents(JSON.stringify({ events: [valid] }), { 'content-type': 'text/plain' })
    expect(wrongType.status).toBe(415)
    expect(await wrongType.json()).toMatchObject({ error: { code: 'unsupported-media-type', path: 'header.content-type' } })

    const anonymous = await fetch(`${base}/api/v1/sources/feed/events`, { method: 'POST', headers: { 'content-type': EVENTS_MEDIA_TYPE }, body: JSON.stringify({ events: [valid] }) })
    expect(anonymous.status).toBe(401)
    const readOnly = await postEvents(JSON.stringify({ events: [valid] }), { authorization: `Bearer ${READ_ONLY}` })
    expect(readOnly.status).toBe(403)

    const noFeed = await postEvents(JSON.stringify({ events: [valid] }), {}, 'polled')
    expect(noFeed.status).toBe(409)
    expect(await noFeed.json()).toMatchObject({ error: { code: 'change-feed-not-configured', path: 'path.name' } })
    const unknown = await postEvents(JSON.stringify({ events: [valid] }), {}, 'nowhere')
    expect(unknown.status).toBe(404)

    expect(await world.store.sources.lastEventSeq('feed')).toBe(before)

    // A good delivery: pulls and other repositories are ignored, and a retried delivery is stored once.
    const delivery = JSON.stringify({
      events: [valid, { id: 'manual-3', action: 'pull', target: { repository: REPO, tag: '1.0' } }, { id: 'manual-4', action: 'push', target: { repository: 'other/app', tag: '1.0' } }],
    })
    const accepted = SourceEventsAccepted.parse(await (await postEvents(delivery)).json())
    expect(accepted).toEqual({ name: 'feed', received: 3, stored: 1, duplicates: 0, ignored: 2 })
    const retried = SourceEventsAccepted.parse(await (await postEvents(delivery)).json())
    expect(retried).toEqual({ name: 'feed', received: 3, stored: 0, duplicates: 1, ignored: 2 })
  }, 60_000)
})
