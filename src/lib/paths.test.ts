import { describe, expect, it } from 'vitest'
import { paths } from './paths'

describe('paths', () => {
  it('builds the builds list with only the filters that are set', () => {
    expect(paths.builds()).toBe('/builds')
    expect(paths.builds({ project: 'acme/web', status: undefined, from: '' })).toBe('/builds?project=acme%2Fweb')
  })
  it('encodes build ids', () => {
    expect(paths.build('a/b')).toBe('/builds/a%2Fb')
  })
  it('links to one check with a #check- anchor', () => {
    expect(paths.build('abc', 'envelope-signature')).toBe('/builds/abc#check-envelope-signature')
    expect(paths.artifact('sha256:ab', { document: 'd1', check: 'signer-trusted' })).toBe('/artifacts/sha256:ab?document=d1#check-signer-trusted')
    expect(paths.artifact('sha256:ab')).toBe('/artifacts/sha256:ab')
    expect(paths.artifact('a/b')).toBe('/artifacts/a%2Fb')
  })
  it('puts compared builds and search text in the query', () => {
    expect(paths.compare('a1', 'b2')).toBe('/builds/compare?a=a1&b=b2')
    expect(paths.compare('a1')).toBe('/builds/compare?a=a1')
    expect(paths.search('sha256:abc def')).toBe('/search?q=sha256%3Aabc+def')
    expect(paths.reproducibility({ project: 'acme/web', range: '90' })).toBe('/reproducibility?project=acme%2Fweb&range=90')
  })
})
