import { describe, expect, it } from 'vitest'
import type { Check } from '../../src/contract/common'
import { signEnvelope } from '../demo/seed'
import { newKey, slsaV1Statement } from '../testing/documents'
import { createTestSigstore, keylessAttestationLayer } from '../testing/sigstore-instance'
import { cosignAttestationDocument } from './cosign-attestation'
import { IngestError } from './errors'
import { prepareDocument } from './ingest'
import { loadPublicKey } from './keys'
import { cosignAttestationBundle } from './sigstore/cosign-bundle'
import { loadSigstoreTrust } from './sigstore/trust-material'

/*
 * `cosign attest` layers under an image's `sha256-<hex>.att` tag, held to that image: an attestation whose
 * statement names the image is stored as the layer stands; one that does not fails at subject-digest, about the
 * image it was found on. Keyless ones are signed by a Sigstore instance of the test's own, key-signed ones by a
 * trusted key.
 */

const instance = createTestSigstore('ours')
const key = newKey('release', 'ecdsa-p256')
const keys = [loadPublicKey(key.id, key.publicKeyPem)]
const sigstore = loadSigstoreTrust([instance.trustedRoot], keys)
const image = `sha256:${'ab'.repeat(32)}`
const other = `sha256:${'cd'.repeat(32)}`
const statementAbout = (...digests: string[]) => {
  const statement = slsaV1Statement({ subjectName: 'registry.example/acme/web', sha256: (digests[0] ?? image).slice(7), repo: 'https://github.com/acme/web' })
  return { ...statement, subject: digests.map((digest, index) => ({ name: index === 0 ? 'registry.example/acme/web' : `registry.example/acme/web-${index}`, digest: { sha256: digest.slice(7) } })) }
}

/** What the OCI connector ingests for a layer found under `attachedTo`'s tag. */
function documentFor(layer: { envelope: Buffer; annotations: Record<string, string> }, attachedTo = image): Buffer {
  const found = cosignAttestationDocument(layer.envelope, layer.annotations, attachedTo)
  if ('problem' in found) throw new Error(found.problem)
  return found.document
}
const prepare = (raw: Buffer) => prepareDocument(raw, { keys, now: () => Date.now(), sigstore })
const checkOf = (checks: readonly Check[], name: string) => checks.find((check) => check.name === name)
const keyed = (statement: unknown) => ({ envelope: Buffer.from(JSON.stringify(signEnvelope(statement, key))), annotations: { 'dev.cosignproject.cosign/signature': '', predicateType: 'https://slsa.dev/provenance/v1' } })

describe('keyless cosign attestations held to their image', { timeout: 30_000 }, () => {
  it('stores one whose statement names the image as the bundle it amounts to, verified, with its build', () => {
    const layer = keylessAttestationLayer(instance, statementAbout(image))
    const raw = documentFor(layer)
    const bundle = cosignAttestationBundle(layer.envelope, layer.annotations)
    // Byte for byte what was stored before the image was checked: nothing already stored gets a second copy.
    expect(bundle !== null && 'bundle' in bundle ? raw.equals(bundle.bundle) : false).toBe(true)
    const prepared = prepare(raw)
    expect(prepared.item.document).toMatchObject({ format: 'sigstore-bundle', verification: { status: 'verified', failedCheck: null } })
    expect(prepared.item.build).not.toBeNull()
    expect(prepared.subjects).toEqual([{ name: 'registry.example/acme/web', digest: { sha256: image.slice(7) } }])
  })

  it('passes one that lists several subjects, one of them the image', () => {
    const statement = statementAbout(other, image)
    const raw = documentFor(keylessAttestationLayer(instance, statement))
    const prepared = prepare(raw)
    expect(prepared.item.document.verification).toMatchObject({ status: 'verified' })
    expect(prepared.subjects.map((subject) => subject.digest.sha256)).toEqual([other.slice(7), image.slice(7)])
  })

  it('fails one whose statement names another image at subject-digest, about the image it was found on, with no build', () => {
    const raw = documentFor(keylessAttestationLayer(instance, statementAbout(other)))
    expect(JSON.parse(raw.toString('utf8'))).toMatchObject({ AttachedTo: image, Attestation: { mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1' } })
    const prepared = prepare(raw)
    const { verification } = prepared.item.document
    expect(prepared.item.document.format).toBe('cosign-attestation')
    expect(verification).toMatchObject({ status: 'failed', failedCheck: 'subject-digest' })
    expect(verification.checks[0]).toEqual({
      name: 'subject-digest',
      ok: false,
      expected: `a subject with the image digest ${image}, the image the attestation is attached to`,
      actual: `subjects: registry.example/acme/web sha256:${'cd'.repeat(6)}…`,
      detail: 'The attestation was made for another image and copied onto this one; cosign verify-attestation would refuse it here.',
    })
    // Everything else holds: it is a good attestation of another image.
    expect(checkOf(verification.checks, 'bundle-signature')).toMatchObject({ ok: true })
    expect(checkOf(verification.checks, 'transparency-log')).toMatchObject({ ok: true })
    expect(checkOf(verification.checks, 'certificate-chain')).toMatchObject({ ok: true })
    expect(verification.certificate).toMatchObject({ subjectAlternativeName: 'https://github.com/acme/web/.github/workflows/release.yml@refs/heads/main' })
    expect(prepared.item.build).toBeNull()
    expect(prepared.subjects).toEqual([{ name: 'registry.example/acme/web', digest: { sha256: image.slice(7) } }])
  })

  it('reads a held attestation that names the image (pushed as such) as verified, with the check passed', () => {
    const layer = keylessAttestationLayer(instance, statementAbout(other, image))
    const bundle = cosignAttestationBundle(layer.envelope, layer.annotations)
    if (bundle === null || 'problem' in bundle) throw new Error('not converted')
    const prepared = prepare(Buffer.from(JSON.stringify({ AttachedTo: image, Attestation: JSON.parse(bundle.bundle.toString('utf8')) as unknown })))
    expect(prepared.item.document).toMatchObject({ format: 'cosign-attestation', verification: { status: 'verified', failedCheck: null } })
    expect(checkOf(prepared.item.document.verification.checks, 'subject-digest')).toMatchObject({ ok: true, actual: `subject registry.example/acme/web-1 has ${image} (1 of 2 subjects)` })
    expect(prepared.item.build).not.toBeNull()
  })

  it('keeps the signature failure first when a copied attestation was also altered', () => {
    const layer = keylessAttestationLayer(instance, statementAbout(other))
    const envelope = JSON.parse(layer.envelope.toString('utf8')) as { payload: string }
    const altered = Buffer.from(JSON.stringify({ ...statementAbout(other), predicateType: 'https://slsa.dev/provenance/v0.2' })).toString('base64')
    const prepared = prepare(documentFor({ ...layer, envelope: Buffer.from(JSON.stringify({ ...envelope, payload: altered })) }))
    expect(prepared.item.document.verification).toMatchObject({ status: 'failed', failedCheck: 'bundle-signature' })
    expect(checkOf(prepared.item.document.verification.checks, 'subject-digest')).toMatchObject({ ok: false })
  })
})

describe('key-signed cosign attestations held to their image', { timeout: 30_000 }, () => {
  it('stores one that names the image as the envelope it is, verified', () => {
    const layer = keyed(statementAbout(image))
    const raw = documentFor(layer)
    expect(raw.equals(layer.envelope)).toBe(true)
    expect(prepare(raw).item.document).toMatchObject({ format: 'dsse', verification: { status: 'verified' } })
  })

  it('fails one that names another image at subject-digest, the envelope signature still verified', () => {
    const prepared = prepare(documentFor(keyed(statementAbout(other))))
    const { verification } = prepared.item.document
    expect(prepared.item.document.format).toBe('cosign-attestation')
    expect(verification).toMatchObject({ status: 'failed', failedCheck: 'subject-digest' })
    expect(checkOf(verification.checks, 'envelope-signature')).toMatchObject({ ok: true })
    expect(checkOf(verification.checks, 'signer-trusted')).toMatchObject({ ok: true })
    expect(prepared.subjects).toEqual([{ name: 'registry.example/acme/web', digest: { sha256: image.slice(7) } }])
    expect(prepared.item.build).toBeNull()
  })

  it('fails one whose statement has no subject', () => {
    const prepared = prepare(documentFor(keyed({ ...statementAbout(image), subject: [] })))
    expect(prepared.item.document.verification).toMatchObject({ status: 'failed', failedCheck: 'subject-digest' })
    expect(checkOf(prepared.item.document.verification.checks, 'subject-digest')).toMatchObject({ actual: 'the statement has no subject' })
  })
})

describe('a held attestation that cannot be read', () => {
  const refusal = (document: unknown) => {
    try {
      prepare(Buffer.from(JSON.stringify(document)))
    } catch (error) {
      if (error instanceof IngestError) return { code: error.code, path: error.path }
      throw error
    }
    return null
  }
  it('is refused naming the field', () => {
    const envelope = signEnvelope(statementAbout(other), key)
    expect(refusal({ AttachedTo: 'latest', Attestation: envelope })).toEqual({ code: 'invalid-cosign-attestation', path: '$.AttachedTo' })
    expect(refusal({ AttachedTo: image, Attestation: { hello: 'world' } })).toEqual({ code: 'invalid-cosign-attestation', path: '$.Attestation' })
    expect(refusal({ AttachedTo: image, Attestation: { ...envelope, payload: '***' } })).toMatchObject({ code: 'invalid-base64', path: '$.Attestation.payload' })
  })

  it('leaves a layer that is not a readable envelope to the envelope reader, as before', () => {
    const layer = { envelope: Buffer.from('not json'), annotations: {} }
    expect(documentFor(layer).toString('utf8')).toBe('not json')
  })
})
