import { describe, expect, it } from 'vitest'
import { looksLikeBundle } from './bundle-json'

describe('looksLikeBundle', () => {
  it.each([
    'application/vnd.dev.sigstore.bundle+json;version=0.1',
    'application/vnd.dev.sigstore.bundle+json;version=0.2',
    'application/vnd.dev.sigstore.bundle+json;version=0.3',
    'application/vnd.dev.sigstore.bundle.v0.3+json',
  ])('knows %s', (mediaType) => {
    expect(looksLikeBundle({ mediaType })).toBe(true)
  })

  it.each([null, [], 'x', {}, { mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.9' }, { payload: '', payloadType: '', signatures: [] }])(
    'refuses %j',
    (value) => {
      expect(looksLikeBundle(value)).toBe(false)
    },
  )
})
