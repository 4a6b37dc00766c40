import { sign } from 'node:crypto'
import { REPORT_PAYLOAD_TYPE } from '../../src/contract/reports'
import { pae } from '../ingest/dsse'
import type { LogKey } from '../log/checkpoint'
import { leafHash, nodeHash } from '../log/merkle'
import type { Store } from '../store/types'
import { writeTar, type TarFile } from './tar'

/*
 * The download: one ustar archive an auditor can check offline (docs/reports.md says how, with and without
 * `npm run verify-report`):
 *   report.json            the report, canonical JSON
 *   report.dsse.json       a DSSE envelope over report.json, signed with the server's log key (Ed25519)
 *   report.csv, .html      the same report as CSV and as a printable page, made from report.json alone
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

/** Packs the archive; pure, so the same report and evidence give the same bytes. */
export function packArchive(input: {
  reportBytes: Buffer
  envelope: string
  publicKeyPem: string
  checkpointNote: string
  documents: readonly { id: string; raw: Uint8Array }[]
  proofs: readonly InclusionProofFile[]
  /** The report's other formats (formats.ts), by archive name. */
  derived: readonly TarFile[]
  asOf: number
}): Buffer {
  const files: TarFile[] = [
    { name: ARCHIVE_FILES.report, bytes: input.reportBytes },
    { name: ARCHIVE_FILES.envelope, bytes: Buffer.from(input.envelope) },
    { name: ARCHIVE_FILES.publicKey, bytes: Buffer.from(input.publicKeyPem) },
    { name: ARCHIVE_FILES.checkpoint, bytes: Buffer.from(input.checkpointNote) },
    ...input.derived,
  ]
  for (const document of [...input.documents].sort((a, b) => (a.id < b.id ? -1 : 1))) files.push({ name: documentFile(document.id), bytes: document.raw })
  for (const proof of [...input.proofs].sort((a, b) => (a.documentId < b.documentId ? -1 : 1))) {
    files.push({ name: proofFile(proof.documentId), bytes: Buffer.from(`${JSON.stringify(proof, null, 2)}\n`) })
  }
  return writeTar(files, input.asOf / 1000)
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
 * Reads the cited documents and proves each in the log's latest checkpoint. The proofs need every leaf of the
 * tree (the log keeps only its right edge), read a page at a time: O(size) once, then O(log size) a document;
 * a store with millions of documents would want stored interior nodes instead.
 */
export async function archiveEvidence(store: Store, documentIds: readonly string[]) {
  const checkpoint = await store.log.checkpoint()
  const leaves: Buffer[] = []
  const indexOf = new Map<string, number>()
  const wanted = new Set(documentIds)
  while (leaves.length < checkpoint.size) {
    const page = await store.log.entries(leaves.length, Math.min(5000, checkpoint.size - leaves.length))
    if (page.length === 0) break
    for (const entry of page) {
      if (entry.index !== leaves.length) throw new Error(`log entry ${entry.index} found where ${leaves.length} was expected`)
      leaves.push(leafHash(Buffer.from(entry.id, 'hex')))
      if (wanted.has(entry.id)) indexOf.set(entry.id, entry.index)
    }
  }
  const levels = treeLevels(leaves)
  const documents: { id: string; raw: Uint8Array }[] = []
  const proofs: InclusionProofFile[] = []
  for (const id of documentIds) {
    const document = await store.documents.get(id)
    const index = indexOf.get(id)
    if (document === null || index === undefined) throw new Error(`document ${id} is cited but not in the log's checkpoint of ${checkpoint.size}`)
    documents.push({ id, raw: document.raw })
    proofs.push({ documentId: id, logIndex: index, treeSize: checkpoint.size, hashes: proofFromLevels(levels, index).map((hash) => hash.toString('hex')) })
  }
  return { checkpointNote: checkpoint.note, documents, proofs }
}
