import { createHash } from 'node:crypto'
import type { OciSourceConfig } from '../config'
import { mapLimit, SourceFetchError } from '../http'
import { ingestPulled, PulledDocumentError, secret, type SyncContext } from '../sync'
import { OciClient, type Descriptor, type FetchedManifest, type ImageManifest } from './client'
import { cosignSignatureFromLayer } from '../../ingest/cosign-signature'
import { layerKind } from './layers'

/*
 * One sync of an OCI registry source. For each configured repository and tag: the image (and, for a
 * multi-arch index, each platform's image), then the documents attached to each image digest:
 *
 * 1. the referrers API (OCI 1.1), or, where the registry lacks it, the referrers tag schema: an index tagged
 *    `sha256-<hex>` listing the manifests whose subject is the image;
 * 2. cosign's tag convention: `sha256-<hex>.att` (DSSE attestations) and `sha256-<hex>.sig` (signatures).
 *
 * Each readable layer (DSSE envelopes, Sigstore bundles, in-toto statements, SPDX and CycloneDX SBOMs, and
 * cosign's simple-signing signatures with their annotations) goes through the ingest path. Incremental: what an
 * image's referrers were (the digests of the schema index and the cosign tags, or of the referrers list) is
 * remembered once everything under them is stored; an image whose referrers did not change is not read again.
 */

const REFERRER_TAG = /^sha256-[0-9a-f]{64}(\.[a-z]+)?$/

export type OciSyncStats = { requests: number }

export async function syncOci(context: SyncContext<OciSourceConfig>, client?: OciClient): Promise<OciSyncStats> {
  const { source, store, report, now } = context
  const credentials = source.auth?.usernameEnv && source.auth.passwordEnv
    ? { username: secret(context, source.auth.usernameEnv, 'auth.usernameEnv'), password: secret(context, source.auth.passwordEnv, 'auth.passwordEnv') }
    : null
  const oci = client ?? new OciClient(source.url, credentials)
  const seen = await store.sources.seenWithPrefix(source.name, '')
  const visited = new Set<string>()

  for (const repository of source.repositories) {
    if (context.signal.aborted) return { requests: oci.requests }
    const repo = repository.name
    report.phase = `listing the tags of ${repo}`
    let tags: string[]
    // The attachment tags (`sha256-<hex>`, `.att`, `.sig`) the tag list holds: a missing one is not asked for,
    // which spares three requests an image on a registry without the referrers API. Null: ask for each.
    let attachments: Set<string> | null = null
    try {
      const listed = await oci.tags(repo)
      attachments = new Set(listed.filter((tag) => REFERRER_TAG.test(tag)))
      tags = repository.tags ?? listed.filter((tag) => !REFERRER_TAG.test(tag))
    } catch (error) {
      // Configured tags can still be read one by one when listing is not allowed.
      if (repository.tags === undefined || !(error instanceof SourceFetchError)) {
        report.fail(error)
        continue
      }
      tags = repository.tags
    }
    const attached = (tag: string) => (attachments === null || attachments.has(tag) ? oci.resolve(repo, tag) : Promise.resolve(null))
    report.total += tags.length
    // Unknown until the first image is asked; a registry either has the API for a repository or not.
    let referrersApi: boolean | null = null

    const syncImage = async (digest: string, label: string): Promise<void> => {
      const key = `${repo}@${digest}`
      if (visited.has(key)) return
      visited.add(key)
      const hex = digest.replace(/^sha256:/, '')
      let listed: Descriptor[] | null = null
      if (referrersApi !== false) {
        listed = await oci.referrers(repo, digest)
        referrersApi = listed !== null
      }
      const [schemaDigest, att, sig] = await Promise.all([
        listed === null ? attached(`sha256-${hex}`) : null,
        attached(`sha256-${hex}.att`),
        attached(`sha256-${hex}.sig`),
      ])
      const fingerprint = [
        listed === null ? `schema=${schemaDigest ?? ''}` : `api=${hashOf(listed.map((entry) => entry.digest).sort().join(','))}`,
        `att=${att ?? ''}`,
        `sig=${sig ?? ''}`,
      ].join(';')
      if (seen.get(`refs:${key}`) === fingerprint) {
        report.unchanged++
        return
      }
      report.phase = `reading what is attached to ${repo}:${label} (${digest.slice(0, 19)}…)`
      // Images are read concurrently, so this image's failures are counted here, not from the shared report.
      let failures = 0
      const fail = (error: unknown, url: string | null = null) => {
        failures++
        report.fail(error, url)
      }
      const referrerManifests: Descriptor[] = [...(listed ?? [])]
      if (schemaDigest !== null) {
        try {
          const index = await oci.manifest(repo, schemaDigest)
          if (index?.manifest.kind === 'index') referrerManifests.push(...index.manifest.value.manifests)
          else if (index !== null) throw new SourceFetchError(`the tag sha256-${hex} should hold an index of referrers, but holds an image manifest`, index.url, 200)
        } catch (error) {
          fail(error)
        }
      }
      const read = async (reference: string, artifactType: string | undefined, requireSubject: boolean) => {
        try {
          const fetched = await oci.manifest(repo, reference)
          if (fetched === null) throw new SourceFetchError(`the referrer manifest ${reference} is listed but the registry has no such manifest`, `${source.url}/v2/${repo}/manifests/${reference}`, 404)
          if (fetched.manifest.kind !== 'manifest') return
          // A tag-schema index can be stale; a referrer counts only when it names this image as its subject.
          if (requireSubject && fetched.manifest.value.subject !== undefined && fetched.manifest.value.subject.digest !== digest) return
          await readLayers(context, oci, repo, fetched, fetched.manifest.value, artifactType, digest, fail)
        } catch (error) {
          fail(error)
        }
      }
      for (const descriptor of referrerManifests) await read(descriptor.digest, descriptor.artifactType, true)
      if (att !== null) await read(att, undefined, false)
      if (sig !== null) await read(sig, undefined, false)
      // Remembered only when everything under it was stored, so a failed or interrupted image is read again.
      if (failures === 0) {
        seen.set(`refs:${key}`, fingerprint)
        await store.sources.markSeen(source.name, [{ key: `refs:${key}`, value: fingerprint }], now())
      }
    }

    await mapLimit(tags, source.concurrency, async (tag) => {
      if (context.signal.aborted) return
      try {
        const digest = await oci.resolve(repo, tag)
        if (digest === null) throw new SourceFetchError(`the tag ${tag} is listed but has no manifest`, `${source.url}/v2/${repo}/manifests/${tag}`, 404)
        const images = [digest, ...(await platformImages(context, oci, repo, digest, seen))]
        for (const image of images) await syncImage(image, tag)
      } catch (error) {
        report.fail(error)
      } finally {
        report.done++
      }
    })
  }
  return { requests: oci.requests }
}

/** The per-platform images of a multi-arch index (none for a single image), remembered by the index's digest. */
async function platformImages(context: SyncContext<OciSourceConfig>, oci: OciClient, repo: string, digest: string, seen: Map<string, string>): Promise<string[]> {
  const key = `index:${repo}@${digest}`
  const known = seen.get(key)
  if (known !== undefined) return known === '' ? [] : known.split(',')
  const fetched = await oci.manifest(repo, digest)
  if (fetched === null) throw new SourceFetchError(`the manifest ${digest} disappeared while being read`, `${context.source.url}/v2/${repo}/manifests/${digest}`, 404)
  // An index's digest never changes what it lists, so this is remembered for good.
  const children = fetched.manifest.kind === 'index' ? fetched.manifest.value.manifests.filter((entry) => entry.platform === undefined || entry.platform.os !== 'unknown').map((entry) => entry.digest) : []
  seen.set(key, children.join(','))
  await context.store.sources.markSeen(context.source.name, [{ key, value: children.join(',') }], context.now())
  return children
}

async function readLayers(
  context: SyncContext<OciSourceConfig>,
  oci: OciClient,
  repo: string,
  fetched: FetchedManifest,
  manifest: ImageManifest,
  artifactType: string | undefined,
  subject: string,
  fail: (error: unknown, url: string | null) => void,
): Promise<void> {
  for (const layer of manifest.layers) {
    const kind = layerKind(layer.mediaType, artifactType ?? manifest.artifactType ?? manifest.config.mediaType)
    if (kind === 'skip') continue
    try {
      const blob = await oci.blob(repo, layer, context.config.maxBodyBytes)
      if (kind === 'cosign-signature') {
        // The document is the layer with its annotations, as `cosign download signature` prints it.
        const signature = cosignSignatureFromLayer(blob.bytes, layer.annotations ?? {})
        if (signature === null) throw new PulledDocumentError('the cosign signature layer has no dev.cosignproject.cosign/signature annotation, so there is no signature to check', blob.url)
        await ingestPulled(context, Buffer.from(JSON.stringify(signature)), blob.url, subject)
        continue
      }
      await ingestPulled(context, blob.bytes, blob.url, subject)
    } catch (error) {
      if (error instanceof PulledDocumentError || error instanceof SourceFetchError) fail(error, fetched.url)
      else throw error
    }
  }
}

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32)
