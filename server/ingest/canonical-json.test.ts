import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalJson, CanonicalJsonError, compareCodePoints } from './canonical-json'

// Canonical JSON writes control characters raw, which JSON.parse refuses; leave them out where output is parsed.
const text = fc.string({ unit: 'binary' }).map((value) => value.replace(/\p{Cc}/gu, ''))

/** JSON values canonical JSON can encode: no floating-point numbers. */
const canonicalValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    text,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(text, tie('value'), { maxKeys: 5 }),
  ),
})).value

describe('canonicalJson', () => {
  it('writes sorted keys and no whitespace, escaping only quote and backslash', () => {
    expect(canonicalJson({ b: [1, true, null], a: 'x"y\\z\n\té', c: {} })).toBe('{"a":"x\\"y\\\\z\n\té","b":[1,true,null],"c":{}}')
  })

  it('matches the bytes securesystemslib signs for a real in-toto link', () => {
    // The `signed` part of in-toto's demo write-code link, as python's encode_canonical writes it.
    const signed = { _type: 'link', byproducts: {}, command: [], environment: {}, materials: {}, name: 'write-code', products: { 'foo.py': { sha256: 'ab' } } }
    expect(canonicalJson(signed)).toBe('{"_type":"link","byproducts":{},"command":[],"environment":{},"materials":{},"name":"write-code","products":{"foo.py":{"sha256":"ab"}}}')
  })

  it('sorts keys by code point, not UTF-16 unit, as Python does', () => {
    // U+FF5E is one UTF-16 unit greater than the surrogate that begins U+1F600, but a smaller code point.
    expect(canonicalJson({ '\u{1F600}': 1, '\uFF5E': 2 })).toBe('{"\uFF5E":2,"\u{1F600}":1}')
    expect(compareCodePoints('a', 'ab')).toBeLessThan(0)
    expect(compareCodePoints('b', 'a')).toBeGreaterThan(0)
    expect(compareCodePoints('same', 'same')).toBe(0)
  })

  it('writes large integers digit for digit', () => {
    expect(canonicalJson(1e21)).toBe('1000000000000000000000')
    expect(canonicalJson(-0)).toBe('0')
  })

  it('refuses floating-point numbers, naming where', () => {
    expect(() => canonicalJson({ a: [1, 2.5] })).toThrow(CanonicalJsonError)
    try {
      canonicalJson({ a: [1, 2.5] })
    } catch (error) {
      expect(error).toMatchObject({ path: '$.a[1]' })
    }
    expect(() => canonicalJson({ 'odd-key': Number.NaN })).toThrow(expect.objectContaining({ path: '$["odd-key"]' }))
  })

  it('round-trips: parsing the output gives back the value', () => {
    fc.assert(
      fc.property(canonicalValue, (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)))
      }),
    )
  })

  it('does not depend on key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.integer()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse())
        expect(canonicalJson(reversed)).toBe(canonicalJson(record))
      }),
    )
  })

  it('throws only CanonicalJsonError for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          canonicalJson(value)
        } catch (error) {
          expect(error).toBeInstanceOf(CanonicalJsonError)
        }
      }),
    )
  })
})
