import { createHash, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { IngestResponse } from '../../src/contract/attestations'
import { DocumentVerification } from '../../src/contract/documents'
import { createApp } from '../app'
import { buildConfig } from '../config'
import { corpusDir, describeWithCorpus } from '../testing/corpus'
import { tempStore } from '../testing/documents'
import { rekorEntryResponse, type BundleTlogEntry } from '../testing/rekor-entry'
import type { Store } from '../store/types'

/*
 * A bare DSSE envelope signed with a Fulcio certificate kept beside its signature (`signatures[0].cert`, the form of
 * slsa-github-generator's `.intoto.jsonl`) carries no log entry. The corpus's only such envelope
 * (slsa-verifier's gha_generic workflow_dispatch provenance) has no Rekor entry in the corpus, so the case is made
 * from slsa-verifier's DSSE bundle of SLSA provenance: its envelope and certificate as a bare envelope, and its
 * dsse entry as Rekor's API returns it (its own bytes, signed entry timestamp and inclusion proof, only reshaped).
 */

const TOKEN = 'bare-dsse'
const DSSE_BUNDLE = '1-slsa-provenance/slsa-verifier/gha_bundle/valid-v0.3.intoto.sigstore'
const PUBLIC_GOOD = '2-dsse-sigstore-bundles/sigstore-go/trusted-root-public-good.json'
const GITHUB = '3-npm-github-attestations/github-gh-cli/trusted_root.json'

type Bundle = {
  verificationMaterial: { certificate: { rawBytes: string }; tlogEntries: BundleTlogEntry[] }
  dsseEnvelope: { payload: string; payloadType: string; signatures: { sig: string; keyid?: string }[] }
}

const bundle = JSON.parse(readFileSync(join(corpusDir, DSSE_BUNDLE), 'utf8').trim()) as Bundle
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

/** The bundle's envelope, bare, with its certificate as PEM beside the signature; `tamper` changes the payload. */
function bareEnvelope(tamper = false): Buffer {
  const pem = new X509Certificate(Buffer.from(bundle.verificationMaterial.certificate.rawBytes, 'base64')).toString()
  const { payload, payloadType, signatures } = bundle.dsseEnvelope
  const body = tamper ? Buffer.from(Buffer.from(payload, 'base64').toString('utf8').replace('"_type"', '"_type" ')).toString('base64') : payload
  return Buffer.from(JSON.stringify({ payloadType, payload: body, signatures: signatures.map((signature) => ({ keyid: signature.keyid ?? '', sig: signature.sig, cert: pem })) }))
}

function entryResponse(): { raw: Buffer; uuid: string; logIndex: string } {
  const [entry] = bundle.verificationMaterial.tlogEntries
  if (!entry) throw new Error('the corpus bundle has no log entry')
  return rekorEntryResponse(entry)
}

let store: Store
let dispose: () => Promise<void>
beforeEach(async () => {
  ;({ store, dispose } = await tempStore())
})
afterEach(async () => dispose())

function app() {
  const config = buildConfig(
    { trust: { trustedRoots: [PUBLIC_GOOD, GITHUB] }, tokens: [{ name: 'test', sha256: sha256(Buffer.from(TOKEN)), scopes: ['ingest', 'read'] }] },
    'bare DSSE test config',
    corpusDir,
  )
  return createApp({ store, config, version: 'test', demo: false })
}

async function post(server: ReturnType<typeof app>, body: Buffer): Promise<IngestResponse> {
  const response = await server.request('/api/v1/attestations', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: new Uint8Array(body) })
  expect(response.status, await response.clone().text()).toBeLessThan(300)
  return IngestResponse.parse(await response.json())
}

async function stored(server: ReturnType<typeof app>, id: string): Promise<DocumentVerification> {
  const response = await server.request(`/api/v1/documents/${id}/verification`, { headers: { authorization: `Bearer ${TOKEN}` } })
  expect(response.status).toBe(200)
  return DocumentVerification.parse(await response.json())
}

describeWithCorpus('a bare DSSE envelope with its Fulcio certificate, linked to the Rekor entry of its signature', () => {
  it('is not judged alone; once the entry arrives it is verified with it (chain, log, identity) and says where the entry came from', async () => {
    const server = app()
    const [first] = (await post(server, bareEnvelope())).documents
    expect(first?.format).toBe('dsse')
    expect(first?.verification.status).toBe('unverifiable')

    const entry = entryResponse()
    const [logged] = (await post(server, entry.raw)).documents
    expect(logged?.logEntries).toEqual([{ uuid: entry.uuid, logIndex: entry.logIndex, documents: [{ id: sha256(bareEnvelope()), status: 'verified' }] }])

    const now = await stored(server, sha256(bareEnvelope()))
    expect(now.verification).toMatchObject({ status: 'verified', failedCheck: null })
    expect(now.verification.checks.filter((check) => check.ok).map((check) => check.name)).toEqual(expect.arrayContaining(['bundle-signature', 'transparency-log', 'certificate-chain', 'log-evidence']))
    expect(now.verification.transparencyLog).toEqual([expect.objectContaining({ logIndex: entry.logIndex, inclusionProof: true })])
    expect(now.verification.certificate?.repository).toBeTruthy()
  })

  it('an envelope that arrives after its entry is verified on arrival; one whose payload was changed is linked to nothing', async () => {
    const server = app()
    await post(server, entryResponse().raw)
    const [later] = (await post(server, bareEnvelope())).documents
    expect(later?.verification).toMatchObject({ status: 'verified', failedCheck: null })
    // Another payload is another logged digest: no entry records it, so it stays not judged rather than verified.
    const [changed] = (await post(server, bareEnvelope(true))).documents
    expect(changed?.verification.status).toBe('unverifiable')
    expect(changed?.verification.checks.map((check) => check.name)).not.toContain('log-evidence')
  })
})
