import { describe, expect, it } from 'vitest'
import { IngestError } from './errors'
import { parseJson, parseJsonPrefix } from './json'

// What a person who has to fix the file reads: where the JSON breaks, and what is wrong there, in words.

function messageOf(text: string): string {
  try {
    parseJson(Buffer.from(text))
  } catch (error) {
    if (error instanceof IngestError) {
      expect(error).toMatchObject({ code: 'invalid-json', path: '$' })
      return error.message
    }
    throw error
  }
  throw new Error(`${JSON.stringify(text)} parsed`)
}

describe('invalid JSON, said where and what', () => {
  it.each([
    ['-----BEGIN', 'line 1, column 1: unexpected "-"'],
    ['{"payload": ', 'line 1, column 13: a value was expected, found the end of the text'],
    ['{"a" 1}', 'line 1, column 6: a colon was expected, found "1"'],
    ['{"a": 1 "b": 2}', 'line 1, column 9: a comma was expected, found "\\"b\\""'],
    ['{a: 1}', 'line 1, column 2: unexpected "a"'],
    ['{\n  "a": 1,\n}', 'line 3, column 1: a property name in double quotes was expected, found "}"'],
    ['[1, 2', 'line 1, column 6: a closing ] was expected, found the end of the text'],
    ['{"a": "x\ty"}', 'line 1, column 7: a control character inside a string (tabs and newlines in strings must be escaped)'],
    ['// note\n{}', 'line 1, column 1: a comment, which JSON does not allow'],
    ['{"a": "abc', 'line 1, column 7: a string that is not closed'],
    ['{"a": 1}\n{"b": 2}', 'line 2, column 1: more text follows the JSON value, from "{" (a second document: send one a request, or JSONL with one document a line)'],
    ['{"a": 1} trailing', 'line 1, column 10: unexpected "trailing"'],
  ])('%j', (text, said) => {
    expect(messageOf(text)).toBe(`not valid JSON at ${said}`)
  })

  it.each([
    ['PUBLIC KEY', 'a PEM public key, not a document; a trusted key goes in the config under trust.keys (publicKeyPem)'],
    ['CERTIFICATE', 'a PEM certificate, not a document; certificates are trusted through a Sigstore trusted root, named in the config under trust.trustedRoots'],
    ['PRIVATE KEY', 'a PEM private key, not a document; this server needs public keys only (trust.keys in the config); keep the private key secret'],
  ])('a PEM %s sent as a document says what it is and where it belongs', (label, said) => {
    expect(messageOf(`-----BEGIN ${label}-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END ${label}-----\n`)).toBe(`not valid JSON: this is ${said}`)
  })
})

describe('JSON opened deeper than a parser can follow, never closed', () => {
  it('is invalid JSON said in words, not an overflow of our own stack', () => {
    for (const open of ['['.repeat(20_000), '{"a":'.repeat(20_000)]) {
      expect(messageOf(open)).toMatch(/^not valid JSON, nested too deeply to say where: /)
      // Read as a signed payload, which may carry trailing bytes, too.
      expect(() => parseJsonPrefix(Buffer.from(open))).toThrow(expect.objectContaining({ code: 'invalid-json', message: expect.stringMatching(/nested too deeply/) as string }))
    }
  })
})
