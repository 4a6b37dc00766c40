import { sign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { IngestResponse } from '../../src/contract/attestations'
import type { Check } from '../../src/contract/common'
import { tempStore, newKey } from '../testing/documents'
import { createTestSigstore, keylessSignatureAnnotations, type RekorBundle } from '../testing/sigstore-instance'
import { createTestTimestampAuthority, withTimestampAuthority } from '../testing/timestamp-authority'
import { IngestError } from './errors'
import { ingestBody, prepareDocument } from './ingest'
import { loadPublicKey } from './keys'
import { cosignSignatureFromLayer } from './cosign-signature'
import { loadSigstoreTrust } from './sigstore/trust-material'

/*
 * cosign image signatures (`cosign download signature` output, and the OCI connector's `.sig` layers) through
 * the one ingest path: the verdict, the image they are about, and the errors that name the field.
 */

const key = newKey('release', 'ecdsa-p256')
const image = `sha256:${'ab'.repeat(32)}`
const payloadOf = (digest: string, type = 'cosign container image signature') =>
  Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': 'registry.example/acme/web' }, image: { 'docker-manifest-digest': digest }, type }, optional: { creator: 'cosign' } }))

function downloaded(payload: Buffer, signature: Buffer, extra: Record<string, unknown> = {}) {
  return { Base64Signature: signature.toString('base64'), Payload: payload.toString('base64'), Cert: null, Chain: null, Bundle: null, ...extra }
}

const instance = createTestSigstore('ours')
const trustedKeys = [loadPublicKey(key.id, key.publicKeyPem)]

async function ingest(document: unknown) {
  const { store, dispose } = await tempStore()
  try {
    const sigstore = loadSigstoreTrust([instance.trustedRoot], trustedKeys)
    const result = await ingestBody(store, Buffer.from(JSON.stringify(document)), 'application/json', { keys: trustedKeys, now: () => Date.now(), sigstore })
    if (!result.ok) return { error: result.error }
    return { body: IngestResponse.parse(result.body) }
  } finally {
    await dispose()
  }
}

// Each ingest opens a store of its own; on a loaded machine that takes seconds. A guard, not a budget.
describe('cosign image signatures', { timeout: 30_000 }, () => {
  it('verifies a signature by a trusted key over the payload, about the image the payload names', async () => {
    const payload = payloadOf(image)
    const { body } = await ingest(downloaded(payload, sign('sha256', payload, key.privateKey)))
    const document = body?.documents[0]
    expect(document?.format).toBe('cosign-signature')
    expect(document?.verification.status).toBe('verified')
    expect(document?.verification.checks.map((check) => [check.name, check.ok])).toEqual([
      ['payload-type', true],
      ['image-signature', true],
      ['signer-trusted', true],
    ])
    expect(document?.subjects).toEqual([{ name: 'registry.example/acme/web', digest: { sha256: 'ab'.repeat(32) } }])
  })

  it('never verifies a signature over other bytes, and fails a payload that is not an image signature', async () => {
    const altered = await ingest(downloaded(payloadOf(image), sign('sha256', payloadOf(`sha256:${'cd'.repeat(32)}`), key.privateKey)))
    // No keyid names the key, so a signature no trusted key verifies cannot be told from a stranger's.
    expect(altered.body?.documents[0]?.verification.status).toBe('untrusted')
    const wrongType = payloadOf(image, 'atomic container signature')
    const typed = await ingest(downloaded(wrongType, sign('sha256', wrongType, key.privateKey)))
    expect(typed.body?.documents[0]?.verification).toMatchObject({ status: 'failed', failedCheck: 'payload-type' })
    expect(typed.body?.documents[0]?.verification.checks[0]).toMatchObject({ name: 'payload-type', expected: 'cosign container image signature', actual: 'atomic container signature' })
  })

  it('refuses what names no image, or is not base64, saying where', async () => {
    const noDigest = await ingest(downloaded(Buffer.from(JSON.stringify({ critical: { image: {}, type: 'cosign container image signature' } })), Buffer.from('sig')))
    expect(noDigest.error).toMatchObject({ code: 'invalid-cosign-signature', path: '$.Payload.critical.image.docker-manifest-digest' })
    const notJson = await ingest(downloaded(Buffer.from('not json'), Buffer.from('sig')))
    expect(notJson.error).toMatchObject({ code: 'invalid-cosign-signature', path: '$.Payload' })
    const badBase64 = await ingest({ Base64Signature: '***', Payload: payloadOf(image).toString('base64') })
    expect(badBase64.error).toMatchObject({ code: 'invalid-base64', path: '$.Base64Signature' })
  })

  it('reads a .sig layer as cosign download signature prints it', () => {
    const payload = payloadOf(image)
    expect(cosignSignatureFromLayer(payload, { 'dev.cosignproject.cosign/signature': 'c2ln', 'dev.sigstore.cosign/bundle': '{"SignedEntryTimestamp":"x"}' })).toEqual({
      Base64Signature: 'c2ln',
      Payload: payload.toString('base64'),
      Cert: null,
      Chain: null,
      Bundle: { SignedEntryTimestamp: 'x' },
    })
    expect(cosignSignatureFromLayer(payload, {})).toBeNull()
  })

  it('holds the payload to the image whose .sig tag held it, when the connector says which', async () => {
    const payload = payloadOf(image)
    const signature = sign('sha256', payload, key.privateKey).toString('base64')
    const right = await ingest(cosignSignatureFromLayer(payload, { 'dev.cosignproject.cosign/signature': signature }, image))
    expect(right.body?.documents[0]?.verification.checks.find((check) => check.name === 'image-digest')).toMatchObject({ ok: true, actual: image })
    const other = `sha256:${'cd'.repeat(32)}`
    const wrong = await ingest(cosignSignatureFromLayer(payload, { 'dev.cosignproject.cosign/signature': signature }, other))
    expect(wrong.body?.documents[0]?.verification).toMatchObject({ status: 'failed', failedCheck: 'image-digest' })
    expect(wrong.body?.documents[0]?.verification.checks[0]).toMatchObject({ name: 'image-digest', ok: false, expected: expect.stringContaining(other) as unknown, actual: image })
    // Recorded about the image it was found on, so the failure shows there and not on the image its payload names.
    expect(wrong.body?.documents[0]?.subjects).toEqual([{ name: 'registry.example/acme/web', digest: { sha256: 'cd'.repeat(32) } }])
    const malformed = await ingest({ ...downloaded(payload, Buffer.from(signature, 'base64')), AttachedTo: 'latest' })
    expect(malformed.error).toMatchObject({ code: 'invalid-cosign-signature', path: '$.AttachedTo' })
  })
})

/*
 * Keyless signatures: a Fulcio certificate, its chain and cosign's Rekor bundle in the layer's annotations, made by
 * a Sigstore instance of the test's own (the corpus holds no real keyless cosign signature) whose trusted root the
 * server is given. They go through the Sigstore verifier, as the v0.1 bundle that carries the same evidence.
 */
describe('keyless cosign image signatures', { timeout: 30_000 }, () => {
  /** The reading alone, without a store: for the refusals, whose error is what a push would answer. */
  const read = (document: unknown) => {
    try {
      return { document: prepareDocument(Buffer.from(JSON.stringify(document)), { keys: trustedKeys, now: () => Date.now(), sigstore: loadSigstoreTrust([instance.trustedRoot], trustedKeys) }).item.document, error: undefined }
    } catch (error) {
      if (error instanceof IngestError) return { document: undefined, error: { code: error.code, path: error.path, message: error.message } }
      throw error
    }
  }
  const keyless = (payload: Buffer, annotations: Record<string, string>, attachedTo: string | null = image) => cosignSignatureFromLayer(payload, annotations, attachedTo)
  const checkOf = (verification: { checks: Check[] } | undefined, name: string) => verification?.checks.find((check) => check.name === name)

  it('verifies a signature by a Fulcio certificate, logged in a trusted Rekor, naming the signer', async () => {
    const payload = payloadOf(image)
    const { body } = await ingest(keyless(payload, keylessSignatureAnnotations(instance, payload)))
    const document = body?.documents[0]
    expect(document?.format).toBe('cosign-signature')
    const verification = document?.verification
    expect(verification).toMatchObject({ status: 'verified', failedCheck: null })
    expect(verification?.checks.map((check) => [check.name, check.ok])).toEqual([
      ['payload-type', true],
      ['image-digest', true],
      ['image-signature', true],
      ['transparency-log', true],
      ['certificate-chain', true],
      ['certificate-identity', true],
    ])
    expect(checkOf(verification, 'image-signature')).toMatchObject({ actual: 'verifies with the ecdsa-p256 key of the certificate for https://github.com/acme/web/.github/workflows/release.yml@refs/heads/main' })
    expect(checkOf(verification, 'transparency-log')).toMatchObject({ actual: expect.stringMatching(/^entry 100\d \(hashedrekord\/0\.0\.1\) in https:\/\/rekor\.ours\.sigstore\.test: signed entry timestamp verified; records this signature$/) as unknown })
    expect(checkOf(verification, 'certificate-chain')).toMatchObject({ actual: expect.stringContaining('issued by O=ours.sigstore.test, CN=ours-fulcio-intermediate (https://fulcio.ours.sigstore.test)') as unknown })
    expect(verification?.certificate).toMatchObject({ subjectAlternativeName: 'https://github.com/acme/web/.github/workflows/release.yml@refs/heads/main', issuer: 'https://token.actions.githubusercontent.com' })
    expect(verification?.transparencyLog?.[0]).toMatchObject({ kind: 'hashedrekord', version: '0.0.1', inclusionPromise: true })
    expect(document?.subjects).toEqual([{ name: 'registry.example/acme/web', digest: { sha256: 'ab'.repeat(32) } }])
  })

  it('verifies the form cosign download signature prints (certificates as Go JSON with Raw DER), about the image its payload names', async () => {
    const payload = payloadOf(image)
    const annotations = keylessSignatureAnnotations(instance, payload)
    const raw = (pem: string) => ({ Raw: pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, ''), Version: 3, SerialNumber: 1 })
    const [intermediate = '', root = ''] = instance.chainPem.split(/(?<=-----END CERTIFICATE-----\n)/)
    const printed = {
      Base64Signature: annotations['dev.cosignproject.cosign/signature'],
      Payload: payload.toString('base64'),
      Cert: raw(annotations['dev.sigstore.cosign/certificate'] ?? ''),
      Chain: [raw(intermediate), raw(root)],
      Bundle: JSON.parse(annotations['dev.sigstore.cosign/bundle'] ?? '') as unknown,
    }
    const document = (await ingest(printed)).body?.documents[0]
    // Pushed on its own, it is about the image its payload names, and there is no attached image to hold it to.
    expect(document?.verification).toMatchObject({ status: 'verified', certificate: { subjectAlternativeName: 'https://github.com/acme/web/.github/workflows/release.yml@refs/heads/main' } })
    expect(document?.verification.checks.map((check) => check.name)).not.toContain('image-digest')
    expect(document?.subjects).toEqual([{ name: 'registry.example/acme/web', digest: { sha256: 'ab'.repeat(32) } }])
    expect(read({ ...printed, Cert: { Raw: '***' } }).error).toMatchObject({ code: 'invalid-base64', path: '$.Cert.Raw' })
    expect(read({ ...printed, Chain: [raw(intermediate), 7] }).error).toMatchObject({ code: 'invalid-cosign-signature', path: '$.Chain[1]' })
  })

  it('fails at image-digest when the payload names another image than the one it is attached to', async () => {
    const payload = payloadOf(`sha256:${'cd'.repeat(32)}`)
    const { body } = await ingest(keyless(payload, keylessSignatureAnnotations(instance, payload)))
    const verification = body?.documents[0]?.verification
    expect(verification).toMatchObject({ status: 'failed', failedCheck: 'image-digest' })
    expect(checkOf(verification, 'image-digest')).toMatchObject({ ok: false, expected: `the payload's critical.image.docker-manifest-digest is ${image}, the image the signature is attached to`, actual: `sha256:${'cd'.repeat(32)}` })
    // Everything else about it holds: it is a good signature over another image.
    expect(checkOf(verification, 'image-signature')).toMatchObject({ ok: true })
    expect(checkOf(verification, 'transparency-log')).toMatchObject({ ok: true })
  })

  it('fails at transparency-log when the signed entry timestamp was altered', async () => {
    const payload = payloadOf(image)
    const annotations = keylessSignatureAnnotations(instance, payload)
    const rekor = JSON.parse(annotations['dev.sigstore.cosign/bundle'] ?? '') as RekorBundle
    const set = Buffer.from(rekor.SignedEntryTimestamp, 'base64')
    set[set.length - 3] = (set[set.length - 3] ?? 0) ^ 1
    const tampered = { ...annotations, 'dev.sigstore.cosign/bundle': JSON.stringify({ ...rekor, SignedEntryTimestamp: set.toString('base64') }) }
    const { body } = await ingest(keyless(payload, tampered))
    const verification = body?.documents[0]?.verification
    expect(verification).toMatchObject({ status: 'failed', failedCheck: 'transparency-log' })
    expect(checkOf(verification, 'transparency-log')?.actual).toMatch(/its signed entry timestamp does not verify with the log key/)
  })

  it('fails at transparency-log when the logged entry is another signature, and at image-signature when the payload was altered', async () => {
    const payload = payloadOf(image)
    const annotations = keylessSignatureAnnotations(instance, payload)
    const elsewhere = keylessSignatureAnnotations(instance, payload)
    const swapped = await ingest(keyless(payload, { ...annotations, 'dev.sigstore.cosign/bundle': elsewhere['dev.sigstore.cosign/bundle'] ?? '' }))
    expect(swapped.body?.documents[0]?.verification).toMatchObject({ status: 'failed', failedCheck: 'transparency-log' })
    const altered = Buffer.from(payload.toString('utf8').replace('registry.example', 'registry.elsewhere'))
    const forged = await ingest(keyless(altered, annotations))
    expect(forged.body?.documents[0]?.verification).toMatchObject({ status: 'failed', failedCheck: 'image-signature' })
  })

  it('is untrusted when the certificate chains to no trusted CA, and unverifiable when it names a Sigstore instance not configured', async () => {
    const stranger = createTestSigstore('stranger')
    const payload = payloadOf(image)
    // Logged in the trusted log (a public log records anyone's signature), by a code-signing certificate with no
    // OIDC issuer: it names no Sigstore instance, it simply chains to nothing trusted.
    const plain = await ingest(keyless(payload, keylessSignatureAnnotations(instance, payload, stranger.issue({ issuer: null }), stranger.chainPem)))
    const untrusted = plain.body?.documents[0]?.verification
    expect(untrusted).toMatchObject({ status: 'untrusted', failedCheck: null })
    expect(checkOf(untrusted, 'certificate-chain')).toMatchObject({ ok: false, actual: 'issued by O=stranger.sigstore.test, CN=stranger-fulcio-intermediate, which chains to no CA in the trusted roots' })
    expect(checkOf(untrusted, 'transparency-log')).toMatchObject({ ok: true })
    // A Fulcio certificate of another instance, logged in that instance's log: its trusted root is what is
    // missing, and the verdict says so rather than calling the signature bad.
    const fulcio = await ingest(keyless(payload, keylessSignatureAnnotations(stranger, payload)))
    const other = fulcio.body?.documents[0]?.verification
    expect(other).toMatchObject({ status: 'unverifiable', failedCheck: null })
    expect(checkOf(other, 'certificate-chain')?.actual).toBe('no trusted root contains the Fulcio CA "O=stranger.sigstore.test, CN=stranger-fulcio-intermediate" that issued this certificate')
    expect(checkOf(other, 'transparency-log')?.actual).toMatch(/^no trusted root contains a Rekor log with id/)
  })

  it('checks the SCT when the trusted root lists a CT log: embedded and signed, verified; missing or altered, failed at certificate-chain', () => {
    const withCt = createTestSigstore('ct', { ctLog: true })
    const payload = payloadOf(image)
    const judge = (leaf: ReturnType<typeof withCt.issue>) =>
      prepareDocument(Buffer.from(JSON.stringify(keyless(payload, keylessSignatureAnnotations(withCt, payload, leaf)))), { keys: [], now: () => Date.now(), sigstore: loadSigstoreTrust([withCt.trustedRoot], []) }).item.document.verification
    const embedded = judge(withCt.issue())
    expect(embedded).toMatchObject({ status: 'verified' })
    expect(checkOf(embedded, 'certificate-chain')).toMatchObject({ ok: true, actual: expect.stringContaining('(https://fulcio.ct.sigstore.test)') as unknown })
    const missing = judge(withCt.issue({}, { sct: 'none' }))
    expect(missing).toMatchObject({ status: 'failed', failedCheck: 'certificate-chain' })
    const altered = judge(withCt.issue({}, { sct: 'tampered' }))
    expect(altered).toMatchObject({ status: 'failed', failedCheck: 'certificate-chain' })
    expect(checkOf(altered, 'certificate-chain')).toMatchObject({ detail: 'The certificate transparency proof (SCT) embedded in the certificate does not verify against the trusted CT logs.' })
  })

  it('fails at transparency-log when the signature was never logged, and refuses annotations it cannot read, saying which', () => {
    const payload = payloadOf(image)
    const annotations = keylessSignatureAnnotations(instance, payload)
    const { 'dev.sigstore.cosign/bundle': _logged, ...unlogged } = annotations
    const notLogged = read(keyless(payload, unlogged))
    expect(notLogged.document?.verification).toMatchObject({ status: 'failed', failedCheck: 'transparency-log' })
    expect(notLogged.document?.verification.checks[0]).toMatchObject({ name: 'transparency-log', actual: 'no transparency log entry and no RFC 3161 timestamp' })
    expect(read(keyless(payload, { ...annotations, 'dev.sigstore.cosign/bundle': '{not json' })).error).toMatchObject({ code: 'invalid-cosign-signature', path: '$.Bundle' })
    const badLogId = { ...annotations, 'dev.sigstore.cosign/bundle': (annotations['dev.sigstore.cosign/bundle'] ?? '').replace(/"logID":"[0-9a-f]+"/, '"logID":"xyz"') }
    expect(read(keyless(payload, badLogId)).error).toMatchObject({ code: 'invalid-cosign-signature', path: '$.Bundle.Payload.logID' })
    expect(read(keyless(payload, { ...annotations, 'dev.sigstore.cosign/certificate': 'not a certificate' })).error).toMatchObject({ code: 'invalid-cosign-signature', path: '$.Cert' })
    const notDer = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
    expect(read(keyless(payload, { ...annotations, 'dev.sigstore.cosign/certificate': notDer })).error).toMatchObject({ code: 'invalid-certificate', path: '$.Cert' })
  })
})

/*
 * cosign's `dev.sigstore.cosign/rfc3161timestamp`: a timestamp authority's response over the signature's bytes
 * (cosign sign --timestamp-server-url), made here by `openssl ts` with a TSA certificate of the test's own.
 */
describe('keyless cosign image signatures with an RFC 3161 timestamp', { timeout: 30_000 }, () => {
  const tsa = createTestTimestampAuthority('ours')
  const trust = loadSigstoreTrust([withTimestampAuthority(instance.trustedRoot, tsa)], trustedKeys)
  const judge = (document: unknown, sigstore = trust) => prepareDocument(Buffer.from(JSON.stringify(document)), { keys: trustedKeys, now: () => Date.now(), sigstore }).item.document.verification
  const refusal = (document: unknown) => {
    try {
      judge(document)
    } catch (error) {
      if (error instanceof IngestError) return { code: error.code, path: error.path, message: error.message }
      throw error
    }
    return null
  }
  const checkOf = (verification: { checks: Check[] }, name: string) => verification.checks.find((check) => check.name === name)
  /** The annotations of a keyless signature, with the TSA's response over its signature as cosign writes it. */
  const timestamped = (payload: Buffer, stampedBytes?: Buffer): Record<string, string> => {
    const annotations = keylessSignatureAnnotations(instance, payload)
    const signature = Buffer.from(annotations['dev.cosignproject.cosign/signature'] ?? '', 'base64')
    const stamp = tsa.stamp(stampedBytes ?? signature)
    return { ...annotations, 'dev.sigstore.cosign/rfc3161timestamp': JSON.stringify({ SignedRFC3161Timestamp: stamp.toString('base64') }) }
  }

  it('reads the annotation of a keyless .sig layer as RFC3161Timestamp, and leaves a key-signed one as it was', () => {
    const payload = payloadOf(image)
    const annotations = timestamped(payload)
    const read = cosignSignatureFromLayer(payload, annotations, image)
    expect(read?.RFC3161Timestamp).toEqual(JSON.parse(annotations['dev.sigstore.cosign/rfc3161timestamp'] ?? ''))
    const keyed = cosignSignatureFromLayer(payload, { 'dev.cosignproject.cosign/signature': 'c2ln', 'dev.sigstore.cosign/rfc3161timestamp': annotations['dev.sigstore.cosign/rfc3161timestamp'] ?? '' })
    expect(keyed).not.toHaveProperty('RFC3161Timestamp')
  })

  it('verifies the timestamp by a trusted TSA beside the log entry, and judges the certificate at both times', () => {
    const payload = payloadOf(image)
    const verification = judge(cosignSignatureFromLayer(payload, timestamped(payload), image))
    expect(verification).toMatchObject({ status: 'verified', failedCheck: null })
    expect(checkOf(verification, 'timestamp')).toMatchObject({ ok: true, actual: expect.stringMatching(/^1 verified: \d{4}-\d\d-\d\dT/) as unknown })
    expect(checkOf(verification, 'transparency-log')).toMatchObject({ ok: true })
    expect(checkOf(verification, 'certificate-chain')).toMatchObject({ ok: true })
  })

  it('verifies a signature that was never logged by the time the TSA vouches for; without the timestamp nothing fixes that time', () => {
    const payload = payloadOf(image)
    const { 'dev.sigstore.cosign/bundle': _logged, ...unlogged } = timestamped(payload)
    const verification = judge(cosignSignatureFromLayer(payload, unlogged, image))
    expect(verification).toMatchObject({ status: 'verified', failedCheck: null })
    expect(checkOf(verification, 'transparency-log')).toMatchObject({ ok: true, actual: 'no transparency log entry' })
    expect(checkOf(verification, 'timestamp')).toMatchObject({ ok: true })
    expect(checkOf(verification, 'certificate-chain')?.actual).toContain('(https://fulcio.ours.sigstore.test)')
    const { 'dev.sigstore.cosign/rfc3161timestamp': _stamp, ...bare } = unlogged
    expect(judge(cosignSignatureFromLayer(payload, bare, image))).toMatchObject({ status: 'failed', failedCheck: 'transparency-log' })
  })

  it('fails at timestamp when it was made over other bytes, and is unverifiable when its TSA is in no trusted root', () => {
    const payload = payloadOf(image)
    const other = judge(cosignSignatureFromLayer(payload, timestamped(payload, Buffer.from('another signature')), image))
    expect(other).toMatchObject({ status: 'failed', failedCheck: 'timestamp' })
    expect(checkOf(other, 'timestamp')?.actual).toMatch(/^the timestamp of .* does not verify/)
    const untrustedTsa = judge(cosignSignatureFromLayer(payload, timestamped(payload), image), loadSigstoreTrust([instance.trustedRoot], trustedKeys))
    expect(untrustedTsa).toMatchObject({ status: 'unverifiable', failedCheck: null })
    expect(checkOf(untrustedTsa, 'timestamp')?.actual).toMatch(/by a timestamp authority no trusted root contains/)
  })

  it('refuses a timestamp it cannot read, naming RFC3161Timestamp', () => {
    const payload = payloadOf(image)
    const annotations = timestamped(payload)
    const withStamp = (stamp: string) => cosignSignatureFromLayer(payload, { ...annotations, 'dev.sigstore.cosign/rfc3161timestamp': stamp }, image)
    expect(refusal(withStamp('{not json'))).toMatchObject({ code: 'invalid-cosign-signature', path: '$.RFC3161Timestamp' })
    expect(refusal(withStamp('{"SignedRFC3161Timestamp":"***"}'))).toMatchObject({ code: 'invalid-base64', path: '$.RFC3161Timestamp.SignedRFC3161Timestamp' })
    expect(refusal(withStamp('{"SignedRFC3161Timestamp":"AAAA"}'))).toMatchObject({ code: 'invalid-timestamp', path: '$.RFC3161Timestamp' })
    expect(refusal(withStamp('{}'))).toMatchObject({ path: '$.RFC3161Timestamp.SignedRFC3161Timestamp' })
  })
})
