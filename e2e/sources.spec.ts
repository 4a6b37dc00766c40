import { createServer, type Server } from 'node:http'
import type { Descriptor } from '../server/store/testing/registry'
import { listenLoopback, relay, startRegistry, type TestRegistry } from '../server/store/testing/registry'
import { attachCosignAttestations, attachCosignSignature, attachReferrer, provenanceEnvelope, pushImage, sbomEnvelope } from '../server/sources/oci/fixtures'
import { startServer, type RunningServer } from '../server/testing/run-server'
import { expect, test } from './fixtures'

/*
 * A real registry (Debian's docker-registry) holding a signed image with a SLSA attestation (cosign's .att tag),
 * a cosign signature (.sig) and an SBOM attestation (an OCI 1.1 referrer, through the referrers tag schema), and
 * a server configured with it as a source. Requests reach the registry through a small proxy that adds 40 ms a
 * request, as a registry across a network would, so a sync lasts long enough to be watched.
 */

async function slowProxy(target: string | (() => string), delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    void (async () => {
      await new Promise((resolve) => setTimeout(resolve, delayMs))
      await relay(typeof target === 'string' ? target : target(), request, response)
    })().catch((error: unknown) => response.writeHead(502).end(String(error)))
  })
  return listenLoopback(server)
}

let registry: TestRegistry
let proxy: { url: string; close(): Promise<void> }

test.beforeAll(async () => {
  registry = await startRegistry()
  proxy = await slowProxy(registry.url, 40)
})
test.afterAll(async () => {
  await proxy?.close()
  await registry?.stop()
})

const sourceConfig = (repository: string) => ({
  sources: [{ name: 'test-registry', kind: 'oci', url: proxy.url, repositories: [{ name: repository }], intervalSeconds: 3600, concurrency: 1 }],
})

async function waitForIdle(server: RunningServer): Promise<void> {
  // The scheduler's first sync runs shortly after start; the tests start theirs once it is done.
  await expect
    .poll(async () => {
      const body = (await (await fetch(`${server.url}/api/v1/sources/test-registry`)).json()) as { lastRun: { state: string } | null }
      return body.lastRun?.state ?? 'none'
    }, { timeout: 60_000 })
    .toMatch(/^(succeeded|partial|failed)$/)
}

async function pushSigned(server: RunningServer, repository: string, tag: string): Promise<Descriptor> {
  const image = await pushImage(registry, repository, tag)
  await attachCosignAttestations(registry, repository, image.digest, [provenanceEnvelope(server.key, image.digest, repository)])
  await attachCosignSignature(registry, repository, image.digest, server.key)
  await attachReferrer(registry, repository, image, 'application/vnd.cyclonedx+json', sbomEnvelope(server.key, image.digest, repository), 'application/vnd.dsse.envelope.v1+json')
  return image
}

test('Sync now pulls a signed image’s SLSA attestation and SBOM from the registry, with progress, onto its artifact page', async ({ guardedPage: page }) => {
  test.setTimeout(120_000)
  let server: RunningServer | null = null
  try {
    server = await startServer({ config: sourceConfig('acme/web') })
    await waitForIdle(server)
    // Other attested images in the repository make the sync long enough to watch (an image with nothing attached
    // is not even asked about); the one under test is pushed last.
    for (let index = 0; index < 12; index++) {
      const old = await pushImage(registry, 'acme/web', `old-${index}`)
      await attachCosignAttestations(registry, 'acme/web', old.digest, [provenanceEnvelope(server.key, old.digest, 'acme/web')])
    }
    const image = await pushSigned(server, 'acme/web', '1.0')

    await page.goto(`${server.url}/sources`)
    const card = page.getByRole('region', { name: 'test-registry' })
    await expect(card.getByText(`OCI registry at ${proxy.url}`)).toBeVisible()
    await expect(card.getByText('acme/web (all tags)')).toBeVisible()

    // Starting a sync needs the ingest scope: the page asks for such a token when Sync now is refused.
    await card.getByRole('button', { name: 'Sync now' }).click()
    await expect(card.getByText(/Starting a sync needs a token with the ingest scope/)).toBeVisible()
    await card.getByLabel('Ingest token').fill(server.ingestToken)
    await card.getByRole('button', { name: 'Sync with this token' }).click()
    const progress = card.getByRole('progressbar', { name: 'Sync progress of test-registry' })
    await expect(progress).toBeVisible()
    await expect(card.getByRole('button', { name: 'Syncing…' })).toBeDisabled()
    await expect(card.getByText(/^Syncing: \d+ of 13 items/)).toBeVisible()
    await expect(card.getByText(/^Succeeded: 13 of 13 items · 15 documents found, 15 new/)).toBeVisible({ timeout: 60_000 })
    await expect(progress).toBeHidden()
    await expect(card.getByRole('button', { name: 'Sync now' })).toBeEnabled()

    await page.goto(`${server.url}/artifacts/${image.digest}`)
    const attestations = page.getByRole('region', { name: /^Attestations and signatures/ })
    // The SLSA provenance and the SBOM attestation (DSSE), and the cosign signature found by the digest it signs.
    await expect(attestations.getByRole('article')).toHaveCount(3)
    await expect(attestations.getByRole('article').filter({ has: page.getByText('Verified', { exact: true }) })).toHaveCount(3)
    await expect(attestations.getByRole('article', { name: 'DSSE envelope · https://slsa.dev/provenance/v1' }).getByText('Verified', { exact: true })).toBeVisible()
    await expect(attestations.getByRole('article', { name: /^cosign image signature/ }).getByText('Verified', { exact: true })).toBeVisible()
    const sbom = page.getByRole('region', { name: 'Software bill of materials' })
    await expect(sbom.getByText('CycloneDX 1.6')).toBeVisible()
    await expect(sbom.getByText('cdxgen')).toBeVisible()
  } finally {
    await server?.stop()
  }
})

test('a sync killed with the server (kill -9) says so on /sources, and the next one stores the rest: nothing twice, nothing lost', async ({ guardedPage: page }) => {
  test.setTimeout(180_000)
  const repository = 'acme/many'
  let server: RunningServer | null = null
  try {
    const images: Descriptor[] = []
    server = await startServer({ config: sourceConfig(repository) })
    await waitForIdle(server)
    for (let index = 0; index < 30; index++) {
      const image = await pushImage(registry, repository, `v${index}`)
      await attachCosignAttestations(registry, repository, image.digest, [provenanceEnvelope(server.key, image.digest, repository)])
      images.push(image)
    }
    const started = await fetch(`${server.url}/api/v1/sources/test-registry/sync`, { method: 'POST', headers: { authorization: `Bearer ${server.ingestToken}` } })
    expect(started.status).toBe(202)
    await expect
      .poll(async () => ((await (await fetch(`${server?.url}/api/v1/sources/test-registry`)).json()) as { lastRun: { documentsIngested: number } }).lastRun.documentsIngested, { timeout: 60_000 })
      .toBeGreaterThanOrEqual(3)
    await server.crash()
    server = await server.restart()

    await page.goto(`${server.url}/sources`)
    const card = page.getByRole('region', { name: 'test-registry' })
    await expect(card.getByText(/^Interrupted: /)).toBeVisible()
    await expect(card.getByRole('list', { name: 'Errors of the last sync' }).getByText(/the server stopped during this sync/)).toBeVisible()

    // The restarted server's own first sync (15 s after start) resumes; wait for it rather than race it.
    await waitForIdle(server)
    await page.reload()
    await expect(card.getByText(/^Succeeded: /)).toBeVisible({ timeout: 60_000 })
    for (const image of images) {
      const detail = (await (await fetch(`${server.url}/api/v1/artifacts/${image.digest}`)).json()) as { attestations: unknown[] }
      expect(detail.attestations).toHaveLength(1)
    }
    const source = (await (await fetch(`${server.url}/api/v1/sources/test-registry`)).json()) as { documentsFound: number; documentsIngested: number }
    expect(source).toMatchObject({ documentsFound: 30, documentsIngested: 30 })
  } finally {
    await server?.stop()
  }
})

test('a registry’s notifications make /sources show the change feed live, and the sync they start stores a pushed image’s attestation', async ({ guardedPage: page }) => {
  test.setTimeout(180_000)
  const repository = 'feed/web'
  let server: RunningServer | null = null
  let feedRegistry: TestRegistry | null = null
  // The registry is started after the server (its notifications go to the server's URL and token), so the source
  // points at a proxy whose target is set once the registry is up.
  let target = 'http://127.0.0.1:9'
  const late = await slowProxy(() => target, 0)
  const state = async () => (await (await fetch(`${server?.url}/api/v1/sources/feed-registry`)).json()) as { lastRun: { state: string; mode?: string } | null; changeFeed: { lastEventAt: string | null; lastFullCheckAt: string | null } }
  try {
    server = await startServer({
      config: { sources: [{ name: 'feed-registry', kind: 'oci', url: late.url, repositories: [{ name: repository }], intervalSeconds: 3600, changeFeed: { delaySeconds: 1 } }] },
    })
    feedRegistry = await startRegistry({ notifications: { url: `${server.url}/api/v1/sources/feed-registry/events`, token: server.ingestToken } })
    target = feedRegistry.url
    const first = await pushImage(feedRegistry, repository, '1.0')
    await attachCosignAttestations(feedRegistry, repository, first.digest, [provenanceEnvelope(server.key, first.digest, repository)])

    await page.goto(`${server.url}/sources`)
    const card = page.getByRole('region', { name: 'feed-registry' })
    await expect(card.getByText(/^live: last event/)).toBeVisible({ timeout: 30_000 })

    // A full check first (Sync now; the scheduler's own first sync may be it), after which syncs read the feed.
    await expect
      .poll(async () => {
        const current = await state()
        if (current.lastRun?.state === 'running') return 'running'
        if (current.changeFeed.lastFullCheckAt !== null) return 'checked'
        await fetch(`${server?.url}/api/v1/sources/feed-registry/sync`, { method: 'POST', headers: { authorization: `Bearer ${server?.ingestToken}` } })
        return 'started'
      }, { timeout: 90_000, intervals: [1000] })
      .toBe('checked')

    // A new signed image: its events start a feed-driven sync about a second later, which reads only that image.
    const second = await pushImage(feedRegistry, repository, '2.0')
    await attachCosignAttestations(feedRegistry, repository, second.digest, [provenanceEnvelope(server.key, second.digest, repository)])
    await expect.poll(async () => (await (await fetch(`${server?.url}/api/v1/artifacts/${second.digest}`)).json()) as { attestations?: unknown[] }, { timeout: 60_000 }).toMatchObject({ attestations: [{}] })
    await expect.poll(async () => (await state()).lastRun, { timeout: 30_000 }).toMatchObject({ state: 'succeeded', mode: 'changes' })

    await page.reload()
    await expect(card.getByText(/^Succeeded: .*1 document found, 1 new · read \d+ change events?/)).toBeVisible()
    await expect(card.getByText('none waiting')).toBeVisible()
    await expect(card.getByText(/^every hour; last /)).toBeVisible()

    await page.goto(`${server.url}/artifacts/${second.digest}`)
    const attestations = page.getByRole('region', { name: /^Attestations and signatures/ })
    await expect(attestations.getByRole('article', { name: 'DSSE envelope · https://slsa.dev/provenance/v1' }).getByText('Verified', { exact: true })).toBeVisible()
  } finally {
    await server?.stop()
    await feedRegistry?.stop()
    await late.close()
  }
})
