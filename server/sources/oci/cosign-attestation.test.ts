import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signEnvelope } from '../../demo/seed'
import { findRegistryBinary, registryInstallHint, startRegistry, type TestRegistry } from '../../store/testing/registry'
import { newKey, slsaV1Statement } from '../../testing/documents'
import { createTestSigstore, keylessAttestationLayer, keylessSignatureAnnotations, type TestSigstore } from '../../testing/sigstore-instance'
import { createTestTimestampAuthority, withTimestampAuthority, type TestTimestampAuthority } from '../../testing/timestamp-authority'
import { attach, world } from './cosign-world'
import { pushImage, simpleSigningPayload } from './fixtures'

/*
 * cosign attestations held to the image whose `sha256-<hex>.att` tag holds them, and cosign signatures with an
 * RFC 3161 timestamp, pulled from a real registry (Debian's docker-registry). Keyless ones are signed by a
 * Sigstore instance of the test's own, timestamps made by a TSA of its own (`openssl ts`); both are in the
 * trusted root the server is configured with.
 */

if (findRegistryBinary() === null) throw new Error(registryInstallHint)

const key = newKey('release', 'ecdsa-p256')
const DSSE = 'application/vnd.dsse.envelope.v1+json'
const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json'

/** A statement about the given images, in order, as `cosign attest` of a SLSA predicate writes one. */
function statementAbout(repository: string, ...images: string[]) {
  const statement = slsaV1Statement({ subjectName: repository, repo: 'https://github.com/acme/web' })
  return { ...statement, subject: images.map((image, index) => ({ name: index === 0 ? repository : `${repository}-${index}`, digest: { sha256: image.slice('sha256:'.length) } })) }
}

let registry: TestRegistry
let sigstore: TestSigstore
let tsa: TestTimestampAuthority
let dir: string
let rootPath: string

beforeAll(async () => {
  registry = await startRegistry()
  sigstore = createTestSigstore('ours')
  tsa = createTestTimestampAuthority('ours')
  dir = mkdtempSync(join(tmpdir(), 'held-oci-'))
  rootPath = join(dir, 'trusted_root.json')
  writeFileSync(rootPath, JSON.stringify(withTimestampAuthority(sigstore.trustedRoot, tsa)))
}, 60_000)

afterAll(async () => {
  await registry?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('cosign attestations held to the image whose .att tag holds them, from a real registry', () => {
  it('verifies attestations that name the image among several subjects; copies onto another image fail at subject-digest there', async () => {
    const repository = `held/app${randomBytes(3).toString('hex')}`
    const image = await pushImage(registry, repository, '1.0')
    const sibling = await pushImage(registry, repository, null)
    const copiedOnto = await pushImage(registry, repository, '2.0')
    // One keyless and one key-signed attestation naming the image and a sibling, under the image's .att tag.
    const keyless = keylessAttestationLayer(sigstore, statementAbout(repository, sibling.digest, image.digest))
    const keyed = Buffer.from(JSON.stringify(signEnvelope(statementAbout(repository, image.digest), key)))
    await attach(registry, repository, image.digest, 'att', [
      { bytes: keyless.envelope, mediaType: DSSE, annotations: keyless.annotations },
      { bytes: keyed, mediaType: DSSE, annotations: { 'dev.cosignproject.cosign/signature': '', predicateType: 'https://slsa.dev/provenance/v1' } },
    ])
    // Both copied, as they are, under the .att tag of an image they do not name.
    await attach(registry, repository, copiedOnto.digest, 'att', [
      { bytes: keyless.envelope, mediaType: DSSE, annotations: keyless.annotations },
      { bytes: keyed, mediaType: DSSE, annotations: { 'dev.cosignproject.cosign/signature': '', predicateType: 'https://slsa.dev/provenance/v1' } },
    ])

    const w = await world(registry.url, repository, rootPath, [{ id: key.id, publicKeyPem: key.publicKeyPem }])
    try {
      const source = await w.sync()
      expect(source.lastRun?.errors).toEqual([])
      expect(source.lastRun?.documentsIngested).toBe(4)

      const onImage = await w.documentsOf(image.digest)
      expect(onImage.map((document) => [document.format, document.verification.status]).sort()).toEqual([
        ['dsse', 'verified'],
        ['sigstore-bundle', 'verified'],
      ])
      const detail = await w.artifact(image.digest)
      expect(detail.attestations.map((item) => [item.format, item.verification.status]).sort()).toEqual([
        ['dsse', 'verified'],
        ['sigstore-bundle', 'verified'],
      ])
      // The sibling the keyless statement also names has it too.
      expect((await w.artifact(sibling.digest)).attestations.map((item) => [item.format, item.verification.status])).toEqual([['sigstore-bundle', 'verified']])

      const onCopy = await w.documentsOf(copiedOnto.digest)
      expect(onCopy.map((document) => [document.format, document.verification.status, document.verification.failedCheck])).toEqual([
        ['cosign-attestation', 'failed', 'subject-digest'],
        ['cosign-attestation', 'failed', 'subject-digest'],
      ])
      for (const document of onCopy) {
        expect(document.verification.checks[0]).toMatchObject({ name: 'subject-digest', ok: false, expected: `a subject with the image digest ${copiedOnto.digest}, the image the attestation is attached to` })
        // A good signature of another image's attestation: only the image is wrong.
        expect(document.verification.checks.filter((check) => !check.ok).map((check) => check.name)).toEqual(['subject-digest'])
      }
      const copyPage = await w.artifact(copiedOnto.digest)
      expect(copyPage.attestations.map((item) => [item.format, item.verification.status])).toEqual([
        ['cosign-attestation', 'failed'],
        ['cosign-attestation', 'failed'],
      ])
      expect(copyPage.producedBy).toBeNull()
      // The copies add nothing to the image their statements name.
      expect((await w.artifact(image.digest)).attestations).toHaveLength(2)

      // A second sync finds nothing new and stores nothing twice.
      const again = await w.sync()
      expect(again.lastRun?.documentsIngested).toBe(0)
      expect(await w.documentsOf(copiedOnto.digest)).toHaveLength(2)
    } finally {
      await w.dispose()
    }
  }, 120_000)

  it('verifies a keyless .sig with its RFC 3161 timestamp by a trusted TSA, and one never logged by that timestamp alone', async () => {
    const repository = `held/signed${randomBytes(3).toString('hex')}`
    const image = await pushImage(registry, repository, '1.0')
    const unlogged = await pushImage(registry, repository, '2.0')
    const timestamped = (annotations: Record<string, string>) => ({
      ...annotations,
      'dev.sigstore.cosign/rfc3161timestamp': JSON.stringify({ SignedRFC3161Timestamp: tsa.stamp(Buffer.from(annotations['dev.cosignproject.cosign/signature'] ?? '', 'base64')).toString('base64') }),
    })
    const payload = simpleSigningPayload(registry, repository, image.digest)
    await attach(registry, repository, image.digest, 'sig', [{ bytes: payload, mediaType: SIMPLE_SIGNING, annotations: timestamped(keylessSignatureAnnotations(sigstore, payload)) }])
    const unloggedPayload = simpleSigningPayload(registry, repository, unlogged.digest)
    const { 'dev.sigstore.cosign/bundle': _logged, ...notLogged } = keylessSignatureAnnotations(sigstore, unloggedPayload)
    await attach(registry, repository, unlogged.digest, 'sig', [{ bytes: unloggedPayload, mediaType: SIMPLE_SIGNING, annotations: timestamped(notLogged) }])

    const w = await world(registry.url, repository, rootPath, [{ id: key.id, publicKeyPem: key.publicKeyPem }])
    try {
      const source = await w.sync()
      expect(source.lastRun?.errors).toEqual([])
      for (const digest of [image.digest, unlogged.digest]) {
        const [signature, ...rest] = await w.documentsOf(digest)
        expect(rest).toEqual([])
        expect(signature).toMatchObject({ format: 'cosign-signature', verification: { status: 'verified', failedCheck: null } })
        expect(signature?.verification.checks.find((check) => check.name === 'timestamp')).toMatchObject({ ok: true, actual: expect.stringMatching(/^1 verified: /) as unknown })
        expect(signature?.verification.checks.find((check) => check.name === 'certificate-chain')).toMatchObject({ ok: true })
      }
      const [unloggedSignature] = await w.documentsOf(unlogged.digest)
      expect(unloggedSignature?.verification.checks.find((check) => check.name === 'transparency-log')).toMatchObject({ ok: true, actual: 'no transparency log entry' })
    } finally {
      await w.dispose()
    }
  }, 90_000)
})
