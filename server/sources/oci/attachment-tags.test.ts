import { describe, expect, it } from 'vitest'
import { attachmentTag, attachmentsByImage, fingerprintOf, isAttachmentTag, parseFingerprint } from './attachment-tags'

const a = 'a'.repeat(64)
const b = 'b'.repeat(64)

describe('attachment tags', () => {
  it('groups the schema index, .att and .sig tags by the image they name, and skips image tags', () => {
    const found = attachmentsByImage(['1.0', `sha256-${a}.att`, 'latest', `sha256-${b}`, `sha256-${a}.sig`, `sha256-${a}`, `sha256-${b}.sbom`, `sha256-${'c'.repeat(63)}.att`])
    expect([...found.entries()].map(([image, kinds]) => [image, [...kinds].sort()])).toEqual([
      [`sha256:${a}`, ['att', 'schema', 'sig']],
      [`sha256:${b}`, ['schema']],
    ])
  })

  it('names the tag of each kind, and tells attachment tags from image tags', () => {
    expect(attachmentTag(`sha256:${a}`, 'schema')).toBe(`sha256-${a}`)
    expect(attachmentTag(`sha256:${a}`, 'att')).toBe(`sha256-${a}.att`)
    expect(isAttachmentTag(`sha256-${a}.sbom`)).toBe(true)
    expect(isAttachmentTag('sha256-v1')).toBe(false)
    expect(isAttachmentTag('1.0')).toBe(false)
  })

  it('reads back the fingerprint it writes, and refuses another form', () => {
    const digests = { schema: null, att: `sha256:${a}`, sig: `sha256:${b}` }
    expect(fingerprintOf(digests)).toBe(`schema=;att=sha256:${a};sig=sha256:${b}`)
    expect(parseFingerprint(fingerprintOf(digests))).toEqual(digests)
    expect(parseFingerprint('api=0123;att=;sig=')).toBeNull()
    expect(parseFingerprint(undefined)).toBeNull()
  })
})
