import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { ArtifactDetail } from '../../src/contract/artifacts'
import { IngestResponse } from '../../src/contract/attestations'
import { DocumentVerification } from '../../src/contract/documents'
import { createApp } from '../app'
import { buildConfig } from '../config'
import { corpusDir, describeWithCorpus } from '../testing/corpus'
import { tempStore } from '../testing/documents'
import { rekorEntryResponse, type BundleTlogEntry } from '../testing/rekor-entry'
import type { Store } from '../store/types'

/*
 * A Sigstore bundle whose log entry travels apart from it: sigstore-python's staging bundle_v3 from ../shared/corpus
 * with its tlogEntries removed, and the same entry as Rekor's API returns it (GET /api/v1/log/entries/{uuid}: the
 * entry's own bytes, its signed entry timestamp, inclusion proof and checkpoint, only reshaped). Over HTTP, in
 * either order, the bundle ends up verified with that entry, and the link is said in the response and on the
 * document. The same for slsa-verifier's DSSE bundle of SLSA provenance (an intoto entry), seen on its artifact.
 */

const TOKEN = 'log-links'
const STAGING = '2-dsse-sigstore-bundles/sigstore-conformance/rekor2-happy-path/trusted_root.json'
const BUNDLE = '2-dsse-sigstore-bundles/sigstore-python/bundle_v3.txt.sigstore'
const OTHER_ENTRY = '4-rekor/sigstore-java/rekor-response/valid/entry.json'
const DSSE_BUNDLE = '1-slsa-provenance/slsa-verifier/gha_bundle/valid-v0.3.intoto.sigstore'
const PUBLIC_GOOD = '2-dsse-sigstore-bundles/sigstore-go/trusted-root-public-good.json'
const GITHUB = '3-npm-github-attestations/github-gh-cli/trusted_root.json'

type Bundle = { verificationMaterial: { tlogEntries: BundleTlogEntry[] } & Record<string, unknown> } & Record<string, unknown>

const read = (path: string) => readFileSync(join(corpusDir, path))
const bundle = (path = BUNDLE): Bundle => JSON.parse(read(path).toString('utf8').trim()) as Bundle

/** The bundle without its log entry: what a signer that keeps the entry apart hands over. */
function withoutEntry(path = BUNDLE): Buffer {
  const original = bundle(path)
  return Buffer.from(JSON.stringify({ ...original, verificationMaterial: { ...original.verificationMaterial, tlogEntries: [] } }))
}

/** The bundle's entry as Rekor's API answers for it; `tamper` changes the signed entry timestamp. */
function entryResponse(tamper = false, path = BUNDLE): { raw: Buffer; uuid: string; logIndex: string } {
  const [entry] = bundle(path).verificationMaterial.tlogEntries
  if (!entry) throw new Error('the corpus bundle has no log entry')
  const set = Buffer.from(entry.inclusionPromise.signedEntryTimestamp, 'base64')
  if (tamper) set[set.length - 1] = (set.at(-1) ?? 0) ^ 1
  return rekorEntryResponse(entry, set.toString('base64'))
}

let store: Store
let dispose: () => Promise<void>
beforeEach(async () => {
  ;({ store, dispose } = await tempStore())
})
afterEach(async () => dispose())

function app(trustedRoots = [STAGING]) {
  const config = buildConfig(
    { trust: { trustedRoots }, tokens: [{ name: 'test', sha256: createHash('sha256').update(TOKEN).digest('hex'), scopes: ['ingest', 'read'] }] },
    'log links test config',
    corpusDir,
  )
  return createApp({ store, config, version: 'test', demo: false })
}

async function post(server: ReturnType<typeof app>, body: Buffer, contentType = 'application/json'): Promise<IngestResponse> {
  const response = await server.request('/api/v1/attestations', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': contentType }, body: new Uint8Array(body) })
  expect(response.status, await response.clone().text()).toBeLessThan(300)
  return IngestResponse.parse(await response.json())
}

async function stored(server: ReturnType<typeof app>, id: string): Promise<DocumentVerification> {
  const response = await server.request(`/api/v1/documents/${id}/verification`, { headers: { authorization: `Bearer ${TOKEN}` } })
  expect(response.status).toBe(200)
  return DocumentVerification.parse(await response.json())
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

describeWithCorpus('Rekor entries linked to the stored bundles they record', () => {
  it('a bundle stored without its log entry fails the log check, then verifies once the entry arrives, and says where the entry came from', async () => {
    const server = app()
    const [first] = (await post(server, withoutEntry())).documents
    expect(first?.verification).toMatchObject({ status: 'failed', failedCheck: 'transparency-log' })

    const entry = entryResponse()
    const [logged] = (await post(server, entry.raw)).documents
    expect(logged?.format).toBe('rekor-entry')
    expect(logged?.verification.status).toBe('verified')
    expect(logged?.logEntries).toEqual([{ uuid: entry.uuid, logIndex: entry.logIndex, documents: [{ id: sha256(withoutEntry()), status: 'verified' }] }])

    const now = await stored(server, sha256(withoutEntry()))
    expect(now.verification).toMatchObject({ status: 'verified', failedCheck: null })
    expect(now.verification.transparencyLog).toEqual([expect.objectContaining({ logIndex: entry.logIndex, inclusionProof: true, inclusionPromise: true, kind: 'hashedrekord' })])
    const evidence = now.verification.checks.find((check) => check.name === 'log-evidence')
    expect(evidence?.actual).toContain(`entry ${entry.logIndex} (uuid ${entry.uuid.slice(-16)}…, from document ${sha256(entry.raw).slice(0, 12)}…)`)
    expect(now.verification.checks.find((check) => check.name === 'transparency-log')?.ok).toBe(true)
  })

  it('an entry that arrives first matches nothing and says so; the bundle that arrives later is verified with it on arrival', async () => {
    const server = app()
    const entry = entryResponse()
    const [logged] = (await post(server, entry.raw)).documents
    expect(logged?.logEntries).toEqual([{ uuid: entry.uuid, logIndex: entry.logIndex, documents: [] }])
    expect(logged?.verification.checks.find((check) => check.name === 'log-evidence')?.detail).toMatch(/whether stored now or later, is verified again with it/)

    const [later] = (await post(server, withoutEntry())).documents
    expect(later?.verification).toMatchObject({ status: 'verified', failedCheck: null })
    expect(later?.verification.checks.map((check) => check.name)).toContain('log-evidence')
  })

  it('both in one JSONL batch, the bundle first: the bundle is stored verified with the entry', async () => {
    const server = app()
    const body = Buffer.concat([withoutEntry(), Buffer.from('\n'), entryResponse().raw, Buffer.from('\n')])
    const { documents } = await post(server, body, 'application/x-ndjson')
    expect(documents.map((document) => [document.format, document.verification.status])).toEqual([
      ['sigstore-bundle', 'verified'],
      ['rekor-entry', 'verified'],
    ])
    expect(documents[1]?.logEntries?.[0]?.documents).toEqual([{ id: sha256(withoutEntry()), status: 'verified' }])
  })

  it('an entry whose linking failed after it was stored links when it is sent again', async () => {
    const server = app()
    await post(server, withoutEntry())
    const entry = entryResponse()
    const failing = vi.spyOn(store.documents, 'linkLogEvidence').mockRejectedValueOnce(new Error('disk I/O error'))
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    try {
      const response = await server.request('/api/v1/attestations', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: new Uint8Array(entry.raw) })
      expect(response.status).toBe(500)
      expect(await response.json()).toMatchObject({ error: { code: 'internal' } })
    } finally {
      failing.mockRestore()
      logged.mockRestore()
    }
    // The entry is stored, the bundle not yet verified with it.
    expect((await stored(server, sha256(entry.raw))).verification.status).toBe('verified')
    expect((await stored(server, sha256(withoutEntry()))).verification).toMatchObject({ status: 'failed', failedCheck: 'transparency-log' })

    const [again] = (await post(server, entry.raw)).documents
    expect(again?.created).toBe(false)
    expect(again?.logEntries).toEqual([{ uuid: entry.uuid, logIndex: entry.logIndex, documents: [{ id: sha256(withoutEntry()), status: 'verified' }] }])
    expect((await stored(server, sha256(withoutEntry()))).verification).toMatchObject({ status: 'verified', failedCheck: null })
  })

  it('an entry whose signed entry timestamp does not verify is stored, failed, and used for nothing', async () => {
    const server = app()
    await post(server, withoutEntry())
    const [logged] = (await post(server, entryResponse(true).raw)).documents
    expect(logged?.verification).toMatchObject({ status: 'failed', failedCheck: 'transparency-log' })
    expect(logged?.logEntries?.[0]?.documents).toEqual([])
    expect((await stored(server, sha256(withoutEntry()))).verification).toMatchObject({ status: 'failed', failedCheck: 'transparency-log' })
  })

  it("an entry for another signature links nothing (sigstore-java's staging entry)", async () => {
    const server = app()
    await post(server, withoutEntry())
    const [logged] = (await post(server, read(OTHER_ENTRY))).documents
    expect(logged?.logEntries?.[0]?.documents).toEqual([])
    expect((await stored(server, sha256(withoutEntry()))).verification.status).toBe('failed')
  })

  it('verifying every stored document again keeps the entry as the bundle\'s evidence', async () => {
    const server = app()
    await post(server, withoutEntry())
    await post(server, entryResponse().raw)
    const response = await server.request('/api/v1/reverify', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })
    expect(response.status).toBe(200)
    expect((await stored(server, sha256(withoutEntry()))).verification).toMatchObject({ status: 'verified' })
  })

  it("a DSSE bundle of SLSA provenance (slsa-verifier's) stored without its entry: the artifact's attestation shows the entry once it arrives", async () => {
    const server = app([PUBLIC_GOOD, GITHUB])
    const [first] = (await post(server, withoutEntry(DSSE_BUNDLE))).documents
    expect(first?.verification.status).toBe('failed')
    const subject = first?.subjects[0]?.digest.sha256
    if (!subject) throw new Error('the provenance names no sha256 subject')
    const entry = entryResponse(false, DSSE_BUNDLE)
    const [logged] = (await post(server, entry.raw)).documents
    expect(logged?.logEntries?.[0]?.documents).toEqual([{ id: sha256(withoutEntry(DSSE_BUNDLE)), status: 'verified' }])

    const response = await server.request(`/api/v1/artifacts/sha256:${subject}`, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(response.status).toBe(200)
    const artifact = ArtifactDetail.parse(await response.json())
    const attestation = artifact.attestations.find((item) => item.documentId === sha256(withoutEntry(DSSE_BUNDLE)))
    expect(attestation?.verification.status).toBe('verified')
    expect(attestation?.verification.transparencyLog).toEqual([expect.objectContaining({ logIndex: entry.logIndex, inclusionProof: true })])
    expect(attestation?.verification.checks.map((check) => check.name)).toContain('log-evidence')
  })
})
