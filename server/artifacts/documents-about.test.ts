import { createHash, generateKeyPairSync, sign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ArtifactDetail } from '../../src/contract/artifacts'
import { IngestResponse } from '../../src/contract/attestations'
import { createApp } from '../app'
import { buildConfig } from '../config'
import { reverifyAll } from '../documents/reverify'
import { corpusDir, describeWithCorpus } from '../testing/corpus'
import { tempStore } from '../testing/documents'
import type { Store } from '../store/types'

/*
 * Documents that describe no build are listed on the page of the artifact they are about, found by the digests their
 * reader extracts: sigstore-python's message-signature bundles from ../shared/corpus (a release file's SHA-256 in
 * `messageDigest`) and cosign image signatures (the image digest in their payload). Over HTTP, as a user asks.
 */

const TOKEN = 'documents-about'
const STAGING = '2-dsse-sigstore-bundles/sigstore-conformance/rekor2-happy-path/trusted_root.json'
const V3 = '2-dsse-sigstore-bundles/sigstore-python/bundle_v3.txt.sigstore'
const V01 = '2-dsse-sigstore-bundles/sigstore-python/bundle.txt.sigstore'
const CVE = '2-dsse-sigstore-bundles/sigstore-python/bundle_cve_2022_36056.txt.sigstore'

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
const read = (path: string) => readFileSync(join(corpusDir, path))

let store: Store
let dir: string
let dispose: () => Promise<void>
beforeEach(async () => {
  ;({ store, dir, dispose } = await tempStore())
})
afterEach(async () => dispose())

const cosignKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const cosignPem = cosignKey.publicKey.export({ type: 'spki', format: 'pem' }).toString()

function config() {
  return buildConfig(
    {
      trust: { trustedRoots: [STAGING], keys: [{ id: 'release', publicKeyPem: cosignPem }] },
      tokens: [{ name: 'test', sha256: sha256(Buffer.from(TOKEN)), scopes: ['ingest', 'read'] }],
    },
    'documents-about test config',
    corpusDir,
  )
}

function app() {
  return createApp({ store, config: config(), version: 'test', demo: false })
}

async function post(server: ReturnType<typeof app>, body: Buffer): Promise<IngestResponse> {
  const response = await server.request('/api/v1/attestations', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: new Uint8Array(body) })
  expect(response.status, await response.clone().text()).toBeLessThan(300)
  return IngestResponse.parse(await response.json())
}

async function artifact(server: ReturnType<typeof app>, digest: string): Promise<{ status: number; detail: ArtifactDetail | null }> {
  const response = await server.request(`/api/v1/artifacts/${digest}`, { headers: { authorization: `Bearer ${TOKEN}` } })
  return { status: response.status, detail: response.status === 200 ? ArtifactDetail.parse(await response.json()) : null }
}

describeWithCorpus('message-signature bundles on the page of the file they sign', () => {
  it('lists each bundle under the SHA-256 of the file it signs, with its verdict and format, and finds the file by a prefix', async () => {
    const server = app()
    const file = read('2-dsse-sigstore-bundles/sigstore-python/bundle_v3.txt')
    const digest = sha256(file)
    const [stored] = (await post(server, read(V3))).documents
    expect(stored?.subjects).toEqual([{ name: '', digest: { sha256: digest } }])

    const { status, detail } = await artifact(server, `sha256:${digest}`)
    expect(status).toBe(200)
    expect(detail?.builds).toEqual([])
    expect(detail?.attestations).toEqual([
      expect.objectContaining({ documentId: sha256(read(V3)), format: 'sigstore-bundle', predicateType: null, buildId: null, verification: expect.objectContaining({ status: 'verified' }) }),
    ])
    // A prefix of the digest, as pasted from a release page, names the same artifact.
    expect((await artifact(server, digest.slice(0, 16))).detail?.digest).toBe(`sha256:${digest}`)
    // The other file's digest names nothing stored.
    expect((await artifact(server, `sha256:${sha256(read('2-dsse-sigstore-bundles/sigstore-python/bundle.txt'))}`)).status).toBe(404)
  })

  it('lists a failed bundle as failed on the page of the file it claims to sign, beside a verified one', async () => {
    const server = app()
    // The CVE-2022-36056 vector signs bundle_cve_2022_36056.txt but carries another signature's log entry.
    const [failed] = (await post(server, read(CVE))).documents
    expect(failed?.verification.status).toBe('failed')
    const digest = sha256(read('2-dsse-sigstore-bundles/sigstore-python/bundle_cve_2022_36056.txt'))
    const { detail } = await artifact(server, `sha256:${digest}`)
    expect(detail?.attestations.map((attestation) => [attestation.documentId, attestation.verification.status, attestation.verification.failedCheck])).toEqual([
      [sha256(read(CVE)), 'failed', failed?.verification.failedCheck],
    ])
    // The v0.1 bundle of another file is on that file's page only.
    await post(server, read(V01))
    expect((await artifact(server, `sha256:${digest}`)).detail?.attestations).toHaveLength(1)
    const other = await artifact(server, `sha256:${sha256(read('2-dsse-sigstore-bundles/sigstore-python/bundle.txt'))}`)
    expect(other.detail?.attestations.map((attestation) => attestation.verification.status)).toEqual(['verified'])
  })

  it('indexes bundles stored before the index existed when every document is verified again', async () => {
    const server = app()
    const [stored] = (await post(server, read(V3))).documents
    const digest = sha256(read('2-dsse-sigstore-bundles/sigstore-python/bundle_v3.txt'))
    // As a store from before the index: the bundle is kept, its index row is not (another connection, as an
    // operator's sqlite3 shell would be).
    const sqlite = new SqliteDatabase(join(dir, 'provenance.db'))
    expect(sqlite.prepare('delete from attestation_subjects where document_id = ?').run(stored?.id).changes).toBe(1)
    sqlite.close()
    expect((await artifact(server, `sha256:${digest}`)).status).toBe(404)
    await reverifyAll(store, config())
    expect((await artifact(server, `sha256:${digest}`)).detail?.attestations.map((attestation) => attestation.documentId)).toEqual([stored?.id])
  })
})

describe('cosign image signatures on the page of the image they sign', () => {
  it('lists the signature with its verdict under the image digest its payload names', async () => {
    const server = app()
    const image = 'cd'.repeat(32)
    const payload = Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': 'registry.example/acme/web' }, image: { 'docker-manifest-digest': `sha256:${image}` }, type: 'cosign container image signature' }, optional: null }))
    const signature = sign('sha256', payload, cosignKey.privateKey)
    const document = Buffer.from(JSON.stringify({ Base64Signature: signature.toString('base64'), Payload: payload.toString('base64'), Cert: null, Chain: null, Bundle: null }))
    const [stored] = (await post(server, document)).documents
    expect(stored?.format).toBe('cosign-signature')
    const { status, detail } = await artifact(server, `sha256:${image}`)
    expect(status).toBe(200)
    expect(detail?.attestations).toEqual([expect.objectContaining({ documentId: sha256(document), format: 'cosign-signature', verification: expect.objectContaining({ status: 'verified' }) })])
  })
})
