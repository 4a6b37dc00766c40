import { describe, expect, it } from 'vitest'
import { changesByRepository, EventEnvelope, triageEvents } from './events'

const hex = 'c'.repeat(64)
const push = (id: string, repository: string, tag?: string, mediaType = 'application/vnd.oci.image.manifest.v1+json') => ({ id, action: 'push', target: { repository, mediaType, digest: `sha256:${'d'.repeat(64)}`, ...(tag ? { tag } : {}) } })

describe('registry events', () => {
  it('keeps manifest pushes in covered repositories; pulls, blobs, deletions and other repositories are ignored', () => {
    const envelope = EventEnvelope.parse({
      events: [
        push('1', 'acme/web', `sha256-${hex}.att`),
        push('2', 'acme/web', undefined, 'application/octet-stream'),
        { ...push('3', 'acme/web', '1.0'), action: 'pull' },
        { ...push('4', 'acme/web', '1.0'), action: 'delete' },
        push('5', 'other/app', '1.0'),
        push('6', 'acme/web', undefined, 'application/vnd.oci.image.index.v1+json'),
      ],
    })
    const { keep, ignored } = triageEvents(envelope, new Set(['acme/web']))
    expect(keep.map((event) => event.id)).toEqual(['1', '6'])
    expect(ignored).toBe(4)
  })

  it('names the images whose attachment tags were pushed, and the other tags that moved', () => {
    const changes = changesByRepository([
      { repository: 'acme/web', tag: `sha256-${hex}.att`, digest: null, mediaType: null },
      { repository: 'acme/web', tag: `sha256-${hex}.sig`, digest: null, mediaType: null },
      { repository: 'acme/web', tag: `sha256-${hex}`, digest: null, mediaType: null },
      { repository: 'acme/web', tag: 'stable', digest: null, mediaType: null },
      { repository: 'acme/web', tag: null, digest: 'sha256:1', mediaType: null },
    ])
    const web = changes.get('acme/web')
    expect([...(web?.attached.get(`sha256:${hex}`) ?? [])].sort()).toEqual(['att', 'schema', 'sig'])
    expect([...(web?.tags ?? [])]).toEqual(['stable'])
    expect(web?.untagged).toBe(1)
  })
})
