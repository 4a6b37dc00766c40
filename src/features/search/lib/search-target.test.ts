import { describe, expect, it } from 'vitest'
import type { BuildId } from '../../../contract/common'
import { normaliseQuery, searchHref } from '../../../contract/search'
import { targetHref } from './search-target'

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
    expect(normaliseQuery('a'.repeat(600))).toBe('a'.repeat(512))
  })
})

describe('searchHref', () => {
  it('asks the search route with the text as its one parameter, encoded as a form', () => {
    expect(searchHref('acme api')).toBe('/api/v1/search?q=acme+api')
    expect(searchHref('pkg:npm/@acme/x@1.0?a=b&c')).toBe('/api/v1/search?q=pkg%3Anpm%2F%40acme%2Fx%401.0%3Fa%3Db%26c')
  })
})
