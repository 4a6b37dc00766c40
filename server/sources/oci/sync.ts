import { createHash } from 'node:crypto'
import type { OciSourceConfig } from '../config'
import { mapLimit, SourceFetchError } from '../http'
import { ingestPulled, PulledDocumentError, secret, type SyncContext } from '../sync'
import { OciClient, type Descriptor, type FetchedManifest, type ImageManifest } from './client'
import { cosignAttestationDocument } from '../../ingest/cosign-attestation'
import { cosignSignatureFromLayer } from '../../ingest/cosign-signature'
import { cosignAttestationBundle } from '../../ingest/sigstore/cosign-bundle'
import { layerKind } from './layers'
import { allAttachmentKinds, changesByRepository, type FeedEvent } from './events'
import { ATTACHMENT_KINDS, attachmentsByImage, attachmentTag, fingerprintOf, isAttachmentTag, parseFingerprint, type AttachedDigests, type AttachmentKind } from './attachment-tags'

/*
 * One sync of an OCI registry source: for each configured repository, the documents attached to its images.
 *
 * - Where the registry has the referrers API (OCI 1.1): each tag is resolved (a multi-arch index to each
 *   platform's image) and each image asked for its referrers, with cosign's tags beside them.
 * - Where it has not (Distribution 2.x, most registries today): attachments are tags named after the image's
 *   digest, the referrers tag schema's index (`sha256-<hex>`) and cosign's `sha256-<hex>.att` (DSSE
 *   attestations) and `.sig` (signatures). The tag list names them all, so the images with attachments are
 *   known from it alone, and each attachment tag is asked conditionally: a sync with nothing new is one listing
 *   and one small request per attachment tag, with no request per image tag and no query per image.
 *
 * Each readable layer (DSSE envelopes, Sigstore bundles, in-toto statements, SPDX and CycloneDX SBOMs, and
 * cosign's simple-signing signatures with their annotations) goes through the ingest path. Incremental: what an
 * image's attachment tags (or referrers list) held is remembered once everything under them is stored; an
 * image whose attachments did not move is not read again, and a failed or interrupted one is.
 *
 * With a change feed (the registry's notifications, ./events.ts), a scheduled sync is given the events since the
 * last one and looks only at the images they name (syncChanges): no event, no request.
 */

export type OciSyncStats = { requests: number }

export async function syncOci(context: SyncContext<OciSourceConfig>, client?: OciClient): Promise<OciSyncStats> {
  const { source, store } = context
  const credentials = source.auth?.usernameEnv && source.auth.passwordEnv
    ? { username: secret(context, source.auth.usernameEnv, 'auth.usernameEnv'), password: secret(context, source.auth.passwordEnv, 'auth.passwordEnv') }
    : null
  const oci = client ?? new OciClient(source.url, credentials)

  if (context.changes !== undefined) {
    await syncChanges(context, oci, context.changes)
    return { requests: oci.requests }
  }
  // What was seen, read once for the whole sync: an image that did not change costs no query of its own.
  const seen = await store.sources.seenWithPrefix(source.name, '')
  const visited = new Set<string>()
  for (const repository of source.repositories) {
    if (context.signal.aborted) return { requests: oci.requests }
    await checkRepository(context, oci, repository, seen, visited)
  }
  return { requests: oci.requests }
}

type OciRepositoryConfig = OciSourceConfig['repositories'][number]

/** How a repository's attachments were found in its last full check; a feed-driven sync relies on it. */
type RepositoryMode = 'tag-list' | 'referrers-api'
const modeKey = (repo: string) => `mode:${repo}`

/** A full check of one repository: its tag list, then each image with attachments (or each tag's image). */
async function checkRepository(context: SyncContext<OciSourceConfig>, oci: OciClient, repository: OciRepositoryConfig, seen: Map<string, string>, visited: Set<string>): Promise<void> {
  const { report, store, source, now } = context
  report.phase = `listing the tags of ${repository.name}`
  let listed: string[] | null = null
  try {
    listed = await oci.tags(repository.name)
  } catch (error) {
    // Configured tags can still be read one by one when listing is not allowed.
    if (repository.tags === undefined || !(error instanceof SourceFetchError)) {
      report.fail(error)
      return
    }
  }
  try {
    const scope: RepositoryScope = { repo: repository.name, tags: repository.tags, listed, seen, visited }
    const mode: RepositoryMode = listed !== null && !(await hasReferrersApi(oci, scope, listed)) ? 'tag-list' : 'referrers-api'
    if (seen.get(modeKey(repository.name)) !== mode) {
      seen.set(modeKey(repository.name), mode)
      await store.sources.markSeen(source.name, [{ key: modeKey(repository.name), value: mode }], now())
    }
    if (mode === 'tag-list' && listed !== null) await syncByTagList(context, oci, scope, listed)
    else await syncByImages(context, oci, scope)
  } catch (error) {
    report.fail(error)
  }
}

/**
 * A feed-driven sync: only the repositories and images the change-feed events name are looked at, so a sync with
 * no events sends no request at all. On a registry without the referrers API (found by the last full check) an
 * attachment is a tag named after its image, so an event for `sha256-<hex>.att` names the image to read; each of
 * its attachment tags is then asked conditionally, as in a full check. A repository whose last full check found
 * the referrers API, or was never checked, is checked in full: there a referrer is pushed without a tag, and its
 * event does not say which image it is about.
 */
async function syncChanges(context: SyncContext<OciSourceConfig>, oci: OciClient, events: readonly FeedEvent[]): Promise<void> {
  const { source, store, report } = context
  const byRepository = changesByRepository(events)
  report.phase = events.length === 0 ? 'no change events since the last sync' : `reading what ${events.length} change ${events.length === 1 ? 'event names' : 'events name'}`
  for (const repository of source.repositories) {
    const changes = byRepository.get(repository.name)
    if (changes === undefined) continue
    if (context.signal.aborted) return
    const repo = repository.name
    const images = [...changes.attached.keys()]
    const seen = await store.sources.seen(source.name, [modeKey(repo), ...images.map((image) => `refs:${repo}@${image}`)])
    if (seen.get(modeKey(repo)) !== 'tag-list') {
      await checkRepository(context, oci, repository, await store.sources.seenWithPrefix(source.name, ''), new Set())
      continue
    }
    try {
      for (const [key, value] of await store.sources.seenWithPrefix(source.name, `index:${repo}@`)) seen.set(key, value)
      const scope: RepositoryScope = { repo, tags: repository.tags, listed: null, seen, visited: new Set() }
      const targets = new Map<string, Set<AttachmentKind>>()
      for (const [image, kinds] of changes.attached) targets.set(image, new Set(kinds))
      if (repository.tags !== undefined) {
        // Configured tags: only their images count. A tag that moved names an image whose attachments may have
        // been pushed before it (and their events passed over then), so each of its attachment kinds is asked.
        const movedTags = repository.tags.filter((tag) => changes.tags.has(tag))
        if (targets.size === 0 && movedTags.length === 0) continue
        report.phase = `resolving the configured tags of ${repo}`
        const wanted = new Set<string>()
        for (const tag of repository.tags) {
          for (const image of await imagesOfTag(context, oci, scope, tag)) {
            wanted.add(image)
            if (movedTags.includes(tag) && !targets.has(image)) targets.set(image, allAttachmentKinds())
          }
        }
        for (const image of [...targets.keys()]) if (!wanted.has(image)) targets.delete(image)
        const fresh = [...targets.keys()].filter((image) => !seen.has(`refs:${repo}@${image}`))
        for (const [key, value] of await store.sources.seen(source.name, fresh.map((image) => `refs:${repo}@${image}`))) seen.set(key, value)
      }
      report.total += targets.size
      await mapLimit([...targets], source.concurrency, async ([image, kinds]) => {
        if (context.signal.aborted) return
        try {
          // The kinds the image held at its last check are asked too: the fingerprint compares all of them.
          const before = parseFingerprint(seen.get(`refs:${repo}@${image}`))
          for (const kind of ATTACHMENT_KINDS) if (before?.[kind]) kinds.add(kind)
          await syncAttachedByTags(context, oci, scope, image, kinds)
        } catch (error) {
          report.fail(error)
        } finally {
          report.done++
        }
      })
    } catch (error) {
      report.fail(error)
    }
  }
}

type RepositoryScope = {
  repo: string
  /** The configured tags; undefined: every tag. */
  tags: readonly string[] | undefined
  /** The repository's tags, or null when listing them was refused. */
  listed: string[] | null
  seen: Map<string, string>
  visited: Set<string>
}

/**
 * Whether the registry answers the referrers API for this repository, asked once with an image that has
 * attachments (or, if none has, the first tag's). OCI 1.1 forbids a registry with the API to answer its route
 * with 404, so one answer speaks for the repository.
 */
async function hasReferrersApi(oci: OciClient, scope: RepositoryScope, listed: readonly string[]): Promise<boolean> {
  let image: string | null = attachmentsByImage(listed).keys().next().value ?? null
  if (image === null) {
    const first = (scope.tags ?? listed.filter((tag) => !isAttachmentTag(tag)))[0]
    if (first === undefined) return false
    image = await oci.resolve(scope.repo, first)
    if (image === null) return false
  }
  return (await oci.referrers(scope.repo, image)) !== null
}

/**
 * A registry without the referrers API: every attachment is a tag named after its image, so the tag list
 * alone says which images have attachments. Each of those tags is then asked with the digest it held last time
 * (one conditional request: 304 when it did not move), and only what moved is read. A tag moved to a new image
 * is followed because the new image's attachments are new tags; with configured tags, those few are resolved.
 */
async function syncByTagList(context: SyncContext<OciSourceConfig>, oci: OciClient, scope: RepositoryScope, listed: readonly string[]): Promise<void> {
  const { source, report } = context
  const { repo } = scope
  const attached = attachmentsByImage(listed)
  let images = [...attached.keys()]
  if (scope.tags !== undefined) {
    report.phase = `resolving the configured tags of ${repo}`
    const wanted = new Set<string>()
    await mapLimit(scope.tags, source.concurrency, async (tag) => {
      try {
        for (const image of await imagesOfTag(context, oci, scope, tag)) wanted.add(image)
      } catch (error) {
        report.fail(error)
      }
    })
    images = images.filter((image) => wanted.has(image))
  }
  report.total += images.length
  await mapLimit(images, source.concurrency, async (image) => {
    if (context.signal.aborted) return
    try {
      await syncAttachedByTags(context, oci, scope, image, attached.get(image) ?? new Set())
    } catch (error) {
      report.fail(error)
    } finally {
      report.done++
    }
  })
}

/** The image a tag names, and for a multi-arch index each platform's image too. */
async function imagesOfTag(context: SyncContext<OciSourceConfig>, oci: OciClient, scope: RepositoryScope, tag: string): Promise<string[]> {
  const digest = await oci.resolve(scope.repo, tag)
  if (digest === null) throw new SourceFetchError(`the tag ${tag} has no manifest in ${scope.repo}`, `${context.source.url}/v2/${scope.repo}/manifests/${tag}`, 404)
  return [digest, ...(await platformImages(context, oci, scope.repo, digest, scope.seen))]
}

/** Counts one image's failures (images are read concurrently, so not from the shared report). */
function failureCounter(report: SyncContext['report']) {
  const counter = {
    failures: 0,
    fail: (error: unknown, url: string | null = null) => {
      counter.failures++
      report.fail(error, url)
    },
  }
  return counter
}

async function syncAttachedByTags(context: SyncContext<OciSourceConfig>, oci: OciClient, scope: RepositoryScope, image: string, kinds: ReadonlySet<AttachmentKind>): Promise<void> {
  const { report, store, source, now } = context
  const { repo, seen } = scope
  const key = `refs:${repo}@${image}`
  const before = parseFingerprint(seen.get(key))
  const current: AttachedDigests = { schema: null, att: null, sig: null }
  const fetched = new Map<AttachmentKind, FetchedManifest>()
  // One request at a time per image: the source's concurrency is the number of images in flight.
  for (const kind of ATTACHMENT_KINDS) {
    if (!kinds.has(kind)) continue
    const answer = await oci.manifestIfChanged(repo, attachmentTag(image, kind), before?.[kind] ?? null)
    // Null: the tag was deleted since the listing; it is then simply absent.
    if (answer === null) continue
    current[kind] = answer.digest
    if (answer.fetched !== null) fetched.set(kind, answer.fetched)
  }
  const fingerprint = fingerprintOf(current)
  if (seen.get(key) === fingerprint) {
    report.unchanged++
    return
  }
  report.phase = `reading what is attached to ${repo}@${image.slice(0, 19)}…`
  const counter = failureCounter(report)
  for (const kind of ATTACHMENT_KINDS) {
    const digest = current[kind]
    // What a tag held when it was last stored in full is stored still; only a tag that moved is read.
    if (digest === null || digest === before?.[kind]) continue
    try {
      const manifest = fetched.get(kind) ?? (await oci.manifest(repo, digest))
      if (manifest === null) throw new SourceFetchError(`the manifest ${digest} disappeared while being read`, `${source.url}/v2/${repo}/manifests/${digest}`, 404)
      if (kind === 'schema') await readSchemaIndex(context, oci, repo, image, manifest, counter.fail)
      else if (manifest.manifest.kind === 'manifest') await readLayers(context, oci, repo, manifest, manifest.manifest.value, undefined, image, counter.fail, true)
    } catch (error) {
      counter.fail(error)
    }
  }
  // Remembered only when everything under it was stored, so a failed or interrupted image is read again.
  if (counter.failures === 0) {
    seen.set(key, fingerprint)
    await store.sources.markSeen(source.name, [{ key, value: fingerprint }], now())
  }
}

/** The referrers tag schema's index (`sha256-<hex>`): each manifest it lists whose subject is the image. */
async function readSchemaIndex(context: SyncContext<OciSourceConfig>, oci: OciClient, repo: string, image: string, index: FetchedManifest, fail: (error: unknown, url?: string | null) => void): Promise<void> {
  if (index.manifest.kind !== 'index') throw new SourceFetchError(`the tag ${attachmentTag(image, 'schema')} should hold an index of referrers, but holds an image manifest`, index.url, 200)
  for (const descriptor of index.manifest.value.manifests) await readReferrer(context, oci, repo, image, descriptor.digest, descriptor.artifactType, true, fail)
}

async function readReferrer(
  context: SyncContext<OciSourceConfig>,
  oci: OciClient,
  repo: string,
  image: string,
  reference: string,
  artifactType: string | undefined,
  requireSubject: boolean,
  fail: (error: unknown, url?: string | null) => void,
): Promise<void> {
  try {
    const fetched = await oci.manifest(repo, reference)
    if (fetched === null) throw new SourceFetchError(`the referrer manifest ${reference} is listed but the registry has no such manifest`, `${context.source.url}/v2/${repo}/manifests/${reference}`, 404)
    if (fetched.manifest.kind !== 'manifest') return
    // A tag-schema index can be stale; a referrer counts only when it names this image as its subject.
    if (requireSubject && fetched.manifest.value.subject !== undefined && fetched.manifest.value.subject.digest !== image) return
    // Without a subject to require, it is one of cosign's tags, which attach what they hold to the image.
    await readLayers(context, oci, repo, fetched, fetched.manifest.value, artifactType, image, fail, !requireSubject)
  } catch (error) {
    fail(error)
  }
}

/**
 * A registry with the referrers API (or one that would not list its tags): each tag is resolved and each image
 * asked for its referrers, with cosign's `.att` and `.sig` tags beside them.
 */
async function syncByImages(context: SyncContext<OciSourceConfig>, oci: OciClient, scope: RepositoryScope): Promise<void> {
  const { source, store, report, now } = context
  const { repo, seen, visited } = scope
  // The attachment tags the tag list holds: a missing one is not asked for. Null: ask for each.
  const attachments = scope.listed === null ? null : new Set(scope.listed.filter(isAttachmentTag))
  const tags = scope.tags ?? (scope.listed ?? []).filter((tag) => !isAttachmentTag(tag))
  const attached = (tag: string) => (attachments === null || attachments.has(tag) ? oci.resolve(repo, tag) : Promise.resolve(null))
  report.total += tags.length
  // Unknown until the first image is asked; a registry either has the API for a repository or not.
  let referrersApi: boolean | null = null

  const syncImage = async (digest: string, label: string): Promise<void> => {
    const key = `${repo}@${digest}`
    if (visited.has(key)) return
    visited.add(key)
    let listed: Descriptor[] | null = null
    if (referrersApi !== false) {
      listed = await oci.referrers(repo, digest)
      referrersApi = listed !== null
    }
    const [schemaDigest, att, sig] = await Promise.all([
      listed === null ? attached(attachmentTag(digest, 'schema')) : null,
      attached(attachmentTag(digest, 'att')),
      attached(attachmentTag(digest, 'sig')),
    ])
    const fingerprint =
      listed === null
        ? fingerprintOf({ schema: schemaDigest, att, sig })
        : [`api=${hashOf(listed.map((entry) => entry.digest).sort().join(','))}`, `att=${att ?? ''}`, `sig=${sig ?? ''}`].join(';')
    if (seen.get(`refs:${key}`) === fingerprint) {
      report.unchanged++
      return
    }
    report.phase = `reading what is attached to ${repo}:${label} (${digest.slice(0, 19)}…)`
    const counter = failureCounter(report)
    if (schemaDigest !== null) {
      try {
        const index = await oci.manifest(repo, schemaDigest)
        if (index !== null) await readSchemaIndex(context, oci, repo, digest, index, counter.fail)
      } catch (error) {
        counter.fail(error)
      }
    }
    for (const descriptor of listed ?? []) await readReferrer(context, oci, repo, digest, descriptor.digest, descriptor.artifactType, true, counter.fail)
    if (att !== null) await readReferrer(context, oci, repo, digest, att, undefined, false, counter.fail)
    if (sig !== null) await readReferrer(context, oci, repo, digest, sig, undefined, false, counter.fail)
    // Remembered only when everything under it was stored, so a failed or interrupted image is read again.
    if (counter.failures === 0) {
      seen.set(`refs:${key}`, fingerprint)
      await store.sources.markSeen(source.name, [{ key: `refs:${key}`, value: fingerprint }], now())
    }
  }

  await mapLimit(tags, source.concurrency, async (tag) => {
    if (context.signal.aborted) return
    try {
      for (const image of await imagesOfTag(context, oci, scope, tag)) await syncImage(image, tag)
    } catch (error) {
      report.fail(error)
    } finally {
      report.done++
    }
  })
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
  /** Read from cosign's `.att` or `.sig` tag of `subject`: an attestation must then name that image. */
  cosignTag = false,
): Promise<void> {
  for (const layer of manifest.layers) {
    const kind = layerKind(layer.mediaType, artifactType ?? manifest.artifactType ?? manifest.config.mediaType)
    if (kind === 'skip') continue
    try {
      const blob = await oci.blob(repo, layer, context.config.maxBodyBytes)
      if (kind === 'cosign-signature') {
        // The document is the layer with its annotations, as `cosign download signature` prints it, held to the image.
        const signature = cosignSignatureFromLayer(blob.bytes, layer.annotations ?? {}, subject)
        if (signature === null) throw new PulledDocumentError('the cosign signature layer has no dev.cosignproject.cosign/signature annotation, so there is no signature to check', blob.url)
        await ingestPulled(context, Buffer.from(JSON.stringify(signature)), blob.url, subject)
        continue
      }
      // A `cosign attest` layer under the image's `.att` tag: held to that image (a keyless one as a Sigstore bundle).
      if (kind === 'dsse' && cosignTag) {
        const attestation = cosignAttestationDocument(blob.bytes, layer.annotations ?? {}, subject)
        if ('problem' in attestation) throw new PulledDocumentError(attestation.problem, blob.url)
        await ingestPulled(context, attestation.document, blob.url, subject)
        continue
      }
      // A keyless `cosign attest` layer: the envelope with its certificate and Rekor bundle, as a Sigstore bundle.
      const keyless = kind === 'dsse' ? cosignAttestationBundle(blob.bytes, layer.annotations ?? {}) : null
      if (keyless !== null) {
        if ('problem' in keyless) throw new PulledDocumentError(keyless.problem, blob.url)
        await ingestPulled(context, keyless.bundle, blob.url, subject)
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
