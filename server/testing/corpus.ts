import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
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

/*
 * What each corpus file must give, derived, never listed by hand. SOURCES.md has one row per file whose notes say
 * EXPECT PASS or EXPECT FAIL where an upstream project's tests (or a checked signature: "VERIFIES") give a
 * verdict. The Sigstore conformance suite has no rows: its layout is the expectation (a case is a folder holding
 * bundle.sigstore.json; a name ending in _fail must fail, every other must verify; the rest is the case's input).
 */

/** What a corpus file is to a verifier, and what posting it must give. */
export type Expectation =
  /** Read beside a document (artifact, key, README, trusted root), never one: posting it must be refused. */
  | 'input'
  /** Upstream verifies it. */
  | 'pass'
  /** Upstream refuses it. */
  | 'fail'
  /** A document no upstream verdict covers (a bare Statement, an SBOM, a webhook payload). */
  | 'none'

/** A folder of the conformance suite's layout: `bundle.sigstore.json`, and the trust material to check it with. */
export type ConformanceCase = {
  /** The case folder, relative to corpusDir. */
  dir: string
  mustFail: boolean
  /** The case's own trusted root (relative to corpusDir); without one, the suite means Sigstore's production root. */
  trustedRoot: string | null
  /** The case's managed key (relative to corpusDir), for bundles signed with a key rather than a certificate. */
  key: string | null
}

export type CorpusEntry = {
  /** The file, relative to corpusDir. */
  name: string
  expect: Expectation
  /** SOURCES.md says the evidence is online only (a bare envelope whose Rekor entry must be fetched). */
  onlineOnly: boolean
  /** Why, in the corpus' own words: the row's notes, or the case's README. */
  reason: string
  /** The case a conformance bundle belongs to, for its trust material. */
  conformanceCase: ConformanceCase | null
}

/** SOURCES.md's rows: file (relative to corpusDir) → notes, the last column. */
export function sourcesRows(): Map<string, string> {
  const rows = new Map<string, string>()
  let section = ''
  for (const line of readFileSync(join(corpusDir, 'SOURCES.md'), 'utf8').split('\n')) {
    const heading = /^## (\S+)/.exec(line)
    if (heading?.[1]) section = heading[1]
    const row = /^\| `([^`]+)` \|(.*)\|\s*$/.exec(line)
    if (row?.[1] && row[2] !== undefined) rows.set(`${section}/${row[1]}`, row[2].split(' | ').at(-1)?.trim() ?? '')
  }
  return rows
}

const CASE_BUNDLE = 'bundle.sigstore.json'

/** sigstore-conformance's bundle-verify folder, whole (sigstore-conformance-suite) or in part (sigstore-conformance). */
const isConformanceSuite = (dir: string) => basename(dir).startsWith('sigstore-conformance')

/** The conformance case `name` is the bundle of, or sits in; null outside the suite's layout. */
function conformanceCaseOf(name: string): ConformanceCase | null {
  const dir = dirname(name)
  if (!isConformanceSuite(dirname(dir)) || !existsSync(join(corpusDir, dir, CASE_BUNDLE))) return null
  const own = (file: string) => (existsSync(join(corpusDir, dir, file)) ? join(dir, file) : null)
  return { dir, mustFail: dir.endsWith('_fail'), trustedRoot: own('trusted_root.json'), key: own('key.pub') }
}

/** Files the suite's README names as a case's inputs, and keys, READMEs and trusted roots anywhere. */
const INPUT_FILE = /(^|\/)(README(\.md)?|artifact|identity|issuer)$|\.(pub|pem)$|trusted[-_]root[^/]*\.json$/
/** Notes that say what a file is for: "artifact for …", "default artifact", "npm registry signing key (…)". */
const INPUT_NOTES = /^(default )?artifact\b|^[^(.]*\b(public|signing) key\b/i

/**
 * Every file's expectation, in this order: a conformance case's bundle by its folder's name (a SOURCES.md row for
 * it must agree, see the conformance test); a row's EXPECT PASS/FAIL (the first: later ones name other inputs);
 * a row saying the signature VERIFIES (checked with openssl); an input by its name or notes; any other row is a
 * document without a verdict. A file with no row, outside the suite's layout, has no expectation: the corpus grew.
 */
export function corpusExpectations(): { entries: CorpusEntry[]; unexplained: string[] } {
  const rows = sourcesRows()
  const entries: CorpusEntry[] = []
  const unexplained: string[] = []
  for (const { name } of corpusFiles()) {
    if (name === 'SOURCES.md') continue
    const notes = rows.get(name)
    const conformanceCase = conformanceCaseOf(name)
    const entry = (expect: Expectation, reason: string): CorpusEntry => ({ name, expect, onlineOnly: /\bonline\b/.test(notes ?? ''), reason, conformanceCase })
    if (conformanceCase && basename(name) === CASE_BUNDLE) {
      const readme = join(corpusDir, conformanceCase.dir, 'README')
      const why = existsSync(readme) ? readFileSync(readme, 'utf8').trim().split('\n')[0] ?? '' : '(the case has no README)'
      entries.push(entry(conformanceCase.mustFail ? 'fail' : 'pass', `${basename(conformanceCase.dir)}: ${why}`))
      continue
    }
    if (notes === undefined) {
      // The suite's own files (a.txt, README.md) and each case's README, artifact, identity, issuer, key, root.
      if (conformanceCase || isConformanceSuite(dirname(name))) entries.push(entry('input', 'an input of the conformance suite (see its README.md)'))
      else unexplained.push(name)
      continue
    }
    const verdict = /EXPECT (PASS|FAIL)/.exec(notes)?.[1]
    if (verdict) entries.push(entry(verdict === 'PASS' ? 'pass' : 'fail', notes))
    else if (/\bVERIFIES\b/.test(notes)) entries.push(entry('pass', notes))
    else if (INPUT_FILE.test(name) || INPUT_NOTES.test(notes)) entries.push(entry('input', notes || basename(name)))
    else entries.push(entry('none', notes || '(no notes)'))
  }
  return { entries, unexplained }
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
