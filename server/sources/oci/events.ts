import { z } from 'zod'
import { ATTACHMENT_KINDS, type AttachmentKind } from './attachment-tags'

/*
 * The registry's change feed: Distribution's notifications (`notifications: endpoints:` in its config), an
 * envelope `{ "events": [...] }` of media type application/vnd.docker.distribution.events.v1+json POSTed to
 * each endpoint. Each event names an action (push, pull, delete, mount) and its target: a blob, or a manifest
 * with its repository, digest and, when pushed by tag, the tag. Only manifest pushes can reveal a new document;
 * this module says which events matter and what a sync should look at for them. Pure: no I/O.
 */

export const EVENTS_MEDIA_TYPE = 'application/vnd.docker.distribution.events.v1+json'

/** The fields read; a registry sends more (request, actor, source), which are not kept. */
const RegistryEvent = z.object({
  id: z.string().min(1, 'an event needs its id (the registry retries deliveries, so events are stored once by id)').max(200),
  action: z.string().min(1).max(40),
  target: z.object({
    repository: z.string().min(1).max(512),
    mediaType: z.string().max(255).optional(),
    digest: z.string().max(200).optional(),
    tag: z.string().max(128).optional(),
  }),
})

export const EventEnvelope = z.object({
  events: z.array(RegistryEvent).max(10_000, 'at most 10,000 events a delivery'),
})
export type EventEnvelope = z.infer<typeof EventEnvelope>

/** One stored event: what a feed-driven sync reads. */
export type FeedEvent = { repository: string; tag: string | null; digest: string | null; mediaType: string | null }

const MANIFEST_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
])

export type EventTriage = { keep: (FeedEvent & { id: string; action: string })[]; ignored: number }

/**
 * The events of a delivery worth keeping for a source: manifest pushes (by tag or by digest) in a repository the
 * source covers. Pulls, blob uploads and mounts cannot add a document; deletions remove none of ours (what was
 * stored stays, as with a push that is later deleted), so they are counted as ignored.
 */
export function triageEvents(envelope: EventEnvelope, repositories: ReadonlySet<string>): EventTriage {
  const keep: EventTriage['keep'] = []
  let ignored = 0
  for (const event of envelope.events) {
    const { target } = event
    const manifest = target.tag !== undefined || (target.mediaType !== undefined && MANIFEST_TYPES.has(target.mediaType))
    if (event.action !== 'push' || !manifest || !repositories.has(target.repository)) {
      ignored++
      continue
    }
    keep.push({ id: event.id, action: event.action, repository: target.repository, tag: target.tag ?? null, digest: target.digest ?? null, mediaType: target.mediaType ?? null })
  }
  return { keep, ignored }
}

const ATTACHMENT = /^sha256-([0-9a-f]{64})(?:\.(att|sig))?$/

/** What a repository's events ask a sync to look at. */
export type RepositoryChanges = {
  /** Images whose attachment tags were pushed, with the kinds pushed. */
  attached: Map<string, Set<AttachmentKind>>
  /** Other tags pushed (an image tag moved or was created). */
  tags: Set<string>
  /** Manifests pushed by digest only: on a registry with the referrers API, a referrer needs no tag. */
  untagged: number
}

export function changesByRepository(events: readonly FeedEvent[]): Map<string, RepositoryChanges> {
  const out = new Map<string, RepositoryChanges>()
  for (const event of events) {
    let changes = out.get(event.repository)
    if (changes === undefined) {
      changes = { attached: new Map(), tags: new Set(), untagged: 0 }
      out.set(event.repository, changes)
    }
    if (event.tag === null) {
      changes.untagged++
      continue
    }
    const match = ATTACHMENT.exec(event.tag)
    if (match?.[1]) {
      const image = `sha256:${match[1]}`
      const kind: AttachmentKind = match[2] === 'att' ? 'att' : match[2] === 'sig' ? 'sig' : 'schema'
      const kinds = changes.attached.get(image) ?? new Set<AttachmentKind>()
      kinds.add(kind)
      changes.attached.set(image, kinds)
    } else {
      changes.tags.add(event.tag)
    }
  }
  return out
}

/** Every attachment kind, for an image whose attachment tags are not known (one a moved tag now names). */
export const allAttachmentKinds = (): Set<AttachmentKind> => new Set(ATTACHMENT_KINDS)
