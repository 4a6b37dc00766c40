import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/** ../shared/corpus beside the checkout: real documents from other projects, read in place, never copied. */
export const corpusDir = fileURLToPath(new URL('../../../shared/corpus', import.meta.url))
export const hasCorpus = existsSync(join(corpusDir, 'SOURCES.md'))

export function corpusFiles(): { path: string; name: string; text: string }[] {
  const out: { path: string; name: string; text: string }[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry)
      if (statSync(path).isDirectory()) walk(path)
      else out.push({ path, name: relative(corpusDir, path), text: readFileSync(path, 'utf8') })
    }
  }
  if (hasCorpus) walk(corpusDir)
  return out
}

/** Every JSON value in a file: the whole file, or each line of a JSONL file. Non-JSON files give none. */
export function jsonValues(text: string): unknown[] {
  try {
    return [JSON.parse(text)]
  } catch {
    const values: unknown[] = []
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue
      try {
        values.push(JSON.parse(line))
      } catch {
        return []
      }
    }
    return values
  }
}

/** Finds DSSE envelopes anywhere inside a value, including envelopes serialised as JSON strings (Rekor entries). */
export function findEnvelopes(value: unknown, path = '$'): { path: string; envelope: Record<string, unknown> }[] {
  if (typeof value === 'string' && value.startsWith('{') && value.includes('payloadType')) {
    try {
      return findEnvelopes(JSON.parse(value), `${path}(json)`)
    } catch {
      return []
    }
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => findEnvelopes(item, `${path}[${index}]`))
  if (typeof value !== 'object' || value === null) return []
  const record = value as Record<string, unknown>
  if ('payload' in record && 'payloadType' in record && 'signatures' in record) return [{ path, envelope: record }]
  return Object.entries(record).flatMap(([key, child]) => findEnvelopes(child, `${path}.${key}`))
}
