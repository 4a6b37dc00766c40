/**
 * What was wrong with a submitted document, and where. Every parser throws only this, so the HTTP layer can
 * always answer with a 4xx that names the problem instead of a 5xx.
 */
export class IngestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** A JSON path into the document (`$.signatures[0].sig`), prefixed by the line for JSONL bodies. */
    readonly path?: string,
  ) {
    super(message)
    this.name = 'IngestError'
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Describes a JSON value's kind for error messages: "an array", "a string", "null". */
export function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  return `a ${typeof value}`
}
