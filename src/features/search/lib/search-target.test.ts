import { describe, expect, it } from 'vitest'
import type { BuildId } from '../../../contract/common'
import { normaliseQuery, targetHref } from './search-target'

describe('targetHref', () => {
  it('leads each kind of result to its page', () => {
    expect(targetHref({ type: 'artifact', digest: 'sha256:abc' })).toBe('/artifacts/sha256:abc')
    expect(targetHref({ type: 'build', id: 'a'.repeat(64) as BuildId })).toBe(`/builds/${'a'.repeat(64)}`)
    expect(targetHref({ type: 'signatures', signer: 'key 1' })).toBe('/signatures?signer=key+1')
    expect(targetHref({ type: 'artifacts', name: 'api linux' })).toBe('/artifacts?name=api+linux')
  })
  it('trims search text and treats blank as nothing', () => {
    expect(normaliseQuery('  sha256:ab ')).toBe('sha256:ab')
    expect(normaliseQuery('   ')).toBeNull()
    expect(normaliseQuery(null)).toBeNull()
  })
})
