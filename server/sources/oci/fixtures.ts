import { randomBytes, sign } from 'node:crypto'
import type { DemoKey } from '../../demo/keys'
import { signEnvelope } from '../../demo/seed'
import type { Descriptor, TestRegistry } from '../../store/testing/registry'
import { slsaV1Statement } from '../../testing/documents'
import { cyclonedx16 } from '../../testing/format-documents'

/*
 * What the OCI tests, the end-to-end test and the bench push into a test registry, as `docker push` and
 * `cosign attest` / `cosign attach` (tag convention) and an OCI 1.1 client (a referrer with `subject`) would.
 */

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const EMPTY = 'application/vnd.oci.empty.v1+json'

/** Pushes a small image (config and one layer) under a tag; answers the manifest's descriptor. */
export async function pushImage(registry: TestRegistry, repository: string, tag: string | null, platform?: { os: string; architecture: string }): Promise<Descriptor> {
  const config = Buffer.from(JSON.stringify({ architecture: platform?.architecture ?? 'amd64', os: platform?.os ?? 'linux', rootfs: { type: 'layers', diff_ids: [] }, nonce: randomBytes(8).toString('hex') }))
  const layer = randomBytes(64)
  const configDescriptor = await registry.pushBlob(repository, config)
  const layerDescriptor = await registry.pushBlob(repository, layer)
  return registry.pushManifest(repository, tag, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { ...configDescriptor, mediaType: 'application/vnd.oci.image.config.v1+json' },
    layers: [{ ...layerDescriptor, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }],
  })
}

/** A multi-arch image: one manifest per platform and an index under the tag. */
export async function pushMultiArch(registry: TestRegistry, repository: string, tag: string): Promise<{ index: Descriptor; platforms: Descriptor[] }> {
  const platforms = [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64' },
  ]
  const manifests: Descriptor[] = []
  for (const platform of platforms) manifests.push({ ...(await pushImage(registry, repository, null, platform)), platform })
  const index = await registry.pushManifest(repository, tag, { schemaVersion: 2, mediaType: OCI_INDEX, manifests })
  return { index, platforms: manifests }
}

/** A DSSE envelope over a SLSA v1 provenance statement about the image, signed with `key`. */
export function provenanceEnvelope(key: DemoKey, image: string, name: string, repo = 'https://github.com/acme/web'): Buffer {
  const statement = slsaV1Statement({ subjectName: name, sha256: image.replace(/^sha256:/, ''), repo })
  return Buffer.from(JSON.stringify(signEnvelope(statement, key)))
}

/** A DSSE envelope over a CycloneDX SBOM attestation about the image (as `cosign attest --type cyclonedx` makes). */
export function sbomEnvelope(key: DemoKey, image: string, name: string): Buffer {
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name, digest: { sha256: image.replace(/^sha256:/, '') } }],
    predicateType: 'https://cyclonedx.org/bom',
    predicate: withComponent(cyclonedx16(), { type: 'container', name, version: '1.0.0', hashes: [{ alg: 'SHA-256', content: image.replace(/^sha256:/, '') }] }),
  }
  return Buffer.from(JSON.stringify(signEnvelope(statement, key)))
}

/** The SBOM with its described component replaced, keeping the rest of its metadata (tools, timestamp). */
function withComponent(bom: Record<string, unknown>, component: Record<string, unknown>): Record<string, unknown> {
  const metadata = typeof bom.metadata === 'object' && bom.metadata !== null ? bom.metadata : {}
  return { ...bom, metadata: { ...metadata, component } }
}

/** cosign's tag convention: a manifest tagged `sha256-<hex>.att` whose layers are DSSE envelopes. */
export async function attachCosignAttestations(registry: TestRegistry, repository: string, image: string, envelopes: Buffer[]): Promise<Descriptor> {
  const layers: Descriptor[] = []
  for (const envelope of envelopes) {
    const blob = await registry.pushBlob(repository, envelope)
    layers.push({ ...blob, mediaType: 'application/vnd.dsse.envelope.v1+json', annotations: { predicateType: 'https://slsa.dev/provenance/v1' } })
  }
  // As cosign writes it: an image config listing the layers, so each attestation manifest has its own.
  const config = await registry.pushBlob(repository, Buffer.from(JSON.stringify({ architecture: '', os: '', rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.digest) }, config: {} })))
  return registry.pushManifest(repository, `${image.replace(':', '-')}.att`, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { ...config, mediaType: 'application/vnd.oci.image.config.v1+json' },
    layers,
  })
}

/** The simple-signing payload `cosign sign` signs for an image. */
export function simpleSigningPayload(registry: TestRegistry, repository: string, image: string): Buffer {
  return Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': `${registry.url.replace(/^https?:\/\//, '')}/${repository}` }, image: { 'docker-manifest-digest': image }, type: 'cosign container image signature' }, optional: null }))
}

/**
 * cosign's `.sig` tag: a simple-signing payload with the signature in an annotation, signed with `key` as
 * `cosign sign --key` does (ECDSA P-256 over SHA-256 of the payload, DER, base64); `signature` overrides it.
 */
export async function attachCosignSignature(registry: TestRegistry, repository: string, image: string, key: DemoKey | null, signature?: string): Promise<Descriptor> {
  const payload = simpleSigningPayload(registry, repository, image)
  const signed = signature ?? (key ? sign(key.algorithm === 'ed25519' ? null : 'sha256', payload, key.privateKey).toString('base64') : randomBytes(64).toString('base64'))
  const blob = await registry.pushBlob(repository, payload)
  const config = await registry.pushBlob(repository, Buffer.from(JSON.stringify({ architecture: '', os: '', rootfs: { type: 'layers', diff_ids: [blob.digest] }, config: {} })))
  return registry.pushManifest(repository, `${image.replace(':', '-')}.sig`, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { ...config, mediaType: 'application/vnd.oci.image.config.v1+json' },
    layers: [{ ...blob, mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', annotations: { 'dev.cosignproject.cosign/signature': signed } }],
  })
}

/**
 * An OCI 1.1 referrer: an artifact manifest with `subject` (the image) and `artifactType`, and, because
 * Distribution 2.8 has no referrers API, the referrers tag schema's index tagged `sha256-<hex>` listing it.
 */
export async function attachReferrer(registry: TestRegistry, repository: string, image: Descriptor, artifactType: string, document: Buffer, layerType = artifactType, existing: Descriptor[] = []): Promise<{ referrer: Descriptor; index: Descriptor }> {
  const empty = await registry.pushBlob(repository, Buffer.from('{}'))
  const blob = await registry.pushBlob(repository, document)
  const referrer = await registry.pushManifest(repository, null, {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType,
    config: { ...empty, mediaType: EMPTY },
    layers: [{ ...blob, mediaType: layerType }],
    subject: { mediaType: image.mediaType, digest: image.digest, size: image.size },
  })
  const manifests = [...existing, { ...referrer, artifactType }]
  const index = await registry.pushManifest(repository, image.digest.replace(':', '-'), { schemaVersion: 2, mediaType: OCI_INDEX, manifests })
  return { referrer: { ...referrer, artifactType }, index }
}
