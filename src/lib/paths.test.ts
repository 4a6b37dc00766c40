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
})
