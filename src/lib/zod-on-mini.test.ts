import { z } from 'zod'
import { en } from 'zod/locales'
import { describe, expect, it, vi } from 'vitest'

/*
 * The browser build parses with schemas made by src/lib/zod-on-mini.ts (zod/mini) where the server and these tests
 * use classic zod. Both must make the same core schemas: every module of the contract and every URL filter is
 * loaded twice, once with each, and what they export is compared definition by definition (kind, checks, limits,
 * patterns, options, nested schemas, error messages). A method the shim lacks fails here on import.
 */
const loaders = import.meta.glob<Record<string, unknown>>(['../contract/*.ts', '../features/*/lib/*-search.ts', './url-filters.ts', '!../**/*.test.ts'])

type Plain = string | number | boolean | null | undefined | Plain[] | { [key: string]: Plain }

function hasZod(value: object): value is { _zod: { def: Record<string, unknown>; traits: Set<string> } } {
  return '_zod' in value && typeof value._zod === 'object' && value._zod !== null && 'def' in value._zod
}

/** A schema's definition as plain data: the core kinds it has ($Zod… traits) and its definition, recursively. */
function plain(value: unknown, depth = 0, key = ''): Plain {
  if (depth > 200) throw new Error('schema nested deeper than 200 levels')
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
  if (typeof value === 'bigint' || typeof value === 'symbol') return String(value)
  if (value instanceof RegExp) return `regexp:${value.toString()}`
  if (typeof value === 'function') {
    if (key !== 'error') return 'function'
    // A message given as a string becomes a function returning it in a schema's definition: compare the message.
    try {
      const out: unknown = (value as (issue: unknown) => unknown)({ code: 'custom', input: undefined, path: [] })
      return `function:${typeof out === 'string' ? out : typeof out}`
    } catch {
      return 'function'
    }
  }
  if (Array.isArray(value)) return value.map((item) => plain(item, depth + 1))
  if (value instanceof Set) return [...value].map((item) => plain(item, depth + 1))
  if (typeof value !== 'object') return typeof value
  if (hasZod(value)) {
    // $ZodObjectJIT is classic's compiled fast path for objects (it needs eval, which the app's CSP forbids); it
    // parses as $ZodObject does.
    const kinds = [...value._zod.traits].filter((trait) => trait.startsWith('$') && trait !== '$ZodObjectJIT').sort()
    return { kinds: kinds.join(' '), def: plain(value._zod.def, depth + 1) }
  }
  const out: Record<string, Plain> = {}
  for (const key of Object.keys(value).sort()) out[key] = plain((value as Record<string, unknown>)[key], depth + 1, key)
  return out
}

async function loadAll(): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>()
  for (const [path, load] of Object.entries(loaders)) out.set(path, await load())
  return out
}

async function withShim<T>(run: () => Promise<T>): Promise<T> {
  vi.resetModules()
  // As the browser build resolves it (scripts/vite-zod-mini.ts): the shim's exports as `z`.
  vi.doMock('zod', async () => ({ z: await import('./zod-on-mini') }))
  try {
    return await run()
  } finally {
    vi.doUnmock('zod')
    vi.resetModules()
  }
}

describe('the browser build’s zod (classic API on zod/mini)', () => {
  it('makes the same schemas as classic zod for the whole contract and the URL filters', async () => {
    const classic = await loadAll()
    const mini = await withShim(loadAll)
    expect(classic.size).toBeGreaterThan(20)
    expect([...mini.keys()]).toEqual([...classic.keys()])
    let schemas = 0
    for (const [path, exports] of classic) {
      const other = mini.get(path)!
      expect(Object.keys(other).sort(), path).toEqual(Object.keys(exports).sort())
      for (const [name, value] of Object.entries(exports)) {
        if (typeof value === 'object' && value !== null && hasZod(value)) schemas += 1
        // The mini side must really be zod/mini's, or this compares classic with itself.
        const miniValue = other[name]
        if (typeof miniValue === 'object' && miniValue !== null && hasZod(miniValue)) expect(miniValue._zod.traits.has('ZodMiniType'), `${path} ${name}`).toBe(true)
        expect(plain(miniValue), `${path} ${name}`).toEqual(plain(value))
      }
    }
    expect(schemas).toBeGreaterThan(100)
  }, 60_000)

  it('accepts, rejects, transforms and words its errors as classic zod does', async () => {
    const load = async () => ({
      common: await import('../contract/common'),
      filters: await import('./url-filters'),
      builds: await import('../features/builds/lib/builds-search'),
      lineage: await import('../features/lineage/lib/lineage-search'),
    })
    const classic = await load()
    const mini = await withShim(load)
    expect(mini.common.Instant).not.toBe(classic.common.Instant)
    const cases: [string, (side: typeof classic) => unknown][] = [
      ['an instant', (side) => side.common.Instant.safeParse('2026-01-02T03:04:05Z')],
      ['not an instant', (side) => side.common.Instant.safeParse('yesterday').error?.issues],
      ['a number for an instant', (side) => side.common.Instant.safeParse(7).error?.issues],
      ['an API error body missing its code', (side) => side.common.ApiErrorBody.safeParse({ error: { message: 'x' } }).error?.issues],
      ['a filter day', (side) => side.filters.isoDay.parse('2026-02-30')],
      ['a filter text', (side) => side.filters.filterText.parse('  main  ')],
      ['builds filters from a URL', (side) => side.builds.parseBuildsSearch(new URLSearchParams('status=verified&project=%20web%20&from=2026-01-01&junk=1'))],
      ['lineage filters from a URL', (side) => side.lineage.readLineageSearch(new URLSearchParams('from=sha256:ab&depth=9&direction=up&expand=a,b&view=1,2,3'))],
    ]
    for (const [what, run] of cases) expect(run(mini), what).toEqual(run(classic))
  })

  it('words every issue the contract can raise as zod’s English locale does', async () => {
    const shim = await import('./zod-on-mini')
    const english = en().localeError
    // The issues as raised, before a message is given them: each is worded by both and compared.
    const raised: z.core.$ZodRawIssue[] = []
    const before = z.config().localeError
    z.config({ localeError: (issue) => void raised.push(issue) })
    try {
      // The shim offers classic's API at run time (its methods are installed, not declared): typed as classic.
      const s = shim as unknown as typeof z
      const cases: [string, z.ZodType, unknown][] = [
        ['a string, given a number', s.string(), 7],
        ['a string, given null', s.string(), null],
        ['a number, given NaN', s.number(), Number.NaN],
        ['a number, given Infinity', s.number(), Number.POSITIVE_INFINITY],
        ['an integer, given a fraction', s.number().int(), 1.5],
        ['an object, given an array', s.object({ a: s.string() }), []],
        ['an array, given a string', s.array(s.string()), 'x'],
        ['a boolean, missing', s.object({ ok: s.boolean() }), {}],
        ['one of an enum', s.enum(['a', 'b']), 'c'],
        ['a string literal', s.literal('vsa'), 'x'],
        ['a number literal', s.literal(3), 4],
        ['a long string', s.string().max(3), 'abcd'],
        ['a short string', s.string().min(2), 'a'],
        ['a long array', s.array(s.number()).max(1), [1, 2]],
        ['a short array', s.array(s.number()).min(1), []],
        ['a large number', s.number().max(6), 7],
        ['a small number', s.number().min(1), 0],
        ['a positive number', s.number().positive(), 0],
        ['a number above', s.number().gt(2), 2],
        ['a pattern', s.string().regex(/^[a-f]+$/), 'xyz'],
        ['an instant', s.iso.datetime({ offset: true }), 'yesterday'],
        ['a URL', s.url(), 'not a url'],
        ['one unknown key', s.object({ a: s.string() }).strict(), { a: 'x', b: 1 }],
        ['two unknown keys', s.object({ a: s.string() }).strict(), { a: 'x', b: 1, c: 2 }],
        ['a record key', s.record(s.enum(['low', 'high']), s.number()), { medium: 1 }],
        ['a record key checked by a schema', s.record(s.string().min(2), s.number()), { a: 1 }],
        ['a partial record key', s.partialRecord(s.enum(['low', 'high']), s.number()), { medium: 1 }],
        ['a union', s.union([s.string(), s.number()]), true],
        ['a discriminator', s.discriminatedUnion('kind', [s.object({ kind: s.literal('a') }), s.object({ kind: s.literal('b') })]), { kind: 'c' }],
        ['a tuple', s.tuple([s.number(), s.number()]), [1]],
        ['a refinement', s.string().refine((value) => value.length > 3), 'ab'],
        ['a coerced number', s.coerce.number().int(), 'x'],
      ]
      const codes = new Set<string>()
      for (const [what, schema, input] of cases) {
        raised.length = 0
        // Issues get their message when read.
        expect(schema.safeParse(input).error?.issues.length, what).toBeGreaterThan(0)
        expect(raised.length, what).toBeGreaterThan(0)
        for (const issue of raised) {
          codes.add(issue.code ?? '')
          expect(shim.contractErrors(issue), what).toBe(english(issue))
        }
      }
      expect([...codes].sort()).toEqual(['custom', 'invalid_format', 'invalid_key', 'invalid_type', 'invalid_union', 'invalid_value', 'too_big', 'too_small', 'unrecognized_keys'])
    } finally {
      z.config({ localeError: before })
    }
  })

  it('knows every string format the contract and the URL filters check', async () => {
    const { formats } = await import('./zod-on-mini')
    const used = new Set<string>()
    const seen = new Set<object>()
    const visit = (value: unknown, depth: number) => {
      if (typeof value !== 'object' || value === null || seen.has(value) || depth > 200) return
      seen.add(value)
      if (hasZod(value)) {
        // String formats (a number's `int` is a format too, but is worded by its bounds and type).
        const { format, type, check } = value._zod.def
        if (typeof format === 'string' && (type === 'string' || check === 'string_format')) used.add(format)
        visit(value._zod.def, depth + 1)
        return
      }
      for (const entry of Array.isArray(value) ? value : Object.values(value)) visit(entry, depth + 1)
    }
    for (const exports of (await loadAll()).values()) visit(Object.values(exports), 0)
    expect(used.size).toBeGreaterThan(0)
    for (const format of used) expect(formats[format], format).toBeDefined()
  })
})
