import { generateKeyPairSync, sign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { corpusDir, describeWithCorpus } from '../testing/corpus'
import { pae } from './dsse'
import { prepareDocument } from './ingest'
import { loadPublicKey, type TrustedKey } from './keys'

const GCB = '1-slsa-provenance/slsa-verifier/gcb'
const IMAGE = '1a033b002f89ed2b8ea733162497fb70f1a4049a7f8602d6a33682b4ad9921fd'
const read = (path: string) => readFileSync(join(corpusDir, path))
const ingest = (raw: Buffer, keys: TrustedKey[]) => {
  const prepared = prepareDocument(raw, { keys, now: () => 0 })
  return { ...prepared.item.document, subjects: prepared.subjects }
}

describeWithCorpus("gcloud --show-provenance output from slsa-verifier's tests", () => {
  const cloudBuild = () => [loadPublicKey('cloud-build-global', read(`${GCB}/keys/global.pem`).toString('utf8'))]

  it("verifies the legacy signature over the raw payload with Cloud Build's global key; the image is the subject", () => {
    const document = ingest(read(`${GCB}/gcloud-container-github.json`), cloudBuild())
    expect(document.format).toBe('gcloud-provenance')
    expect(document.verification).toMatchObject({ status: 'verified', failedCheck: null })
    const signature = document.verification.checks.find((check) => check.name === 'envelope-signature')
    expect(signature).toMatchObject({ ok: true, expected: "Cloud Build's legacy signature over the raw payload (not DSSE PAE)", actual: 'verifies with ecdsa-p256 key cloud-build-global' })
    expect(document.verification.checks.find((check) => check.name === 'subject-digest')).toMatchObject({ ok: true })
    expect(document.subjects.some((subject) => subject.digest.sha256 === IMAGE)).toBe(true)
  })

  it('fails envelope-signature for the re-encoded payload (slsa-verifier: ErrorNoValidSignature)', () => {
    const document = ingest(read(`${GCB}/gcloud-container-invalid-signature.json`), cloudBuild())
    expect(document.verification).toMatchObject({ status: 'failed', failedCheck: 'envelope-signature' })
  })

  it('is untrusted without the Cloud Build key configured, the signature not judged', () => {
    const document = ingest(read(`${GCB}/gcloud-container-github.json`), [])
    expect(document.verification.status).toBe('untrusted')
    expect(document.verification.checks.find((check) => check.name === 'envelope-signature')?.notJudged).toMatch(/no key this server has/)
  })
})

describe('gcloud provenance with DSSE signatures', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const key = loadPublicKey('cloud-build-test', publicKey.export({ type: 'spki', format: 'pem' }).toString())
  const statement = (digest: string) => JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'us-docker.pkg.dev/p/r/img', digest: { sha256: digest } }], predicateType: 'https://slsa.dev/provenance/v1', predicate: {} })
  const envelope = (payload: Buffer) => ({
    payloadType: 'application/vnd.in-toto+json',
    payload: payload.toString('base64'),
    signatures: [{ keyid: 'projects/verified-builder/locations/global/keyRings/attestor/cryptoKeys/builtByGCB/cryptoKeyVersions/1', sig: sign('sha256', pae('application/vnd.in-toto+json', payload), privateKey).toString('base64url') }],
  })
  const output = (...payloads: Buffer[]) =>
    Buffer.from(JSON.stringify({ image_summary: { digest: `sha256:${IMAGE}`, fully_qualified_digest: `us-docker.pkg.dev/p/r/img@sha256:${IMAGE}` }, provenance_summary: { provenance: payloads.map((payload) => ({ kind: 'BUILD', envelope: envelope(payload) })) } }))

  it('reads every envelope, tolerating bytes after the JSON payload, and names checks by envelope', () => {
    const trailing = Buffer.concat([Buffer.from(statement(IMAGE)), Buffer.from('\n\u0000\u0000')])
    const document = ingest(output(Buffer.from(statement(IMAGE)), trailing), [key])
    expect(document.verification.status).toBe('verified')
    const names = document.verification.checks.map((check) => check.name)
    expect(names).toEqual(expect.arrayContaining(['provenance[0]: envelope-signature', 'provenance[1]: envelope-signature', 'provenance[1]: subject-digest']))
    expect(document.verification.checks.find((check) => check.name === 'provenance[1]: payload-trailing-bytes')?.detail).toBe("3 bytes after the Statement's JSON were ignored")
    expect(document.verification.checks.find((check) => check.name === 'provenance[0]: envelope-signature')?.expected).toBe('a signature over the DSSE pre-authentication encoding')
  })

  it('fails subject-digest when an envelope is about another image', () => {
    const document = ingest(output(Buffer.from(statement('c'.repeat(64)))), [key])
    expect(document.verification).toMatchObject({ status: 'failed', failedCheck: 'subject-digest' })
  })

  it('names the field of a malformed output', () => {
    expect(() => prepareDocument(Buffer.from(JSON.stringify({ image_summary: { digest: 'latest' }, provenance_summary: { provenance: [] } })), { keys: [], now: () => 0 })).toThrow(
      expect.objectContaining({ code: 'invalid-gcloud-provenance', path: '$.image_summary.digest' }),
    )
  })
})
