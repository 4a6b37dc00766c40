import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build, type Rolldown } from 'vite'
import { afterAll, describe, expect, it } from 'vitest'
import { contractSchemasOnDemand, pureDeclarations, withInsertions, withoutDocumentation } from './vite-zod-mini'

const contract = [
  "import { z } from './z'",
  "export const Used = z.object({ name: z.string(), note: 'é → ’' }).nullable()",
  'export const Unused = z.object({ query: Used.optional() }).strict(), Limit = 50',
  '',
  'const routes = { list: { query: z.object({ limit: z.number() }) } }',
  "export const statuses = ['verified', 'failed']",
  'export function describe(x) { return z.string().parse(x) }',
].join('\n')

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** A source map's `mappings` read back (source map v3: base64 VLQ, each field relative to the one before). */
function decode(mappings: string): { generated: number; line: number; column: number }[][] {
  let line = 0
  let column = 0
  return mappings.split(';').map((text) => {
    let generated = 0
    return text
      .split(',')
      .filter(Boolean)
      .map((segment) => {
        const fields: number[] = []
        let value = 0
        let shift = 0
        for (const char of segment) {
          const digit = BASE64.indexOf(char)
          value += (digit & 31) << shift
          shift += 5
          if (digit & 32) continue
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1)
          value = shift = 0
        }
        generated += fields[0]!
        line += fields[2]!
        column += fields[3]!
        return { generated, line, column }
      })
  })
}

describe('contract schemas on demand (browser build)', () => {
  it('wraps each computed top-level initialiser, leaving literals and functions alone', () => {
    const { code } = withInsertions(contract, pureDeclarations(contract), 'contract.js')
    expect(code.split('\n')).toEqual([
      "import { z } from './z'",
      "export const Used = /* @__PURE__ */ (() => (z.object({ name: z.string(), note: 'é → ’' }).nullable()))()",
      'export const Unused = /* @__PURE__ */ (() => (z.object({ query: Used.optional() }).strict()))(), Limit = 50',
      '',
      'const routes = /* @__PURE__ */ (() => ({ list: { query: z.object({ limit: z.number() }) } }))()',
      "export const statuses = /* @__PURE__ */ (() => (['verified', 'failed']))()",
      'export function describe(x) { return z.string().parse(x) }',
    ])
  })

  it('maps every token of the output back to where it was', () => {
    const { code, map } = withInsertions(contract, pureDeclarations(contract), 'contract.js')
    const segments = decode(map.mappings)
    const out = code.split('\n')
    const source = contract.split('\n')
    const tokens = ['Used =', 'z.object({ name', 'nullable', 'Limit = 50', 'strict', '{ limit', "'failed'", 'return z']
    for (const token of tokens) {
      const line = out.findIndex((text) => text.includes(token))
      const column = out[line]!.indexOf(token)
      // The segment the token starts: a consumer of the map finds the last one at or before it.
      const at = segments[line]!.filter((segment) => segment.generated <= column).at(-1)!
      expect(at.generated, token).toBe(column)
      expect(source[at.line]!.slice(at.column, at.column + token.length), token).toBe(token)
    }
  })

  it('blanks the documenting calls, arguments and all, keeping every other character where it was', () => {
    const documented = [
      "export const Status = z.enum(['ok', 'failed']).meta({ description: 'ok: (verified); failed' }).nullable()",
      'export const Id = z.string().describe(`the id`).meta({',
      "  ref: 'Id',",
      '})',
      'export const meta = (x) => x.meta',
    ].join('\n')
    const bare = withoutDocumentation(documented)
    expect(bare).toHaveLength(documented.length)
    expect(bare.split('\n').map((line) => line.replace(/ +/g, ' '))).toEqual([
      "export const Status = z.enum(['ok', 'failed']) .nullable()",
      'export const Id = z.string() ',
      ' ',
      ' ',
      'export const meta = (x) => x.meta',
    ])
  })

  describe('in a build', () => {
    const root = mkdtempSync(join(tmpdir(), 'contract-on-demand-'))
    afterAll(() => rmSync(root, { recursive: true, force: true }))
    mkdirSync(join(root, 'src/contract'), { recursive: true })
    // A stand-in for zod whose calls the bundler cannot see to be free of side effects, as it cannot for the shim's.
    writeFileSync(
      join(root, 'src/contract/z.ts'),
      "const made: string[] = []; (globalThis as Record<string, unknown>).made = made\nconst schema = (kind: string) => { made.push(kind); return { kind, nullable: () => schema(kind + '?'), optional: () => schema(kind + '?'), strict: () => schema(kind + '!'), parse: (x: unknown) => x } }\nexport const z = { object: (_: unknown) => schema('object'), string: () => schema('string'), number: () => schema('number') }\n",
    )
    writeFileSync(join(root, 'src/contract/contract.ts'), contract)
    writeFileSync(join(root, 'src/main.ts'), "import { Used } from './contract/contract'\nexport const kind = Used.kind\n")
    const bundle = async (plugins: ReturnType<typeof contractSchemasOnDemand>[]) => {
      const output = (await build({
        root,
        configFile: false,
        logLevel: 'silent',
        plugins,
        build: { write: false, minify: false, lib: { entry: join(root, 'src/main.ts'), formats: ['es'], fileName: 'main' } },
      })) as Rolldown.RolldownOutput[]
      return output[0]!.output[0].code
    }

    it('drops what nothing reads and keeps what is read, which a plain build cannot', async () => {
      const plain = await bundle([])
      expect(plain).toContain('limit')
      expect(plain).toContain('strict()')
      const onDemand = await bundle([contractSchemasOnDemand()])
      expect(onDemand).not.toContain('limit')
      expect(onDemand).not.toContain('strict()')
      expect(onDemand).toContain('nullable()')
      // What is kept still runs when the module loads.
      const module = (await import(`data:text/javascript,${encodeURIComponent(onDemand)}`)) as { kind: string }
      expect(module.kind).toBe('object?')
      expect((globalThis as Record<string, unknown>).made).toEqual(['string', 'object', 'object?'])
    }, 60_000)
  })
})
