import { sign } from 'node:crypto'
import type { DiffoscopeSummary } from '../../src/contract/rebuilds'
import { demoRebuilders, type DemoRebuild } from '../../demo/rebuilds'
import { IN_TOTO_PAYLOAD_TYPE, pae } from '../ingest/dsse'
import { REBUILD_PREDICATE_TYPE } from '../ingest/rebuild'
import { ed25519, type DemoKey } from './keys'

/*
 * The demo's rebuild attestations: each DemoRebuild as an in-toto Statement with the rebuild predicate
 * (docs/rebuild-predicate.md), signed in a DSSE envelope by its rebuilder's own Ed25519 key, which the demo
 * config trusts. Deterministic: Ed25519 signatures and the keys (derived from labels) are the same every run.
 */

/** The key id a rebuilder signs with: `demo-rebuilder-<host><path>`, e.g. `demo-rebuilder-rebuild.acme.example-r1`. */
export function rebuilderKeyId(rebuilderId: string): string {
  const url = new URL(rebuilderId)
  return `demo-rebuilder-${url.host}${url.pathname.replace(/[^a-z0-9.]+/gi, '-').replace(/-$/, '')}`
}

let keys: Map<string, DemoKey> | undefined

/** One key per demo rebuilder, by rebuilder id. */
export function demoRebuilderKeys(): Map<string, DemoKey> {
  keys ??= new Map(demoRebuilders.map((rebuilder) => [rebuilder.id, ed25519(rebuilderKeyId(rebuilder.id))]))
  return keys
}

type ReportNode = { source1: string; source2: string; unified_diff: null; comments?: string[]; details: ReportNode[] }

/**
 * The `diffoscope --json` report a summary was made from: the summary lists differences depth-first with their
 * depth, so each one is a child of the nearest preceding difference one level up. Ingest flattens it back to
 * the same summary.
 */
export function diffoscopeReport(summary: DiffoscopeSummary): Record<string, unknown> {
  const root: ReportNode = { source1: summary.source1, source2: summary.source2, unified_diff: null, details: [] }
  const open: ReportNode[] = []
  for (const difference of summary.differences) {
    const node: ReportNode = {
      source1: difference.source1,
      source2: difference.source2,
      unified_diff: null,
      ...(difference.comments.length > 0 ? { comments: difference.comments } : {}),
      details: [],
    }
    const parent = difference.depth === 0 ? root : (open[difference.depth - 1] ?? root)
    parent.details.push(node)
    open[difference.depth] = node
    open.length = difference.depth + 1
  }
  return { 'diffoscope-json-version': 1, ...root }
}

const iso = (ms: number) => new Date(ms).toISOString()

export function demoRebuildStatement(rebuild: DemoRebuild): Record<string, unknown> {
  const artifact = { name: rebuild.artifact.name, digest: { sha256: rebuild.artifact.sha256 } }
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [artifact],
    predicateType: REBUILD_PREDICATE_TYPE,
    predicate: {
      rebuilder: { id: rebuild.rebuilderId },
      artifact,
      rebuiltDigest: { sha256: rebuild.rebuiltSha256 },
      startedOn: iso(rebuild.startedAt),
      finishedOn: iso(rebuild.finishedAt),
      ...(rebuild.diffoscope === null ? {} : { diffoscope: diffoscopeReport(rebuild.diffoscope) }),
    },
  }
}

export function demoRebuildEnvelope(rebuild: DemoRebuild): Record<string, unknown> {
  const key = demoRebuilderKeys().get(rebuild.rebuilderId)
  if (key === undefined) throw new Error(`no demo key for rebuilder ${rebuild.rebuilderId}`)
  // As seed.ts signs builds (not imported from there: seed.ts imports this module).
  const payload = Buffer.from(JSON.stringify(demoRebuildStatement(rebuild)), 'utf8')
  const signature = sign(null, pae(IN_TOTO_PAYLOAD_TYPE, payload), key.privateKey)
  return { payloadType: IN_TOTO_PAYLOAD_TYPE, payload: payload.toString('base64'), signatures: [{ keyid: key.id, sig: signature.toString('base64') }] }
}
