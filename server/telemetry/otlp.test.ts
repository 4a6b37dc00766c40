import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { itWithCorpus } from '../testing/corpus'
import { collectorGolden, otelCorpus, semconvPipeline } from '../testing/telemetry'
import { OtlpError, parseOtlpJson, parseOtlpTraces } from './otlp'

const problem = (value: unknown) => {
  try {
    parseOtlpTraces(value)
  } catch (error) {
    if (error instanceof OtlpError) return { path: error.path, message: error.message }
    throw error
  }
  throw new Error('expected an OtlpError')
}

const oneSpan = (span: Record<string, unknown>) => ({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), ...span }] }] }] })

describe('parseOtlpTraces', () => {
  itWithCorpus('reads the githubreceiver goldens (ptrace YAML is the OTLP/JSON mapping)', () => {
    const job = parseOtlpTraces(collectorGolden('workflow-job-expected.yaml'))
    expect(job.rejected).toEqual([])
    expect(job.spans).toHaveLength(10)
    const queue = job.spans.find((span) => span.name === 'queue-test (1.23)')
    expect(queue).toMatchObject({
      traceId: '731ec8a47fd7450f753a812a4a8aa5a0',
      spanId: 'd328504edfc4f5dc',
      parentSpanId: 'e68a36b3514c8634',
      kind: 2,
      startTimeUnixNano: '1744837738000000000',
      attributes: { 'cicd.pipeline.run.queue.duration': 5e9 },
    })
    expect(job.spans[0]?.resource).toMatchObject({ 'cicd.pipeline.worker.id': 346, 'cicd.pipeline.worker.labels': ['ubuntu-latest'] })

    const run = parseOtlpTraces(collectorGolden('workflow-run-expected.yaml'))
    // `parentSpanId: ""` is a root, and a link with an empty span id is ignored, not an error.
    expect(run.spans).toEqual([expect.objectContaining({ name: 'build-and-test', parentSpanId: null, statusCode: 2, statusMessage: 'failure' })])
  }, { needs: join(otelCorpus, 'workflow-job-expected.yaml') })

  it('reads the protobuf JSON mapping: int64 as string or number, enum names, null as unset, unknown fields ignored', () => {
    const { spans } = parseOtlpTraces({
      resourceSpans: [
        {
          resource: null,
          schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
          scopeSpans: [
            {
              scope: { name: 'x', futureField: true },
              spans: [
                {
                  traceId: 'AB'.repeat(16),
                  spanId: 'CD'.repeat(8),
                  parentSpanId: null,
                  name: 'n',
                  kind: 'SPAN_KIND_SERVER',
                  startTimeUnixNano: 1_700_000_000_000_000_000,
                  endTimeUnixNano: '1700000001000000000',
                  status: { code: 'STATUS_CODE_ERROR' },
                  attributes: [
                    { key: 'big', value: { intValue: '9007199254740993' } },
                    { key: 'small', value: { intValue: 7 } },
                    { key: 'list', value: { kvlistValue: { values: [{ key: 'a', value: { boolValue: true } }] } } },
                    { key: 'empty', value: {} },
                    { key: '__proto__', value: { stringValue: 'data, not a prototype' } },
                  ],
                  droppedAttributesCount: 0,
                },
              ],
            },
          ],
        },
      ],
    })
    const span = spans[0]!
    expect(span).toMatchObject({ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), parentSpanId: null, kind: 2, statusCode: 2 })
    expect(span.startTimeUnixNano).toBe('1700000000000000000')
    expect(span.attributes.big).toBe('9007199254740993')
    expect(span.attributes.small).toBe(7)
    expect(span.attributes.list).toEqual({ a: true })
    expect(span.attributes.empty).toBeNull()
    expect(Object.getPrototypeOf(span.attributes)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(span.attributes, '__proto__')?.value).toBe('data, not a prototype')
  })

  it('accepts base64 ids, as protobuf-default JSON encoders write them', () => {
    const traceId = Buffer.from('0123456789abcdef0123456789abcdef', 'hex').toString('base64')
    const spanId = Buffer.from('0011223344556677', 'hex').toString('base64')
    const { spans } = parseOtlpTraces(oneSpan({ traceId, spanId }))
    expect(spans[0]).toMatchObject({ traceId: '0123456789abcdef0123456789abcdef', spanId: '0011223344556677' })
  })

  it('names the JSON path of what is wrong', () => {
    expect(problem([])).toMatchObject({ path: '$' })
    expect(problem({ resourceSpans: {} })).toMatchObject({ path: '$.resourceSpans', message: expect.stringContaining('expected an array') })
    expect(problem(oneSpan({ traceId: 'xyz' }))).toMatchObject({ path: '$.resourceSpans[0].scopeSpans[0].spans[0].traceId', message: expect.stringContaining('32 hex') })
    expect(problem(oneSpan({ startTimeUnixNano: '12.5' }))).toMatchObject({ path: '$.resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano' })
    expect(problem(oneSpan({ kind: 'SERVER' }))).toMatchObject({ path: '$.resourceSpans[0].scopeSpans[0].spans[0].kind' })
    expect(problem(oneSpan({ attributes: [{ key: 'k', value: { intValue: 'seven' } }] }))).toMatchObject({
      path: '$.resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue',
    })
    expect(problem(oneSpan({ events: [{ name: 7 }] }))).toMatchObject({ path: '$.resourceSpans[0].scopeSpans[0].spans[0].events[0].name' })
    let deep: unknown = { stringValue: 'x' }
    for (let level = 0; level < 40; level++) deep = { arrayValue: { values: [deep] } }
    expect(problem(oneSpan({ attributes: [{ key: 'deep', value: deep }] })).message).toContain('nested deeper')
    expect(() => parseOtlpJson('{"resourceSpans": [')).toThrow(OtlpError)
  })

  it('reports spans with empty or all-zero ids instead of failing the request', () => {
    const result = parseOtlpTraces(oneSpan({ traceId: '', spanId: '00'.repeat(8) }))
    expect(result.spans).toEqual([])
    expect(result.rejected).toEqual([{ path: '$.resourceSpans[0].scopeSpans[0].spans[0].traceId', reason: expect.stringContaining('empty') }])
  })

  it('throws nothing but OtlpError, whatever the JSON', () => {
    const onlyOtlpErrors = (value: unknown) => {
      try {
        parseOtlpTraces(value)
      } catch (error) {
        if (!(error instanceof OtlpError)) throw error
      }
    }
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), onlyOtlpErrors), { numRuns: 500 })
    // Valid requests with one field replaced by anything reach the deeper readers.
    const valid = semconvPipeline({ traceId: 'ab'.repeat(16), repo: 'https://github.com/acme/web', commit: 'c'.repeat(40), runId: '1' })
    const paths = leafPaths(valid)
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 4 }), (path, replacement) => {
        onlyOtlpErrors(replaceAt(structuredClone(valid), path, replacement))
      }),
      { numRuns: 1000 },
    )
  })
})

type Path = (string | number)[]

function leafPaths(value: unknown, path: Path = []): Path[] {
  if (Array.isArray(value)) return [path, ...value.flatMap((item, index) => leafPaths(item, [...path, index]))]
  if (typeof value === 'object' && value !== null) return [path, ...Object.entries(value).flatMap(([key, item]) => leafPaths(item, [...path, key]))]
  return [path]
}

function replaceAt(root: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement
  let node: unknown = root
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[key]
  ;(node as Record<string | number, unknown>)[path.at(-1)!] = replacement
  return root
}
