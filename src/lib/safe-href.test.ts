import { describe, expect, it } from 'vitest'
import { safeHref } from './safe-href'

describe('safeHref', () => {
  it.each([
    ['https://github.com/acme/web', 'https://github.com/acme/web'],
    ['http://example.com/a?b=c#d', 'http://example.com/a?b=c#d'],
    ['HTTPS://GitHub.com/acme', 'https://github.com/acme'],
    ['https://github.com/acme/web/actions/runs/9000000001/attempts/1', 'https://github.com/acme/web/actions/runs/9000000001/attempts/1'],
  ])('keeps the http(s) URL %j', (value, expected) => {
    expect(safeHref(value)).toBe(expected)
  })

  it.each([
    ['javascript:alert(1)'],
    ['JavaScript:alert(1)'],
    ['javascript://%0aalert(1)'],
    ['data:text/html,<script>alert(1)</script>'],
    ['vbscript:msgbox(1)'],
    ['file:///etc/passwd'],
    ['ftp://example.com/file'],
    ['git+https://github.com/acme/web@refs/heads/main'],
    ['pkg:generic/node@20.19.0'],
    ['/builds/123'],
    ['builds/123'],
    ['//evil.example/path'],
    ['https:evil.example'],
    ['https:///evil.example'],
    ['java\tscript:alert(1)'],
    ['java\nscript:alert(1)'],
    ['java\u0000script:alert(1)'],
    [' javascript:alert(1)'],
    [' https://github.com/acme'],
    ['https://github.com/acme '],
    ['\u200bhttps://github.com/acme'],
    ['https://github.com/\u202eacme'],
    ['https://github.com\u2066/acme'],
    ['https://github.com@evil.example/'],
    ['https://user:pass@example.com/'],
    ['https://'],
    [''],
    ['https://example.com/' + 'a'.repeat(3000)],
  ])('refuses %j', (value) => {
    expect(safeHref(value)).toBeNull()
  })

  it('refuses missing values', () => {
    expect(safeHref(null)).toBeNull()
    expect(safeHref(undefined)).toBeNull()
  })
})
