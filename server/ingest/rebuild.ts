import { REBUILD_PREDICATE_TYPE, type DiffoscopeDifference, type DiffoscopeSummary } from '../../src/contract/rebuilds'
import type { RebuildRecord } from '../documents/records'
import { z } from 'zod'
import { childPath } from './canonical-json'
import type { FormatHandler } from './format'
import { digestSet, expecting, found, instant, list, optional, readAs, readError, type DocumentFormat } from './read'
import type { Statement } from './statement'
import { unsignedVerification } from './verify'

/*
 * Reproducibility verdicts. A rebuild names the artifact it was asked to rebuild (with the digest it was
 * published with) and the digest its own build produced: they match or they do not. Nothing is looked up, so
 * a verdict does not change with what else happens to be stored. See docs/rebuild-predicate.md.
 */

export { REBUILD_PREDICATE_TYPE }

const REBUILD: DocumentFormat = { code: 'invalid-rebuild', label: `a rebuild attestation (${REBUILD_PREDICATE_TYPE})` }
const DIFFOSCOPE: DocumentFormat = { code: 'invalid-diffoscope', label: 'a diffoscope JSON report' }

/** Enough to show which files differ; the full report stays in the stored document. */
export const MAX_DIFFERENCES = 200
const MAX_COMMENTS = 5
const MAX_TEXT = 500

const clip = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text)

/** match iff the two digest sets share at least one algorithm and agree on every shared one. */
export function compareDigests(expected: Record<string, string>, actual: Record<string, string>): 'match' | 'mismatch' | null {
  const shared = Object.keys(expected).filter((algorithm) => actual[algorithm] !== undefined)
  if (shared.length === 0) return null
  return shared.every((algorithm) => expected[algorithm] === actual[algorithm]) ? 'match' : 'mismatch'
}

export function looksLikeDiffoscope(value: Record<string, unknown>): boolean {
  return 'diffoscope-json-version' in value
}

const DiffoscopeReport = z.object({
  'diffoscope-json-version': z.literal(1, {
    error: (issue) => `diffoscope-json-version is ${JSON.stringify(issue.input)?.slice(0, 40) ?? 'missing'}; only version 1 is read`,
  }),
  source1: z.string(),
  source2: z.string(),
  details: list(z.unknown()),
})

/** A difference that is listed; beyond MAX_DIFFERENCES they are only counted, and their comments not read. */
const ListedDifference = z.object({ source1: z.string(), source2: z.string(), comments: list(z.string()), details: list(z.unknown()) })
const CountedDifference = z.object({ source1: z.string(), source2: z.string(), details: list(z.unknown()) })

/** Flattens a diffoscope --json report (source1/source2/details[] recursively) into which files differ. */
export function summariseDiffoscope(value: unknown, base: string): DiffoscopeSummary {
  const report = readAs(DIFFOSCOPE, DiffoscopeReport, value, base)
  const differences: DiffoscopeDifference[] = []
  let total = 0
  // Depth-first in document order, iteratively: nesting is bounded by the JSON depth limit, not the stack.
  const stack: { node: unknown; path: string; depth: number }[] = []
  const pushDetails = (details: unknown[], path: string, depth: number) => {
    const detailsPath = childPath(path, 'details')
    for (let index = details.length - 1; index >= 0; index--) stack.push({ node: details[index], path: childPath(detailsPath, index), depth })
  }
  pushDetails(report.details, base, 0)
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    total++
    if (differences.length < MAX_DIFFERENCES) {
      const node = readAs(DIFFOSCOPE, ListedDifference, next.node, next.path)
      differences.push({ source1: clip(node.source1), source2: clip(node.source2), depth: next.depth, comments: node.comments.slice(0, MAX_COMMENTS).map(clip) })
      pushDetails(node.details, next.path, next.depth + 1)
    } else {
      pushDetails(readAs(DIFFOSCOPE, CountedDifference, next.node, next.path).details, next.path, next.depth + 1)
    }
  }
  return { source1: clip(report.source1), source2: clip(report.source2), differences, total, truncated: total > differences.length }
}

export function isRebuildPredicate(predicateType: string | null): boolean {
  return predicateType === REBUILD_PREDICATE_TYPE
}

const ARTIFACT = 'an object { name, digest } (or exactly one subject)'

const RebuildPredicate = z.object({
  rebuilder: z.object({ id: z.string() }),
  artifact: z.object({ name: optional(z.string()), digest: digestSet }, expecting(ARTIFACT)).optional(),
  rebuiltDigest: digestSet,
  startedOn: instant,
  finishedOn: instant,
  diffoscope: z.unknown().optional(),
})

/** Reads our rebuild predicate; `base` is where the Statement sits in the submitted document. */
export function readRebuildStatement(statement: Statement, base: string): RebuildRecord {
  const path = childPath(base, 'predicate')
  const predicate = readAs(REBUILD, RebuildPredicate, statement.predicate, path)
  // The artifact may be left to the Statement's subject when there is exactly one.
  const only = statement.subjects.length === 1 ? statement.subjects[0] : undefined
  let artifact: RebuildRecord['artifact']
  if (predicate.artifact) artifact = predicate.artifact
  else if (only) artifact = { name: only.name === '' ? null : only.name, digest: only.digest }
  else throw readError(REBUILD, childPath(path, 'artifact'), `expected ${ARTIFACT}, found ${found(undefined)}`)
  const rebuilt = predicate.rebuiltDigest
  const verdict = compareDigests(artifact.digest, rebuilt)
  if (verdict === null) {
    throw readError(
      REBUILD,
      childPath(path, 'rebuiltDigest'),
      `rebuiltDigest (${Object.keys(rebuilt).join(', ') || 'empty'}) shares no algorithm with the artifact's digest (${Object.keys(artifact.digest).join(', ') || 'empty'}), so they cannot be compared`,
    )
  }
  return {
    rebuilderId: predicate.rebuilder.id,
    artifact,
    rebuiltDigest: rebuilt,
    verdict,
    source: 'rebuild-statement',
    startedAt: predicate.startedOn,
    finishedAt: predicate.finishedOn,
    diffoscope: predicate.diffoscope === undefined || predicate.diffoscope === null ? null : summariseDiffoscope(predicate.diffoscope, childPath(path, 'diffoscope')),
  }
}

/**
 * A bare diffoscope report. diffoscope writes a report only when its inputs differ, so the report itself is a
 * mismatch verdict for source1 (the reference) against source2 (the rebuild), by an unknown rebuilder.
 */
export const diffoscopeFormat: FormatHandler = {
  name: 'diffoscope-json',
  label: 'a diffoscope JSON report',
  detect: looksLikeDiffoscope,
  read(value) {
    const summary = summariseDiffoscope(value, '$')
    return {
      format: 'diffoscope-json',
      payloadType: null,
      statement: null,
      verification: unsignedVerification('a diffoscope report'),
      extras: {
        rebuilds: [
          {
            rebuilderId: null,
            artifact: { name: summary.source1, digest: {} },
            rebuiltDigest: {},
            verdict: 'mismatch',
            source: 'diffoscope',
            startedAt: null,
            finishedAt: null,
            diffoscope: summary,
          },
        ],
      },
    }
  },
}
