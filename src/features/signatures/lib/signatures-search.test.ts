import { describe, expect, it } from 'vitest'
import { hasSignatureFilters, parseSignaturesSearch, toSignatureFilter, toSignatureSearchParams, SIGNATURES_PAGE_SIZE } from './signatures-search'

describe('signatures search', () => {
  it('reads every filter and drops what it cannot read', () => {
    expect(parseSignaturesSearch(new URLSearchParams('status=failed&project=acme%2Fweb&signer=key-1&from=2026-10-01&to=2026-10-31'))).toEqual({
      status: 'failed',
      project: 'acme/web',
      signer: 'key-1',
      from: '2026-10-01',
      to: '2026-10-31',
    })
    const junk = parseSignaturesSearch(new URLSearchParams('status=nope&from=yesterday&signer='))
    expect(hasSignatureFilters(junk)).toBe(false)
  })

  it('turns days into API bounds and round-trips through the URL', () => {
    const search = parseSignaturesSearch(new URLSearchParams('status=failed&to=2026-10-31'))
    expect(toSignatureFilter(search)).toEqual({ limit: SIGNATURES_PAGE_SIZE, status: 'failed', to: '2026-11-01T00:00:00.000Z' })
    expect(toSignatureSearchParams(search).toString()).toBe('status=failed&to=2026-10-31')
  })
})
