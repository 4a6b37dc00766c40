import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { IngestError } from './errors'
import { base64, digestSet, expecting, instant, jsonObject, lenientSchema, list, optional, pick, readAs, readError, readLeniently, recordOf } from './read'

const format = { code: 'invalid-example', label: 'an example document' }

function thrown(run: () => unknown): IngestError {
  try {
    run()
  } catch (error) {
    if (error instanceof IngestError) return error
    throw error
  }
  throw new Error('expected an IngestError')
}

describe('readAs', () => {
  const Example = z.object({
    name: z.string(),
    items: list(z.object({ digest: digestSet, at: instant, note: optional(z.string()) })),
    result: z.enum(['PASSED', 'FAILED']).optional(),
    policy: z.object({}, expecting('a policy { uri, digest }')).optional(),
  })

  it('returns what the schema reads, absent and null lists empty, absent and null fields null', () => {
    expect(readAs(format, Example, { name: 'x', items: null })).toEqual({ name: 'x', items: [] })
    expect(readAs(format, Example, { name: 'x', items: [{ digest: { SHA256: 'AB' }, at: '2026-11-01T10:00:00Z', note: null }] })).toEqual({
      name: 'x',
      items: [{ digest: { sha256: 'ab' }, at: Date.parse('2026-11-01T10:00:00Z'), note: null }],
    })
  })

  it('names the format, the problem in house words and the JSON path of the first problem', () => {
    expect(thrown(() => readAs(format, Example, []))).toMatchObject({ code: 'invalid-example', path: '$', message: 'read as an example document: expected an object, found an array' })
    expect(thrown(() => readAs(format, Example, { name: 7, items: 'x' }))).toMatchObject({ path: '$.name', message: 'read as an example document: expected a string, found a number' })
    expect(thrown(() => readAs(format, Example, {}))).toMatchObject({ path: '$.name', message: 'read as an example document: expected a string, found nothing' })
    expect(thrown(() => readAs(format, Example, { name: 'x', result: 'OK' }))).toMatchObject({ path: '$.result', message: 'read as an example document: expected "PASSED" or "FAILED", found "OK"' })
    expect(thrown(() => readAs(format, Example, { name: 'x', policy: 'p' }))).toMatchObject({ path: '$.policy', message: 'read as an example document: expected a policy { uri, digest }, found a string' })
  })

  it('starts paths where the value sits in the submitted document, quoting keys that are not identifiers', () => {
    const error = thrown(() => readAs(format, Example, { name: 'x', items: [{ digest: { 'sha-256': 1 } }] }, '$.payload.predicate'))
    expect(error).toMatchObject({ path: '$.payload.predicate.items[0].digest["sha-256"]', message: 'read as an example document: expected a string, found a number' })
  })

  it('refuses a time that is not RFC 3339 and a digest set that is not an object', () => {
    expect(thrown(() => readAs(format, Example, { name: 'x', items: [{ digest: {}, at: 'yesterday' }] }))).toMatchObject({ path: '$.items[0].at', message: 'read as an example document: "yesterday" is not an RFC 3339 time' })
    expect(thrown(() => readAs(format, Example, { name: 'x', items: [{ digest: ['sha256'] }] }))).toMatchObject({ path: '$.items[0].digest', message: expect.stringContaining('expected a digest set') })
  })

  it('keeps a "__proto__" digest key as data', () => {
    const read = readAs(format, digestSet, JSON.parse('{"__proto__": "AB"}'))
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype)
    expect(Object.entries(read)).toEqual([['__proto__', 'ab']])
  })

  it('lets a refinement carry its own error code', () => {
    const Hex = z.string().check((ctx) => {
      if (!/^[0-9a-f]*$/.test(ctx.value)) ctx.issues.push({ code: 'custom', message: 'not hex', input: ctx.value, params: { code: 'invalid-hex' } })
    })
    expect(thrown(() => readAs(format, z.object({ sig: Hex }), { sig: 'zz' }))).toMatchObject({ code: 'invalid-hex', path: '$.sig', message: 'read as an example document: not hex' })
  })
})

describe('readError', () => {
  it('words a problem found outside a schema like one found by it', () => {
    expect(readError(format, '$.a', 'a and b disagree')).toMatchObject({ code: 'invalid-example', path: '$.a', message: 'read as an example document: a and b disagree' })
  })
})

describe('field helpers', () => {
  it('keeps a JSON object as the very object sent', () => {
    const value = { a: 1 }
    expect(readAs(format, z.object({ kept: jsonObject }), { kept: value }).kept).toBe(value)
  })

  it('decodes base64 and refuses anything else with its own code', () => {
    expect(readAs(format, base64, 'aGk=').toString()).toBe('hi')
    expect(thrown(() => readAs(format, z.object({ sig: base64 }), { sig: 'no!' }))).toMatchObject({ code: 'invalid-base64', path: '$.sig' })
    expect(thrown(() => readAs(format, z.object({ sig: base64 }), {}))).toMatchObject({ code: 'invalid-base64', message: 'read as an example document: expected a base64 string, found nothing' })
  })

  it('reads named entries, every key kept, with paths through them', () => {
    expect(Object.keys(readAs(format, recordOf(z.number()), JSON.parse('{"__proto__": 1, "b": 2}')))).toEqual(['__proto__', 'b'])
    expect(thrown(() => readAs(format, recordOf(z.number()), { 'a.tgz': 'x' }))).toMatchObject({ path: '$["a.tgz"]', message: 'read as an example document: expected a number, found a string' })
  })

  it('picks the schema for the shape a value has, reporting problems inside it', () => {
    const Tools = pick((value) => (Array.isArray(value) ? z.array(z.string()) : z.object({ components: z.array(z.string()) }).transform(({ components }) => components)))
    expect(thrown(() => readAs(format, Tools, [1]))).toMatchObject({ path: '$[0]', message: 'read as an example document: expected a string, found a number' })
    expect(thrown(() => readAs(format, Tools, { components: 'x' }))).toMatchObject({ path: '$.components' })
  })
})

describe('readLeniently', () => {
  const Lenient = lenientSchema((tolerate) => z.object({ id: tolerate(optional(z.string()), null), at: tolerate(instant, null), name: z.string() }))

  it('reads a tolerated field that does not fit as its fallback, and lists it with its path', () => {
    expect(readLeniently(format, Lenient, { id: 5, at: 'later', name: 'x' }, '$.predicate')).toEqual({
      value: { id: null, at: null, name: 'x' },
      tolerated: [
        { path: '$.predicate.id', problem: 'expected a string, found a number' },
        { path: '$.predicate.at', problem: '"later" is not an RFC 3339 time' },
      ],
    })
  })

  it('lists nothing when everything fits, and still refuses what is not tolerated', () => {
    expect(readLeniently(format, Lenient, { id: 'a', name: 'x' })).toEqual({ value: { id: 'a', at: null, name: 'x' }, tolerated: [] })
    expect(thrown(() => readLeniently(format, Lenient, { id: 5, name: 7 }))).toMatchObject({ path: '$.name', code: 'invalid-example' })
  })
})
