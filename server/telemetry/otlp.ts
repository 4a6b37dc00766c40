import type { AttributeValue, Attributes, SpanEvent, TelemetrySpan } from './types'

/**
 * Reads an OTLP/JSON ExportTraceServiceRequest (the protobuf JSON mapping the OTLP spec fixes: lowerCamelCase
 * keys, trace and span ids in hex, 64-bit integers as decimal strings or numbers, enums as integers).
 *
 * The reader is strict about shape, as a protobuf JSON decoder is: a field of the wrong type fails the whole
 * request with an OtlpError naming its JSON path. Unknown fields are ignored and `null` means "not set", as the
 * mapping requires. A well-formed span that cannot be used (an all-zero trace id) is not an error: it is counted
 * and reported back in `partialSuccess`.
 */

export class OtlpError extends Error {
  override name = 'OtlpError'
  constructor(
    message: string,
    /** JSON path of the offending value, e.g. `$.resourceSpans[0].scopeSpans[1].spans[2].traceId`. */
    readonly path: string,
  ) {
    super(`${path}: ${message}`)
  }
}

export type OtlpParseResult = {
  spans: TelemetrySpan[]
  /** Spans that were well-formed but unusable, with why. */
  rejected: { path: string; reason: string }[]
}

/** Deepest `arrayValue`/`kvlistValue` nesting accepted; deeper input is refused rather than recursed into. */
const MAX_VALUE_DEPTH = 16

type Obj = Record<string, unknown>
const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value)

function object(value: unknown, path: string): Obj | undefined {
  if (value === undefined || value === null) return undefined
  if (!isObject(value)) throw new OtlpError(`expected an object, got ${describe(value)}`, path)
  return value
}

function array(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new OtlpError(`expected an array, got ${describe(value)}`, path)
  return value
}

function string(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw new OtlpError(`expected a string, got ${describe(value)}`, path)
  return value
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`
  return typeof value
}

/** A uint64/int64: the mapping allows a decimal string or a JSON number. */
function int64(value: unknown, path: string, signed: boolean): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || (!signed && value < 0)) throw new OtlpError(`expected ${signed ? 'an' : 'a non-negative'} integer, got ${value}`, path)
    return BigInt(value).toString()
  }
  if (typeof value === 'string' && (signed ? /^-?\d{1,20}$/ : /^\d{1,20}$/).test(value)) {
    const big = BigInt(value)
    const [min, max] = signed ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n]
    if (big < min || big > max) throw new OtlpError(`${value} does not fit a ${signed ? 'signed' : 'unsigned'} 64-bit integer`, path)
    return big.toString()
  }
  throw new OtlpError(`expected a 64-bit integer as a decimal string, got ${describe(value)}`, path)
}

/** An enum: the OTLP spec says integers; names (`SPAN_KIND_SERVER`) are accepted too, as protobuf decoders do. */
function enumValue(value: unknown, path: string, names: readonly string[]): number {
  if (value === undefined || value === null) return 0
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0x7fffffff) return value
  if (typeof value === 'string') {
    const index = names.indexOf(value)
    if (index >= 0) return index
  }
  throw new OtlpError(`expected an enum integer (or one of ${names.join(', ')}), got ${describe(value)}`, path)
}

const SPAN_KINDS = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER']
const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR']

/**
 * A trace or span id. OTLP/JSON writes them in hex; a few exporters use protobuf's default base64 instead,
 * and the byte lengths tell the two apart (16 bytes: 32 hex or 24 base64 characters), so both are read.
 * Returns `""` for an empty id.
 */
function id(value: unknown, path: string, bytes: 8 | 16): string {
  const text = string(value, path) ?? ''
  if (text === '') return ''
  if (text.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(text)) return text.toLowerCase()
  const base64Length = Math.ceil(bytes / 3) * 4
  if (text.length === base64Length && /^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    const decoded = Buffer.from(text, 'base64')
    if (decoded.length === bytes) return decoded.toString('hex')
  }
  throw new OtlpError(`expected a ${bytes}-byte id as ${bytes * 2} hex characters, got ${describe(value)}`, path)
}

function anyValue(value: unknown, path: string, depth: number): AttributeValue {
  const wrapper = object(value, path)
  if (wrapper === undefined) return null
  if (depth > MAX_VALUE_DEPTH) throw new OtlpError(`values nested deeper than ${MAX_VALUE_DEPTH} levels are not accepted`, path)
  if (wrapper.stringValue !== undefined && wrapper.stringValue !== null) return string(wrapper.stringValue, `${path}.stringValue`) ?? null
  if (wrapper.boolValue !== undefined && wrapper.boolValue !== null) {
    if (typeof wrapper.boolValue !== 'boolean') throw new OtlpError(`expected true or false, got ${describe(wrapper.boolValue)}`, `${path}.boolValue`)
    return wrapper.boolValue
  }
  if (wrapper.intValue !== undefined && wrapper.intValue !== null) {
    const text = int64(wrapper.intValue, `${path}.intValue`, true) ?? '0'
    const number = Number(text)
    return Number.isSafeInteger(number) ? number : text
  }
  if (wrapper.doubleValue !== undefined && wrapper.doubleValue !== null) {
    const double = wrapper.doubleValue
    // The mapping writes NaN and infinities as strings; they carry nothing we read, so keep them as text.
    if (typeof double === 'number') return double
    if (typeof double === 'string' && /^(NaN|-?Infinity|-?\d+(\.\d+)?([eE][+-]?\d+)?)$/.test(double)) {
      const number = Number(double)
      return Number.isFinite(number) ? number : double
    }
    throw new OtlpError(`expected a number, got ${describe(double)}`, `${path}.doubleValue`)
  }
  if (wrapper.arrayValue !== undefined && wrapper.arrayValue !== null) {
    const arrayPath = `${path}.arrayValue`
    const values = array(object(wrapper.arrayValue, arrayPath)?.values, `${arrayPath}.values`)
    return values.map((item, index) => anyValue(item, `${arrayPath}.values[${index}]`, depth + 1))
  }
  if (wrapper.kvlistValue !== undefined && wrapper.kvlistValue !== null) {
    const listPath = `${path}.kvlistValue`
    return keyValues(object(wrapper.kvlistValue, listPath)?.values, `${listPath}.values`, depth + 1)
  }
  if (wrapper.bytesValue !== undefined && wrapper.bytesValue !== null) {
    const bytes = string(wrapper.bytesValue, `${path}.bytesValue`) ?? ''
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(bytes)) throw new OtlpError('expected base64', `${path}.bytesValue`)
    return bytes
  }
  return null
}

function keyValues(value: unknown, path: string, depth = 0): Attributes {
  const out: Attributes = {}
  for (const [index, item] of array(value, path).entries()) {
    const itemPath = `${path}[${index}]`
    const entry = object(item, itemPath)
    if (entry === undefined) continue
    const key = string(entry.key, `${itemPath}.key`) ?? ''
    // Object.defineProperty so a key such as `__proto__` is stored as data, never as the prototype.
    Object.defineProperty(out, key, { value: anyValue(entry.value, `${itemPath}.value`, depth), enumerable: true, writable: true, configurable: true })
  }
  return out
}

function event(value: unknown, path: string): SpanEvent | undefined {
  const entry = object(value, path)
  if (entry === undefined) return undefined
  return {
    name: string(entry.name, `${path}.name`) ?? '',
    timeUnixNano: nonZero(int64(entry.timeUnixNano, `${path}.timeUnixNano`, false)),
    attributes: keyValues(entry.attributes, `${path}.attributes`),
  }
}

const nonZero = (nanos: string | undefined) => (nanos === undefined || nanos === '0' ? null : nanos)

/** Parses the text of a request body. Throws OtlpError, and nothing else, for any input. */
export function parseOtlpJson(text: string): OtlpParseResult {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new OtlpError(`the body is not JSON (${error instanceof Error ? error.message : 'unreadable'})`, '$')
  }
  return parseOtlpTraces(value)
}

/** Reads a parsed ExportTraceServiceRequest. Throws OtlpError, and nothing else, for any input. */
export function parseOtlpTraces(value: unknown): OtlpParseResult {
  const request = object(value, '$')
  if (request === undefined) throw new OtlpError('expected an ExportTraceServiceRequest object ({"resourceSpans": [...]})', '$')
  const spans: TelemetrySpan[] = []
  const rejected: OtlpParseResult['rejected'] = []
  for (const [r, resourceSpansValue] of array(request.resourceSpans, '$.resourceSpans').entries()) {
    const rPath = `$.resourceSpans[${r}]`
    const resourceSpans = object(resourceSpansValue, rPath)
    if (resourceSpans === undefined) continue
    const resource = keyValues(object(resourceSpans.resource, `${rPath}.resource`)?.attributes, `${rPath}.resource.attributes`)
    for (const [s, scopeSpansValue] of array(resourceSpans.scopeSpans, `${rPath}.scopeSpans`).entries()) {
      const sPath = `${rPath}.scopeSpans[${s}]`
      const scopeSpans = object(scopeSpansValue, sPath)
      if (scopeSpans === undefined) continue
      for (const [p, spanValue] of array(scopeSpans.spans, `${sPath}.spans`).entries()) {
        const path = `${sPath}.spans[${p}]`
        const span = object(spanValue, path)
        if (span === undefined) continue
        const traceId = id(span.traceId, `${path}.traceId`, 16)
        const spanId = id(span.spanId, `${path}.spanId`, 8)
        const parentSpanId = id(span.parentSpanId, `${path}.parentSpanId`, 8)
        const status = object(span.status, `${path}.status`)
        const parsed: TelemetrySpan = {
          traceId,
          spanId,
          parentSpanId: parentSpanId === '' || /^0+$/.test(parentSpanId) ? null : parentSpanId,
          name: string(span.name, `${path}.name`) ?? '',
          kind: enumValue(span.kind, `${path}.kind`, SPAN_KINDS),
          startTimeUnixNano: nonZero(int64(span.startTimeUnixNano, `${path}.startTimeUnixNano`, false)),
          endTimeUnixNano: nonZero(int64(span.endTimeUnixNano, `${path}.endTimeUnixNano`, false)),
          statusCode: enumValue(status?.code, `${path}.status.code`, STATUS_CODES),
          statusMessage: string(status?.message, `${path}.status.message`) || null,
          attributes: keyValues(span.attributes, `${path}.attributes`),
          resource,
          events: array(span.events, `${path}.events`).flatMap((item, index) => event(item, `${path}.events[${index}]`) ?? []),
        }
        // Checked after the whole span is read, so a malformed field later in the span still fails the request.
        if (traceId === '' || /^0+$/.test(traceId)) rejected.push({ path: `${path}.traceId`, reason: 'the trace id is empty or all zeros' })
        else if (spanId === '' || /^0+$/.test(spanId)) rejected.push({ path: `${path}.spanId`, reason: 'the span id is empty or all zeros' })
        else spans.push(parsed)
      }
    }
  }
  return { spans, rejected }
}

/** Nanoseconds since the epoch (decimal string) to milliseconds, or null. */
export function nanosToMillis(nanos: string | null): number | null {
  if (nanos === null || !/^\d{1,20}$/.test(nanos)) return null
  // Below 2^64 ns, so at most ~1.8e13 ms: always a safe integer and a valid Date.
  return Number(BigInt(nanos) / 1_000_000n)
}
