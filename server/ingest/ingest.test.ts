import { sign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { signEnvelope } from '../demo/seed'
import { newKey, slsaV1Statement } from '../testing/documents'
import { pae } from './dsse'
import { IngestError } from './errors'
import { prepareDocument, splitBody } from './ingest'
import { loadPublicKey } from './keys'

const ecdsa = newKey('release-p256', 'ecdsa-p256')
const ed = newKey('release-ed25519', 'ed25519')
const keys = [loadPublicKey(ecdsa.id, ecdsa.publicKeyPem), loadPublicKey(ed.id, ed.publicKeyPem)]
const context = { keys, now: () => Date.UTC(2026, 10, 1) }
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value))

function thrown(run: () => unknown): IngestError {
  try {
    run()
  } catch (error) {
    if (error instanceof IngestError) return error
    throw error
  }
  throw new Error('expected an IngestError')
}

describe('prepareDocument', () => {
  it('verifies an ECDSA P-256 signed SLSA v1 provenance and reads the build from it', () => {
    const { item, subjects } = prepareDocument(bytes(signEnvelope(slsaV1Statement(), ecdsa)), context)
    expect(item.document.verification.status).toBe('verified')
    expect(item.document.verification.checks.map((check) => [check.name, check.ok])).toEqual([
      ['payload-type', true],
      ['envelope-signature', true],
      ['signer-trusted', true],
    ])
    expect(subjects).toEqual([{ name: 'app-linux-amd64', digest: { sha256: 'a'.repeat(64) } }])
    expect(item.build).toMatchObject({
      project: 'example/app',
      sourceRepo: 'https://github.com/example/app',
      sourceCommit: 'c'.repeat(40),
      builderId: 'https://github.com/actions/runner/github-hosted',
      buildType: 'https://actions.github.io/buildtypes/workflow/v1',
      slsaVersion: 'v1',
      startedAt: Date.parse('2026-11-01T10:00:00Z'),
      finishedAt: Date.parse('2026-11-01T10:05:00Z'),
    })
  })

  it('verifies Ed25519 signatures found by trying every key when the keyid names none', () => {
    const { item } = prepareDocument(bytes(signEnvelope(slsaV1Statement(), ed, '')), context)
    expect(item.document.verification.status).toBe('verified')
    expect(item.document.verification.signers).toEqual([{ keyId: null, trustedKeyId: 'release-ed25519', algorithm: 'ed25519' }])
  })

  it('fails an altered signature that names a trusted key, naming the check and what differed', () => {
    const envelope = signEnvelope(slsaV1Statement(), ecdsa) as { signatures: { sig: string }[] }
    const sig = Buffer.from(envelope.signatures[0]!.sig, 'base64')
    sig[10]! ^= 0xff
    envelope.signatures[0]!.sig = sig.toString('base64')
    const { item } = prepareDocument(bytes(envelope), context)
    const verification = item.document.verification
    expect(verification.status).toBe('failed')
    expect(verification.failedCheck).toBe('envelope-signature')
    expect(verification.checks[0]).toMatchObject({
      name: 'envelope-signature',
      ok: false,
      expected: 'a valid ecdsa-p256 signature by trusted key release-p256',
      actual: 'the signature for keyid release-p256 does not verify',
    })
    expect(item.build?.status).toBe('failed')
  })

  it('fails a payload altered after signing', () => {
    const envelope = signEnvelope(slsaV1Statement(), ed) as { payload: string }
    envelope.payload = Buffer.from(JSON.stringify(slsaV1Statement({ sha256: 'b'.repeat(64) }))).toString('base64')
    expect(prepareDocument(bytes(envelope), context).item.document.verification).toMatchObject({ status: 'failed', failedCheck: 'envelope-signature' })
  })

  it('calls a correct signature by an unknown key untrusted, and an empty signature list unsigned', () => {
    const stranger = newKey('stranger', 'ed25519')
    expect(prepareDocument(bytes(signEnvelope(slsaV1Statement(), stranger)), context).item.document.verification).toMatchObject({
      status: 'untrusted',
      failedCheck: null,
    })
    const unsigned = { ...signEnvelope(slsaV1Statement(), ed), signatures: [] }
    expect(prepareDocument(bytes(unsigned), context).item.document.verification.status).toBe('unsigned')
  })

  it('fails a verified signature over the wrong payload type', () => {
    const envelope = signEnvelope(slsaV1Statement(), ed)
    const { item } = prepareDocument(bytes({ ...envelope, payloadType: 'text/plain' }), context)
    // The signature covers the payload type, so changing it breaks the signature too; both checks say so.
    expect(item.document.verification.status).toBe('failed')
    expect(item.document.verification.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual(['payload-type', 'envelope-signature'])
  })

  it('names what is wrong and where for malformed documents', () => {
    expect(thrown(() => prepareDocument(Buffer.from('{"payload": '), context))).toMatchObject({ code: 'invalid-json', path: '$' })
    expect(thrown(() => prepareDocument(Buffer.from('{"payloadType":"x","payload":"@@@","signatures":[]}'), context))).toMatchObject({
      code: 'invalid-base64',
      path: '$.payload',
    })
    expect(thrown(() => prepareDocument(bytes({ hello: 'world' }), context))).toMatchObject({ code: 'unsupported-format' })
    const notStatement = { payloadType: 'application/vnd.in-toto+json', payload: Buffer.from('{"_type":"nope"}').toString('base64'), signatures: [] }
    expect(thrown(() => prepareDocument(bytes(notStatement), context))).toMatchObject({ code: 'invalid-statement', path: '$.payload._type' })
    const badSig = { ...signEnvelope(slsaV1Statement(), ed), signatures: [{ keyid: 'k', sig: 'not base64!' }] }
    expect(thrown(() => prepareDocument(bytes(badSig), context))).toMatchObject({ code: 'invalid-base64', path: '$.signatures[0].sig' })
  })

  it('gives the same id to the same bytes', () => {
    const raw = bytes(signEnvelope(slsaV1Statement(), ed))
    expect(prepareDocument(raw, context).item.document.id).toBe(prepareDocument(Buffer.from(raw), context).item.document.id)
  })
})

describe('splitBody', () => {
  it('keeps one JSON document whole, byte for byte', () => {
    const body = Buffer.from('{\n  "a": 1\n}\n')
    expect(splitBody(body, 'application/json')).toEqual([{ raw: body }])
  })

  it('splits JSONL into lines numbered from 1, skipping blank lines and CRLF endings', () => {
    const body = Buffer.from('{"a":1}\r\n\n{"b":2}\n')
    expect(splitBody(body, 'application/x-ndjson').map((doc) => [doc.line, doc.raw.toString()])).toEqual([
      [1, '{"a":1}'],
      [3, '{"b":2}'],
    ])
    expect(splitBody(Buffer.from('{"a":1}\n{"b":2}'), 'application/json')).toHaveLength(2)
  })

  it('skips the lines that are white space as JavaScript trims it, and keeps every other line as its bytes', () => {
    // No-break space, byte-order mark and line separator are blank to trim(); a NUL or a U+001F is not.
    const lines = ['{"a":1}', ' \t{"b":2} ', '\u00a0\ufeff\u2028', '\u0000', '\u001f', '  ', '\u00a0{"c":3}', '\r', 'x']
    const body = Buffer.from(lines.join('\n'))
    expect(splitBody(body, 'application/x-ndjson').map((doc) => [doc.line, doc.raw.toString()])).toEqual(
      lines.flatMap((line, index) => (line.replace(/\r$/, '').trim() === '' ? [] : [[index + 1, line]])),
    )
  })
})

describe('sloppy producers', () => {
  it('reads a Statement followed by trailing bytes, and says so in the verdict', () => {
    const payload = Buffer.concat([Buffer.from(JSON.stringify(slsaV1Statement())), Buffer.from('\n\u0000garbage')])
    const envelope = signEnvelope(slsaV1Statement(), ed) as { payload: string; signatures: { sig: string }[] }
    // Re-sign over the sloppy payload so only the trailing bytes differ.
    const sloppy = { ...envelope, payload: payload.toString('base64') }
    const { item } = prepareDocument(bytes(resign(sloppy, payload)), context)
    expect(item.document.verification.status).toBe('verified')
    expect(item.document.verification.checks.at(-1)).toEqual({ name: 'payload-trailing-bytes', ok: true, detail: '9 bytes after the Statement\'s JSON were ignored' })
    expect(item.build?.project).toBe('example/app')
  })
})

function resign(envelope: { payload: string; signatures: { sig: string }[] }, payload: Buffer) {
  const signature = sign(null, pae('application/vnd.in-toto+json', payload), ed.privateKey)
  return { ...envelope, signatures: [{ keyid: ed.id, sig: signature.toString('base64') }] }
}
