import { createHash, randomBytes, sign } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ArtifactDetail } from '../../../src/contract/artifacts'
import { IngestResponse } from '../../../src/contract/attestations'
import { DocumentVerification } from '../../../src/contract/documents'
import { Source, SyncStarted } from '../../../src/contract/sources'
import { createApp } from '../../app'
import { buildConfig, ingestContext, type Config } from '../../config'
import { ingestBody } from '../../ingest/ingest'
import { findRegistryBinary, listenLoopback, registryInstallHint, relay, startRegistry, type Descriptor, type TestRegistry } from '../../store/testing/registry'
import { newKey, tempStore } from '../../testing/documents'
import { SourceRunner } from '../runner'
import { attachCosignAttestations, attachCosignSignature, attachReferrer, provenanceEnvelope, pushImage, pushMultiArch, sbomEnvelope, simpleSigningPayload } from './fixtures'

/*
 * The OCI source against a real registry (Debian's docker-registry, the CNCF Distribution server), with images,
 * cosign attestations and signatures and an OCI 1.1 referrer pushed through the Distribution API. Faults the
 * registry cannot produce itself (token auth, 429, a manifest that is not JSON) come from a small proxy in front.
 */

if (findRegistryBinary() === null) throw new Error(registryInstallHint)

const key = newKey('release', 'ecdsa-p256')
const INGEST = 'sources-test-ingest'
const hash = (text: string) => createHash('sha256').update(text).digest('hex')

type Faults = {
  /** Bearer-token auth: tokens are valid until `expireTokens` is called. */
  tokenAuth: boolean
  /** Answer the next N requests with 429 and Retry-After: 1. */
  throttle: number
  /** Paths answered with bytes that are not JSON. */
  garbage: Set<string>
}

/** A proxy in front of the registry that plays an auth server and misbehaves on request. */
async function faultProxy(target: string): Promise<{ url: string; faults: Faults; expireTokens(): void; log: string[]; answers: string[]; close(): Promise<void> }> {
  const faults: Faults = { tokenAuth: false, throttle: 0, garbage: new Set() }
  let generation = 0
  const log: string[] = []
  /** `<status> <method> <path>` of each request the registry answered through the proxy. */
  const answers: string[] = []
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const path = request.url ?? '/'
      log.push(`${request.method} ${path}`)
      const origin = `http://${request.headers.host}`
      if (path.startsWith('/token')) {
        const basic = request.headers.authorization ?? ''
        if (basic !== `Basic ${Buffer.from('robot:s3cret').toString('base64')}`) {
          response.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}')
          return
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `token-${generation}` }))
        return
      }
      if (faults.tokenAuth && request.headers.authorization !== `Bearer token-${generation}`) {
        response
          .writeHead(401, { 'www-authenticate': `Bearer realm="${origin}/token",service="test-registry",scope="repository:acme/web:pull"`, 'content-type': 'application/json' })
          .end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}')
        return
      }
      if (faults.throttle > 0) {
        faults.throttle--
        response.writeHead(429, { 'retry-after': '1' }).end('slow down')
        return
      }
      if (faults.garbage.has(path)) {
        response.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end('<html>not a manifest</html>')
        return
      }
      const status = await relay(target, request, response)
      answers.push(`${status} ${request.method} ${path}`)
    })().catch((error: unknown) => response.writeHead(502).end(String(error)))
  })
  return { ...(await listenLoopback(server)), faults, log, answers, expireTokens: () => void generation++ }
}

function configFor(url: string, extra: Record<string, unknown> = {}): Config {
  return buildConfig(
    {
      trust: { keys: [{ id: key.id, publicKeyPem: key.publicKeyPem }] },
      tokens: [{ name: 'ingest', sha256: hash(INGEST), scopes: ['ingest'] }],
      sources: [{ name: 'registry', kind: 'oci', url, repositories: [{ name: 'acme/web' }], intervalSeconds: 3600, ...extra }],
    },
    'test config',
  )
}

async function world(url: string, extra: Record<string, unknown> = {}, env: Record<string, string> = {}) {
  const { store, dispose } = await tempStore()
  const config = configFor(url, extra)
  const runner = new SourceRunner({ store, config, env: (name) => env[name] })
  const app = createApp({ store, config, version: 'test', demo: false, sources: runner })
  const sync = async (): Promise<Source> => {
    const started = await app.request('/api/v1/sources/registry/sync', { method: 'POST', headers: { authorization: `Bearer ${INGEST}` } })
    expect(started.status).toBe(202)
    const body = SyncStarted.parse(await started.json())
    await runner.settled('registry')
    const response = await app.request(body.progressUrl)
    return Source.parse(await response.json())
  }
  const artifact = async (digest: string) => {
    const response = await app.request(`/api/v1/artifacts/${digest}`)
    expect(response.status).toBe(200)
    return ArtifactDetail.parse(await response.json())
  }
  return { store, config, runner, app, sync, artifact, dispose }
}

/** A signature by `key` over the simple-signing payload of another image: valid bytes, the wrong image. */
function signedBy(signer: ReturnType<typeof newKey>, target: TestRegistry, repository: string, image: string): Buffer {
  return sign('sha256', simpleSigningPayload(target, repository, image), signer.privateKey)
}

/** The cosign signatures a sync pulled for an image: the documents recorded with it as their subject, as served. */
async function signaturesOf(w: Awaited<ReturnType<typeof world>>, image: string) {
  const rows = (await w.store.sources.documentsOf('registry')).filter((row) => row.subject === image)
  const documents = await Promise.all(rows.map(async (row) => DocumentVerification.parse(await (await w.app.request(`/api/v1/documents/${row.documentId}/verification`)).json())))
  return documents.filter((document) => document.format === 'cosign-signature')
}

let registry: TestRegistry
let single: Descriptor
let multi: { index: Descriptor; platforms: Descriptor[] }

beforeAll(async () => {
  registry = await startRegistry()
  // acme/web:1.0, one image: a SLSA provenance by cosign's tag convention, a cosign signature, and an SBOM
  // attestation as an OCI 1.1 referrer (served through the referrers tag schema, as 2.8 has no referrers API).
  single = await pushImage(registry, 'acme/web', '1.0')
  await attachCosignAttestations(registry, 'acme/web', single.digest, [provenanceEnvelope(key, single.digest, 'acme/web')])
  await attachCosignSignature(registry, 'acme/web', single.digest, key)
  await attachReferrer(registry, 'acme/web', single, 'application/vnd.cyclonedx+json', sbomEnvelope(key, single.digest, 'acme/web'), 'application/vnd.dsse.envelope.v1+json')
  // acme/web:2.0, multi-arch: an attestation on each platform's image.
  multi = await pushMultiArch(registry, 'acme/web', '2.0')
  for (const platform of multi.platforms) await attachCosignAttestations(registry, 'acme/web', platform.digest, [provenanceEnvelope(key, platform.digest, `acme/web-${platform.platform?.architecture}`)])
}, 60_000)

afterAll(async () => {
  await registry?.stop()
})

describe('OCI source against a real registry', () => {
  it('finds attestations by tag convention and referrers, per platform, with the verdicts a push gets', async () => {
    const w = await world(registry.url)
    try {
      const source = await w.sync()
      expect(source.lastRun?.state).toBe('succeeded')
      expect(source.lastRun?.errors).toEqual([])
      // Single image: provenance, cosign signature and SBOM attestation; each platform image: one provenance.
      expect(source.lastRun?.documentsFound).toBe(5)
      expect(source.lastRun?.documentsIngested).toBe(5)
      expect(source.advice).toBeNull()
      expect(source.lastSuccessAt).not.toBeNull()
      expect(source.nextSyncAt).not.toBeNull()

      const image = await w.artifact(single.digest)
      // The provenance (by the .att tag), the SBOM attestation (by the referrers tag schema) and the cosign signature
      // (by the .sig tag, listed by the image digest it signs), all verified.
      expect(image.attestations.map((attestation) => [attestation.format, attestation.verification.status]).sort()).toEqual([
        ['cosign-signature', 'verified'],
        ['dsse', 'verified'],
        ['dsse', 'verified'],
      ])
      // The cosign signature (by the .sig tag), verified with the trusted key and recorded as the image's.
      const signatures = await signaturesOf(w, single.digest)
      expect(signatures.map((document) => [document.format, document.verification.status])).toEqual([['cosign-signature', 'verified']])
      expect(signatures[0]?.verification.checks.find((check) => check.name === 'image-signature')).toMatchObject({ ok: true, actual: `verifies with ecdsa-p256 key ${key.id}` })
      expect(image.attestations.map((attestation) => attestation.predicateType)).toContain('https://slsa.dev/provenance/v1')
      expect(image.producedBy?.sourceRepo).toBe('https://github.com/acme/web')
      expect(image.sbom?.subject.name).toBe('acme/web')
      for (const platform of multi.platforms) {
        const detail = await w.artifact(platform.digest)
        expect(detail.attestations.map((attestation) => attestation.verification.status)).toEqual(['verified'])
      }

      // The same bytes pushed to a fresh store get the same verdict: one ingest path.
      const { store: other, dispose } = await tempStore()
      try {
        for (const row of await w.store.sources.documentsOf('registry')) {
          const stored = await w.store.documents.get(row.documentId)
          if (stored === null) throw new Error(`document ${row.documentId} missing`)
          const pushed = await ingestBody(other, Buffer.from(stored.raw), 'application/json', ingestContext(w.config))
          if (!pushed.ok) throw new Error(pushed.error.message)
          const body = IngestResponse.parse(pushed.body)
          expect(body.documents[0]?.verification.status).toBe(stored.verification.status)
          expect(body.documents[0]?.verification.checks).toEqual(stored.verification.checks)
          expect(row.origin).toMatch(new RegExp(`^${registry.url}/v2/acme/web/blobs/sha256:`))
        }
      } finally {
        await dispose()
      }
    } finally {
      await w.dispose()
    }
  }, 60_000)

  it('reads nothing again when nothing changed, and only the new attestation when one is added', async () => {
    const w = await world(registry.url)
    try {
      await w.sync()
      const documents = await w.store.documents.count()
      const second = await w.sync()
      expect(second.lastRun?.state).toBe('succeeded')
      expect(second.lastRun?.documentsIngested).toBe(0)
      // The images with something attached: the single image and each platform's (the index itself has none).
      expect(second.lastRun?.unchanged).toBe(3)
      expect(await w.store.documents.count()).toBe(documents)

      const image = await pushImage(registry, 'acme/web', '3.0')
      await attachCosignAttestations(registry, 'acme/web', image.digest, [provenanceEnvelope(key, image.digest, 'acme/web')])
      const third = await w.sync()
      expect(third.lastRun?.documentsIngested).toBe(1)
      expect(third.lastRun?.unchanged).toBe(3)
      expect(await w.store.documents.count()).toBe(documents + 1)
      expect(third.documentsIngested).toBe(documents + 1)
    } finally {
      await w.dispose()
    }
  }, 60_000)

  it('asks each attachment tag once when nothing changed, and follows a moved tag and an attestation added to an .att tag', async () => {
    const repo = `moving/app${randomBytes(3).toString('hex')}`
    const first = await pushImage(registry, repo, 'stable')
    await attachCosignAttestations(registry, repo, first.digest, [provenanceEnvelope(key, first.digest, repo)])
    const other = await pushImage(registry, repo, 'other')
    const otherProvenance = provenanceEnvelope(key, other.digest, repo)
    await attachCosignAttestations(registry, repo, other.digest, [otherProvenance])
    // An image with nothing attached is never asked about.
    await pushImage(registry, repo, 'bare')
    const proxy = await faultProxy(registry.url)
    const all = await world(proxy.url, { repositories: [{ name: repo }] })
    const stableOnly = await world(registry.url, { repositories: [{ name: repo, tags: ['stable'] }] })
    try {
      expect((await all.sync()).lastRun).toMatchObject({ state: 'succeeded', documentsIngested: 2 })
      expect((await stableOnly.sync()).lastRun).toMatchObject({ state: 'succeeded', documentsIngested: 1 })

      proxy.answers.length = 0
      const quiet = await all.sync()
      expect(quiet.lastRun).toMatchObject({ state: 'succeeded', documentsIngested: 0, unchanged: 2, errors: [] })
      // One listing, one look for the referrers API, and one conditional request per .att tag, answered 304 Not
      // Modified; no image tag is resolved and no manifest or blob read.
      const attTags = [first.digest, other.digest].map((digest) => `/v2/${repo}/manifests/${digest.replace(':', '-')}.att`)
      expect(proxy.answers.filter((line) => !line.includes('/referrers/')).sort()).toEqual([...attTags.map((path) => `304 GET ${path}`), `200 GET /v2/${repo}/tags/list?n=1000`].sort())
      expect(proxy.answers.filter((line) => line.includes('/referrers/'))).toHaveLength(1)

      // `stable` moves to a new image with its own attestation; `other` gets an SBOM attestation appended to its
      // .att tag, as `cosign attest` does: the same manifest with one more layer, pushed under the same tag.
      const moved = await pushImage(registry, repo, 'stable')
      await attachCosignAttestations(registry, repo, moved.digest, [provenanceEnvelope(key, moved.digest, repo)])
      await attachCosignAttestations(registry, repo, other.digest, [otherProvenance, sbomEnvelope(key, other.digest, repo)])

      const after = await all.sync()
      expect(after.lastRun).toMatchObject({ state: 'succeeded', documentsIngested: 2, unchanged: 1, errors: [] })
      expect((await all.artifact(moved.digest)).attestations.map((attestation) => attestation.verification.status)).toEqual(['verified'])
      const otherPage = await all.artifact(other.digest)
      expect(otherPage.attestations.map((attestation) => attestation.verification.status)).toEqual(['verified', 'verified'])
      expect(otherPage.sbom?.subject.name).toBe(repo)

      // A source limited to `stable` resolves that tag, follows it to the new image, and reads nothing of `other`.
      const limited = await stableOnly.sync()
      expect(limited.lastRun).toMatchObject({ state: 'succeeded', documentsIngested: 1, errors: [] })
      expect((await stableOnly.artifact(moved.digest)).attestations.map((attestation) => attestation.verification.status)).toEqual(['verified'])
      expect((await stableOnly.store.sources.documentsOf('registry')).map((row) => row.subject).sort()).toEqual([first.digest, moved.digest].sort())
    } finally {
      await all.dispose()
      await stableOnly.dispose()
      await proxy.close()
    }
  }, 90_000)

  it('judges cosign signatures by the .sig tag: neither one made over another image nor one by an unknown key is verified', async () => {
    const repo = `signed/app${randomBytes(3).toString('hex')}`
    const forged = await pushImage(registry, repo, 'forged')
    await attachCosignSignature(registry, repo, forged.digest, null, signedBy(key, registry, repo, single.digest).toString('base64'))
    const stranger = await pushImage(registry, repo, 'stranger')
    await attachCosignSignature(registry, repo, stranger.digest, newKey('someone-else', 'ecdsa-p256'))
    const w = await world(registry.url, { repositories: [{ name: repo }] })
    try {
      const source = await w.sync()
      expect(source.lastRun?.errors).toEqual([])
      expect(source.lastRun?.documentsIngested).toBe(2)
      // A trusted key's signature over another image's payload does not verify over this one's. cosign names no
      // key in a signature, so one that no trusted key verifies reads as a stranger's: not judged, never verified.
      const onForged = await signaturesOf(w, forged.digest)
      expect(onForged.map((document) => [document.format, document.verification.status])).toEqual([['cosign-signature', 'untrusted']])
      const onStranger = await signaturesOf(w, stranger.digest)
      expect(onStranger.map((document) => [document.format, document.verification.status])).toEqual([['cosign-signature', 'untrusted']])
      expect(onStranger[0]?.verification.checks.find((check) => check.name === 'image-signature')?.actual).toMatch(/^not judged: no key this server has/)
    } finally {
      await w.dispose()
    }
  }, 60_000)

  it('fetches a token with the basic credentials, fetches it again when it expires, and waits out 429', async () => {
    const proxy = await faultProxy(registry.url)
    proxy.faults.tokenAuth = true
    const w = await world(proxy.url, { auth: { usernameEnv: 'REG_USER', passwordEnv: 'REG_PASS' } }, { REG_USER: 'robot', REG_PASS: 's3cret' })
    try {
      const first = await w.sync()
      expect(first.lastRun?.errors).toEqual([])
      expect(first.lastRun?.documentsFound).toBeGreaterThanOrEqual(4)
      expect(proxy.log.filter((line) => line.startsWith('GET /token')).length).toBe(1)

      proxy.expireTokens()
      proxy.faults.throttle = 2
      const again = await w.sync()
      expect(again.lastRun?.state).toBe('succeeded')
      expect(again.lastRun?.errors).toEqual([])
      expect(proxy.log.filter((line) => line.startsWith('GET /token')).length).toBe(2)
      expect(proxy.faults.throttle).toBe(0)
    } finally {
      await w.dispose()
      await proxy.close()
    }
  }, 60_000)

  it('says the credentials were refused, with the URL and status, and what to check', async () => {
    const proxy = await faultProxy(registry.url)
    proxy.faults.tokenAuth = true
    const w = await world(proxy.url, { auth: { usernameEnv: 'REG_USER', passwordEnv: 'REG_PASS' } }, { REG_USER: 'robot', REG_PASS: 'wrong' })
    try {
      const source = await w.sync()
      expect(source.lastRun?.state).toBe('failed')
      expect(source.lastRun?.errors[0]).toMatchObject({ status: 401, url: `${proxy.url}/token?service=test-registry&scope=repository%3Aacme%2Fweb%3Apull` })
      expect(source.lastRun?.errors[0]?.message).toMatch(/token endpoint answered 401 Unauthorized: check the credentials/)
      expect(source.advice).toMatch(/refused access/)
      expect(source.consecutiveFailures).toBe(1)
    } finally {
      await w.dispose()
      await proxy.close()
    }
  }, 30_000)

  it('reports a manifest that is not JSON and a referrer whose blob is missing, and reads the rest', async () => {
    const repo = `broken/app${randomBytes(3).toString('hex')}`
    const good = await pushImage(registry, repo, 'good')
    await attachCosignAttestations(registry, repo, good.digest, [provenanceEnvelope(key, good.digest, repo)])
    const bad = await pushImage(registry, repo, 'bad')
    await attachCosignAttestations(registry, repo, bad.digest, [provenanceEnvelope(key, bad.digest, repo)])
    const missing = await pushImage(registry, repo, 'missing-blob')
    const envelope = provenanceEnvelope(key, missing.digest, repo)
    await attachCosignAttestations(registry, repo, missing.digest, [envelope])
    const blob = `sha256:${createHash('sha256').update(envelope).digest('hex')}`
    const deleted = await fetch(`${registry.url}/v2/${repo}/blobs/${blob}`, { method: 'DELETE' })
    expect(deleted.status).toBe(202)

    const proxy = await faultProxy(registry.url)
    proxy.faults.garbage.add(`/v2/${repo}/manifests/${bad.digest.replace(':', '-')}.att`)
    const w = await world(proxy.url, { repositories: [{ name: repo }] })
    try {
      const source = await w.sync()
      expect(source.lastRun?.state).toBe('partial')
      expect(source.lastRun?.documentsFound).toBe(1)
      const errors = source.lastRun?.errors ?? []
      expect(errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ url: `${proxy.url}/v2/${repo}/manifests/${bad.digest.replace(':', '-')}.att`, message: expect.stringMatching(/manifest is not JSON/) }),
          expect.objectContaining({ url: `${proxy.url}/v2/${repo}/blobs/${blob}`, status: 404, message: expect.stringMatching(/BLOB_UNKNOWN/) }),
        ]),
      )
      // The failed image is not remembered: the next sync tries it again (and fails again, visibly).
      const again = await w.sync()
      expect(again.lastRun?.errors.some((error) => error.status === 404)).toBe(true)
      expect(again.lastRun?.unchanged).toBe(1)
    } finally {
      await w.dispose()
      await proxy.close()
    }
  }, 60_000)

  it('says the registry is down, then reads everything once it is back', async () => {
    const w = await world(registry.url)
    try {
      await registry.kill()
      const down = await w.sync()
      expect(down.lastRun?.state).toBe('failed')
      expect(down.lastRun?.errors[0]).toMatchObject({ status: null, url: `${registry.url}/v2/acme/web/tags/list?n=1000` })
      expect(down.lastRun?.errors[0]?.message).toMatch(/could not reach 127\.0\.0\.1/)
      expect(down.advice).toMatch(/could not reach/)
      // Backoff: after a failure the next try comes after a quarter of the interval, not the whole of it.
      expect(Date.parse(down.nextSyncAt ?? '') - Date.parse(down.lastRun?.finishedAt ?? '')).toBe(900_000)
      await registry.restart()
      const back = await w.sync()
      expect(back.lastRun?.state).toBe('succeeded')
      expect(back.lastRun?.documentsIngested).toBeGreaterThanOrEqual(4)
      expect(back.advice).toBeNull()
    } finally {
      await w.dispose()
    }
  }, 60_000)

  it('a sync stopped half way is marked interrupted, and the next one stores the rest: nothing twice, nothing lost', async () => {
    const repo = `many/app${randomBytes(3).toString('hex')}`
    const images: Descriptor[] = []
    for (let index = 0; index < 12; index++) {
      const image = await pushImage(registry, repo, `v${index}`)
      await attachCosignAttestations(registry, repo, image.digest, [provenanceEnvelope(key, image.digest, repo)])
      images.push(image)
    }
    const w = await world(registry.url, { repositories: [{ name: repo }], concurrency: 1 })
    try {
      const started = w.runner.syncNow('registry', 'on-demand')
      expect(started?.alreadyRunning).toBe(false)
      // Stop the server's runner once a few images are stored, as a shutdown in the middle of a sync does.
      while ((await w.store.documents.count()) < 3) await new Promise((resolve) => setTimeout(resolve, 5))
      await w.runner.stop()
      const stopped = await w.runner.get('registry')
      expect(stopped?.lastRun?.state).toBe('interrupted')
      const partial = await w.store.documents.count()
      expect(partial).toBeLessThan(12)

      const restarted = new SourceRunner({ store: w.store, config: w.config })
      restarted.syncNow('registry', 'on-demand')
      await restarted.settled('registry')
      const done = await restarted.get('registry')
      expect(done?.lastRun?.state).toBe('succeeded')
      expect(done?.lastRun?.documentsIngested).toBe(12 - partial)
      expect(await w.store.documents.count()).toBe(12)
      expect((await w.store.sources.documentsOf('registry')).length).toBe(12)
      for (const image of images) {
        const response = await w.app.request(`/api/v1/artifacts/${image.digest}`)
        expect(ArtifactDetail.parse(await response.json()).attestations).toHaveLength(1)
      }
    } finally {
      await w.dispose()
    }
  }, 60_000)

  it('answers 404 naming the configured sources, and 401 to a sync without a token', async () => {
    const w = await world(registry.url)
    try {
      const unknown = await w.app.request('/api/v1/sources/nope')
      expect(unknown.status).toBe(404)
      expect(await unknown.json()).toMatchObject({ error: { path: 'path.name', message: 'no source named nope; configured: registry' } })
      const bad = await w.app.request('/api/v1/sources/Not_A_Name')
      expect(bad.status).toBe(400)
      const anonymous = await w.app.request('/api/v1/sources/registry/sync', { method: 'POST' })
      expect(anonymous.status).toBe(401)
      const list = await w.app.request('/api/v1/sources')
      const body = (await list.json()) as { items: Source[] }
      expect(body.items.map((item) => [item.name, item.kind, item.coverage, item.advice])).toEqual([['registry', 'oci', ['acme/web (all tags)'], 'Not synced yet. Press Sync now, or wait for the first scheduled sync.']])
    } finally {
      await w.dispose()
    }
  })
})
