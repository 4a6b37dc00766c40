import type { Verification } from '../../src/contract/common'
import { childPath } from './canonical-json'
import { IngestError, isRecord, kindOf } from './errors'

export { childPath }

/**
 * Field readers for one document format. Every problem becomes an IngestError whose message names the format
 * the document was read as and whose path points at the first offending value, so the person who has to fix
 * the file knows both what we took it for and where it went wrong.
 */
export class Shape {
  constructor(
    /** The IngestError code, e.g. `invalid-cyclonedx`. */
    readonly code: string,
    /** The format as a person names it: "a CycloneDX SBOM". */
    readonly label: string,
  ) {}

  error(path: string, problem: string): IngestError {
    return new IngestError(this.code, `read as ${this.label}: ${problem}`, path)
  }

  record(value: unknown, path: string, what = 'an object'): Record<string, unknown> {
    if (!isRecord(value)) throw this.error(path, `expected ${what}, found ${kindOf(value)}`)
    return value
  }

  /** Absent and null both read as "not given". */
  optionalRecord(value: unknown, path: string): Record<string, unknown> | null {
    return value === undefined || value === null ? null : this.record(value, path)
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string') throw this.error(path, `expected a string, found ${kindOf(value)}`)
    return value
  }

  optionalString(value: unknown, path: string): string | null {
    return value === undefined || value === null ? null : this.string(value, path)
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) throw this.error(path, `expected an array, found ${kindOf(value)}`)
    return value
  }

  /** Absent and null both read as empty. */
  optionalArray(value: unknown, path: string): unknown[] {
    return value === undefined || value === null ? [] : this.array(value, path)
  }

  strings(value: unknown, path: string): string[] {
    return this.optionalArray(value, path).map((item, index) => this.string(item, childPath(path, index)))
  }

  /** An RFC 3339 instant as milliseconds since the epoch; null when absent. */
  optionalTime(value: unknown, path: string): number | null {
    const text = this.optionalString(value, path)
    if (text === null || text === '') return null
    const ms = Date.parse(text)
    if (!Number.isFinite(ms)) throw this.error(path, `${JSON.stringify(text.slice(0, 40))} is not an RFC 3339 time`)
    return ms
  }

  /** An in-toto DigestSet (`{ "sha256": "…" }`); algorithm names and hex values lower-cased, as statements are. */
  digestSet(value: unknown, path: string): Record<string, string> {
    const record = this.record(value, path, 'a digest set such as {"sha256": "…"}')
    // fromEntries defines own properties, so even a "__proto__" key stays data.
    return Object.fromEntries(Object.entries(record).map(([algorithm, hex]) => [algorithm.toLowerCase(), this.string(hex, childPath(path, algorithm)).toLowerCase()]))
  }
}

/** The verification of a document that carries no signature at all: one check saying so. */
export function unsignedVerification(what: string): Verification {
  return {
    status: 'unsigned',
    failedCheck: null,
    checks: [
      {
        name: 'signature',
        ok: false,
        expected: 'a signed document (a DSSE envelope, a Sigstore bundle or a signed in-toto link)',
        actual: `none: ${what} carries no signature`,
        detail: 'Its facts are stored, but nothing vouches for who wrote them. Sign it (for example as an in-toto attestation in a DSSE envelope) to have it verified.',
      },
    ],
    signers: [],
  }
}

/** `SHA-256` / `SHA256` / `sha-256` → `sha256`, the spelling in-toto digest sets use. */
export function normaliseAlgorithm(name: string): string {
  const lower = name.trim().toLowerCase()
  const sha = /^sha-?(1|224|256|384|512)$/.exec(lower)
  return sha ? `sha${sha[1]}` : lower
}

/** "syft-1.5.0", "syft 1.5.0", "syft@v1.5.0" → { name: "syft", version: "1.5.0" }; no version → null. */
export function splitToolVersion(text: string): { name: string; version: string | null } {
  const trimmed = text.trim()
  const match = /^(.+?)[-\s@]v?(\d[\w.+~-]*)$/.exec(trimmed)
  return match?.[1] && match[2] ? { name: match[1], version: match[2] } : { name: trimmed, version: null }
}
