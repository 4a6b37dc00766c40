import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'vitest'

/** ../shared/corpus beside the checkout: real documents from other projects, read in place, never copied. */
export const corpusDir = fileURLToPath(new URL('../../../shared/corpus', import.meta.url))
export const hasCorpus = existsSync(join(corpusDir, 'SOURCES.md'))

/** What a corpus suite needs besides the corpus itself: one folder or file in it, absolute or relative to corpusDir. */
type CorpusNeed = { needs?: string }

/** The path as a reader beside the checkout would type it. */
const shown = (path: string) => join('../shared/corpus', relative(corpusDir, resolve(corpusDir, path)))

/** Why a suite cannot run on this checkout, or null when it can. */
function missingCorpus(needs: string | undefined): string | null {
  if (!hasCorpus) return '../shared/corpus is not beside the checkout'
  if (needs !== undefined && !existsSync(resolve(corpusDir, needs))) return `${shown(needs)} is missing`
  return null
}

/**
 * `describe` for a suite that reads ../shared/corpus. Without the corpus the suite's body is never run (it may read
 * corpus files while collecting), and one skipped suite stands in for it, its title saying what was missing, so a
 * plain clone's report names every suite it did not run and why.
 */
export function describeWithCorpus(name: string, fn: () => void, { needs }: CorpusNeed = {}): void {
  const missing = missingCorpus(needs)
  if (missing === null) {
    describe(name, fn)
    return
  }
  describe.skip(`${name} (skipped: ${missing})`, () => {
    it(`needs ${needs === undefined ? '../shared/corpus' : shown(needs)}`, () => undefined)
  })
}

/** `it` for one test that reads ../shared/corpus inside a suite that otherwise does not; skipped, saying why, without it. */
export function itWithCorpus(name: string, fn: () => Promise<void> | void, { needs }: CorpusNeed = {}): void {
  const missing = missingCorpus(needs)
  if (missing === null) it(name, fn)
  else it.skip(`${name} (skipped: ${missing})`, fn)
}

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
