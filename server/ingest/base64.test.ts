import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeBase64Text } from './base64'

describe('decodeBase64Text', () => {
  it('decodes standard, unpadded, URL-safe and white-spaced base64 of any bytes to those bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (bytes, at) => {
        const buffer = Buffer.from(bytes)
        const standard = buffer.toString('base64')
        const spaced = `${standard.slice(0, at % (standard.length + 1))}\n ${standard.slice(at % (standard.length + 1))}`
        for (const text of [standard, standard.replace(/=+$/, ''), buffer.toString('base64url'), spaced]) {
          expect(decodeBase64Text(text)).toEqual({ bytes: buffer })
        }
      }),
    )
  })

  it('refuses a character outside both alphabets, naming it and where, rather than dropping it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 3, maxLength: 60 }), fc.nat(), fc.constantFrom('*', '.', '!', 'é', '%'), (bytes, at, bad) => {
        const text = Buffer.from(bytes).toString('base64')
        const offset = at % text.length
        expect(decodeBase64Text(text.slice(0, offset) + bad + text.slice(offset + 1))).toEqual({
          problem: `not valid base64: unexpected character ${JSON.stringify(bad)} at offset ${offset}`,
        })
      }),
    )
  })

  it('refuses a bad length or padding', () => {
    for (const text of ['AA=A', 'A===', '==AA']) expect(decodeBase64Text(text)).toEqual({ problem: 'not valid base64: bad length or padding' })
  })
})
