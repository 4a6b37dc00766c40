import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findRegistryBinary, registryInstallHint, startRegistry, type TestRegistry } from '../../store/testing/registry'
import { slsaV1Statement } from '../../testing/documents'
import { createTestSigstore, keylessAttestationLayer, keylessSignatureAnnotations, WORKFLOW_IDENTITY, type TestSigstore } from '../../testing/sigstore-instance'
import { attach, world } from './cosign-world'
import { pushImage, simpleSigningPayload } from './fixtures'

/*
 * Keyless cosign signatures and attestations pulled from a real registry (Debian's docker-registry): pushed under
 * cosign's `sha256-<hex>.sig` and `.att` tags with the Fulcio certificate, chain and Rekor bundle in the layers'
 * annotations, signed by a Sigstore instance of the test's own whose trusted root the server is configured with.
 */

if (findRegistryBinary() === null) throw new Error(registryInstallHint)


let registry: TestRegistry
let sigstore: TestSigstore
let dir: string
let rootPath: string

beforeAll(async () => {
  registry = await startRegistry()
  sigstore = createTestSigstore('ours')
  dir = mkdtempSync(join(tmpdir(), 'keyless-oci-'))
  rootPath = join(dir, 'trusted_root.json')
  writeFileSync(rootPath, JSON.stringify(sigstore.trustedRoot))
}, 60_000)

afterAll(async () => {
  await registry?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('keyless cosign signatures and attestations from a real registry', () => {
  it('verifies a keyless .sig and .att after a sync, naming the signer; a signature copied from another image fails at image-digest', async () => {
    const repository = `keyless/app${randomBytes(3).toString('hex')}`
    const image = await pushImage(registry, repository, '1.0')
    const payload = simpleSigningPayload(registry, repository, image.digest)
    await attach(registry, repository, image.digest, 'sig', [{ bytes: payload, mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', annotations: keylessSignatureAnnotations(sigstore, payload) }])
    const attestation = keylessAttestationLayer(sigstore, slsaV1Statement({ subjectName: repository, sha256: image.digest.slice('sha256:'.length), repo: 'https://github.com/acme/web' }))
    await attach(registry, repository, image.digest, 'att', [{ bytes: attestation.envelope, mediaType: 'application/vnd.dsse.envelope.v1+json', annotations: attestation.annotations }])
    // Another image carrying, under its own .sig tag, a valid keyless signature made for the first image.
    const copied = await pushImage(registry, repository, '2.0')
    await attach(registry, repository, copied.digest, 'sig', [{ bytes: payload, mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', annotations: keylessSignatureAnnotations(sigstore, payload) }])

    const w = await world(registry.url, repository, rootPath)
    try {
      const source = await w.sync()
      expect(source.lastRun?.errors).toEqual([])
      expect(source.lastRun?.documentsIngested).toBe(3)

      const documents = await w.documentsOf(image.digest)
      expect(documents.map((document) => [document.format, document.verification.status]).sort()).toEqual([
        ['cosign-signature', 'verified'],
        ['sigstore-bundle', 'verified'],
      ])
      const signature = documents.find((document) => document.format === 'cosign-signature')?.verification
      expect(signature?.checks.filter((check) => check.ok).map((check) => check.name)).toEqual(['payload-type', 'image-digest', 'image-signature', 'transparency-log', 'certificate-chain', 'certificate-identity'])
      expect(signature?.certificate).toMatchObject({ subjectAlternativeName: WORKFLOW_IDENTITY.san, issuer: WORKFLOW_IDENTITY.issuer })
      const provenance = documents.find((document) => document.format === 'sigstore-bundle')?.verification
      expect(provenance?.checks.find((check) => check.name === 'transparency-log')?.actual).toMatch(/\(intoto\/0\.0\.2\) in https:\/\/rekor\.ours\.sigstore\.test: signed entry timestamp verified; records this signature$/)
      expect(provenance?.certificate).toMatchObject({ subjectAlternativeName: WORKFLOW_IDENTITY.san, issuer: WORKFLOW_IDENTITY.issuer })

      // The image's artifact page lists both, verified, and the provenance makes the build it came from.
      const detail = await w.artifact(image.digest)
      expect(detail.attestations.map((item) => [item.format, item.verification.status]).sort()).toEqual([
        ['cosign-signature', 'verified'],
        ['sigstore-bundle', 'verified'],
      ])
      expect(detail.producedBy?.sourceRepo).toBe('https://github.com/acme/web')

      // The copy is the other image's failed signature, listed on its page, not on the page of the image it names.
      const onCopy = await w.documentsOf(copied.digest)
      expect(onCopy.map((document) => [document.format, document.verification.status, document.verification.failedCheck])).toEqual([['cosign-signature', 'failed', 'image-digest']])
      expect(onCopy[0]?.verification.checks[0]).toMatchObject({ name: 'image-digest', ok: false, actual: image.digest })
      expect((await w.artifact(copied.digest)).attestations.map((item) => [item.format, item.verification.status])).toEqual([['cosign-signature', 'failed']])
    } finally {
      await w.dispose()
    }
  }, 90_000)

  it('reports an .att layer whose Rekor bundle cannot be read as an error of that image, with its URL, and stores nothing for it', async () => {
    const repository = `keyless/broken${randomBytes(3).toString('hex')}`
    const image = await pushImage(registry, repository, '1.0')
    const attestation = keylessAttestationLayer(sigstore, slsaV1Statement({ subjectName: repository, sha256: image.digest.slice('sha256:'.length) }))
    await attach(registry, repository, image.digest, 'att', [{ bytes: attestation.envelope, mediaType: 'application/vnd.dsse.envelope.v1+json', annotations: { ...attestation.annotations, 'dev.sigstore.cosign/bundle': '{"SignedEntryTimestamp":' } }])
    const w = await world(registry.url, repository, rootPath)
    try {
      const source = await w.sync()
      expect(source.lastRun?.documentsIngested).toBe(0)
      expect(source.lastRun?.errors).toHaveLength(1)
      expect(source.lastRun?.errors[0]?.message).toMatch(/the dev\.sigstore\.cosign\/bundle annotation is not JSON/)
      expect(source.lastRun?.errors[0]?.url).toBe(`${registry.url}/v2/${repository}/blobs/sha256:${createHash('sha256').update(attestation.envelope).digest('hex')}`)
      expect(await w.documentsOf(image.digest)).toEqual([])
    } finally {
      await w.dispose()
    }
  }, 60_000)
})
