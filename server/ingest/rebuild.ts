import { REBUILD_PREDICATE_TYPE, type DiffoscopeDifference, type DiffoscopeSummary } from '../../src/contract/rebuilds'
import type { RebuildRecord } from '../store/types'
import type { FormatHandler } from './format'
import { childPath, Shape, unsignedVerification } from './shape'
import type { Statement } from './statement'

/*
 * Reproducibility verdicts. A rebuild names the artifact it was asked to rebuild (with the digest it was
 * published with) and the digest its own build produced: they match or they do not. Nothing is looked up, so
 * a verdict does not change with what else happens to be stored. See docs/rebuild-predicate.md.
 */

export { REBUILD_PREDICATE_TYPE }

const rebuild = new Shape('invalid-rebuild', `a rebuild attestation (${REBUILD_PREDICATE_TYPE})`)
const diffoscope = new Shape('invalid-diffoscope', 'a diffoscope JSON report')

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

/** Flattens a diffoscope --json report (source1/source2/details[] recursively) into which files differ. */
export function summariseDiffoscope(value: unknown, base: string): DiffoscopeSummary {
  const report = diffoscope.record(value, base)
  const versionPath = childPath(base, 'diffoscope-json-version')
  if (report['diffoscope-json-version'] !== 1) {
    throw diffoscope.error(versionPath, `diffoscope-json-version is ${JSON.stringify(report['diffoscope-json-version'])}; only version 1 is read`)
  }
  const differences: DiffoscopeDifference[] = []
  let total = 0
  // Depth-first in document order, iteratively: nesting is bounded by the JSON depth limit, not the stack.
  const stack: { node: unknown; path: string; depth: number }[] = []
  const pushDetails = (node: Record<string, unknown>, path: string, depth: number) => {
    const detailsPath = childPath(path, 'details')
    const details = diffoscope.optionalArray(node.details, detailsPath)
    for (let index = details.length - 1; index >= 0; index--) stack.push({ node: details[index], path: childPath(detailsPath, index), depth })
  }
  const source1 = diffoscope.string(report.source1, childPath(base, 'source1'))
  const source2 = diffoscope.string(report.source2, childPath(base, 'source2'))
  pushDetails(report, base, 0)
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const node = diffoscope.record(next.node, next.path)
    total++
    if (differences.length < MAX_DIFFERENCES) {
      differences.push({
        source1: clip(diffoscope.string(node.source1, childPath(next.path, 'source1'))),
        source2: clip(diffoscope.string(node.source2, childPath(next.path, 'source2'))),
        depth: next.depth,
        comments: diffoscope.strings(node.comments, childPath(next.path, 'comments')).slice(0, MAX_COMMENTS).map(clip),
      })
    }
    pushDetails(node, next.path, next.depth + 1)
  }
  return { source1: clip(source1), source2: clip(source2), differences, total, truncated: total > differences.length }
}

export function isRebuildPredicate(predicateType: string | null): boolean {
  return predicateType === REBUILD_PREDICATE_TYPE
}

/** Reads our rebuild predicate; `base` is where the Statement sits in the submitted document. */
export function readRebuildStatement(statement: Statement, base: string): RebuildRecord {
  const path = childPath(base, 'predicate')
  const predicate = rebuild.record(statement.predicate, path)
  const rebuilderPath = childPath(path, 'rebuilder')
  const rebuilder = rebuild.record(predicate.rebuilder, rebuilderPath)
  const artifactPath = childPath(path, 'artifact')
  // The artifact may be left to the Statement's subject when there is exactly one.
  const only = statement.subjects.length === 1 ? statement.subjects[0] : undefined
  let artifact: RebuildRecord['artifact']
  if (predicate.artifact === undefined && only) {
    artifact = { name: only.name === '' ? null : only.name, digest: only.digest }
  } else {
    const record = rebuild.record(predicate.artifact, artifactPath, 'an object { name, digest } (or exactly one subject)')
    artifact = {
      name: rebuild.optionalString(record.name, childPath(artifactPath, 'name')),
      digest: rebuild.digestSet(record.digest, childPath(artifactPath, 'digest')),
    }
  }
  const rebuiltPath = childPath(path, 'rebuiltDigest')
  const rebuilt = rebuild.digestSet(predicate.rebuiltDigest, rebuiltPath)
  const verdict = compareDigests(artifact.digest, rebuilt)
  if (verdict === null) {
    throw rebuild.error(
      rebuiltPath,
      `rebuiltDigest (${Object.keys(rebuilt).join(', ') || 'empty'}) shares no algorithm with the artifact's digest (${Object.keys(artifact.digest).join(', ') || 'empty'}), so they cannot be compared`,
    )
  }
  return {
    rebuilderId: rebuild.string(rebuilder.id, childPath(rebuilderPath, 'id')),
    artifact,
    rebuiltDigest: rebuilt,
    verdict,
    source: 'rebuild-statement',
    startedAt: rebuild.optionalTime(predicate.startedOn, childPath(path, 'startedOn')),
    finishedAt: rebuild.optionalTime(predicate.finishedOn, childPath(path, 'finishedOn')),
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
