import { sign } from 'node:crypto'
import { REPORT_PAYLOAD_TYPE } from '../../src/contract/reports'
import { pae } from '../ingest/dsse'
import type { LogKey } from '../log/checkpoint'
import { leafHash, nodeHash } from '../log/merkle'
import type { Store } from '../store/types'

/*
 * The download: one ustar archive an auditor can check offline (docs/reports.md says how, with and without
 * `npm run verify-report`):
 *   report.json            the report, canonical JSON
 *   report.dsse.json       a DSSE envelope over report.json, signed with the server's log key (Ed25519)
 *   report.csv, .html      the same report as CSV and as a printable page, made from report.json alone
 *   policy.json            the policy the VSAs name: the rule, the trusted keys, trust files and project policies
 *   vsa/<hex>.intoto.dsse.json  one SLSA VSA v1 per artifact, a DSSE envelope signed with the same key
 *   public-key.pem         that key (SPKI PEM), the same one that signs the log's checkpoints
 *   checkpoint.txt         the log's signed checkpoint (C2SP signed note) the proofs lead to
 *   documents/<id>.json    every document the report cites, its bytes exactly as ingested (id = their SHA-256)
 *   proofs/<id>.json       the RFC 6962 inclusion proof of that document's leaf in the checkpoint's tree
 */

export type InclusionProofFile = { documentId: string; logIndex: number; treeSize: number; hashes: string[] }

export const ARCHIVE_FILES = { report: 'report.json', envelope: 'report.dsse.json', publicKey: 'public-key.pem', checkpoint: 'checkpoint.txt' } as const
/** Made from report.json alone (formats.ts), so verify-report makes them again and compares. */
export const DERIVED_FILES = { csv: 'report.csv', html: 'report.html' } as const
export const documentFile = (id: string) => `documents/${id}.json`
export const proofFile = (id: string) => `proofs/${id}.json`

/** The DSSE envelope over the report's bytes; keyid is the log's name, which also names the key in checkpoints. */
export function signReport(bytes: Buffer, key: Pick<LogKey, 'name' | 'privateKey'>): string {
  const signature = sign(null, pae(REPORT_PAYLOAD_TYPE, bytes), key.privateKey)
  return `${JSON.stringify({ payloadType: REPORT_PAYLOAD_TYPE, payload: bytes.toString('base64'), signatures: [{ keyid: key.name, sig: signature.toString('base64') }] }, null, 2)}\n`
}

/**
 * Every level of the RFC 6962 tree over `leaves`, leaves first: a node without a sibling at the end of a level is
 * carried up unchanged, which gives the same tree (and root) as RFC 6962's split at the largest power of two.
 * Built once, so each proof is a walk up the levels instead of recomputing subtrees.
 */
export function treeLevels(leaves: readonly Buffer[]): Buffer[][] {
  const levels: Buffer[][] = [[...leaves]]
  for (let level = levels[0]!; level.length > 1; ) {
    const next: Buffer[] = []
    for (let index = 0; index < level.length; index += 2) next.push(index + 1 < level.length ? nodeHash(level[index]!, level[index + 1]!) : level[index]!)
    levels.push(next)
    level = next
  }
  return levels
}

/** The audit path of leaf `index` from the tree's levels: each level's sibling, where the node has one. */
export function proofFromLevels(levels: readonly Buffer[][], index: number): Buffer[] {
  const path: Buffer[] = []
  let at = index
  for (const level of levels.slice(0, -1)) {
    const sibling = at ^ 1
    if (sibling < level.length) path.push(level[sibling]!)
    at >>>= 1
  }
  return path
}

/**
 * Proves documents in the log's latest checkpoint. The proofs need every leaf of the tree (the log keeps only its
 * right edge), read a page at a time: O(size) once, then O(log size) a document, each proof made when it is
 * written; a store with millions of documents would want stored interior nodes instead.
 */
export async function logProver(store: Store, documentIds: ReadonlySet<string>) {
  const checkpoint = await store.log.checkpoint()
  const leaves: Buffer[] = []
  const indexOf = new Map<string, number>()
  while (leaves.length < checkpoint.size) {
    const page = await store.log.entries(leaves.length, Math.min(5000, checkpoint.size - leaves.length))
    if (page.length === 0) break
    for (const entry of page) {
      if (entry.index !== leaves.length) throw new Error(`log entry ${entry.index} found where ${leaves.length} was expected`)
      leaves.push(leafHash(Buffer.from(entry.id, 'hex')))
      if (documentIds.has(entry.id)) indexOf.set(entry.id, entry.index)
    }
  }
  const levels = treeLevels(leaves)
  return {
    checkpointNote: checkpoint.note,
    proof(id: string): InclusionProofFile {
      const index = indexOf.get(id)
      if (index === undefined) throw new Error(`document ${id} is cited but not in the log's checkpoint of ${checkpoint.size}`)
      return { documentId: id, logIndex: index, treeSize: checkpoint.size, hashes: proofFromLevels(levels, index).map((hash) => hash.toString('hex')) }
    },
  }
}

/** A proof file's bytes. */
export const proofBytes = (proof: InclusionProofFile) => Buffer.from(`${JSON.stringify(proof, null, 2)}\n`)
