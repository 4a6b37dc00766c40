import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto'
import { z } from 'zod'
import { Report, REPORT_PAYLOAD_TYPE } from '../../src/contract/reports'
import { pae } from '../ingest/dsse'
import { openCheckpoint, verifierKey } from '../log/checkpoint'
import { leafHash, verifyInclusion } from '../log/merkle'
import { ARCHIVE_FILES, DERIVED_FILES, documentFile, proofFile } from './archive'
import { reportCsv, reportHtml } from './formats'
import { readTar, TarError } from './tar'
import { POLICY_FILE, verifierId, vsaFile, vsaStatement, VSA_PAYLOAD_TYPE } from './vsa'
import { canonicalJson } from '../ingest/canonical-json'
import { logName } from '../log/checkpoint'

/*
 * Checks a report archive with nothing but its bytes (and, better, the server's public key from elsewhere):
 * the envelope's signature over report.json, the checkpoint's signature, and for every document the report
 * cites: present, its bytes hashing to its id, and its leaf proved in the checkpoint's tree.
 */

export type ArchiveProblem = { file: string; message: string }
export type ArchiveVerdict = { ok: boolean; problems: ArchiveProblem[]; documents: number; keyFrom: 'archive' | 'given' }

const Envelope = z.object({ payloadType: z.string(), payload: z.string(), signatures: z.array(z.object({ keyid: z.string().optional(), sig: z.string() })).min(1) })
const Proof = z.object({ documentId: z.string(), logIndex: z.number().int().min(0), treeSize: z.number().int().min(0), hashes: z.array(z.string().regex(/^[0-9a-f]{64}$/)) })

function parseJsonText(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch {
    return undefined
  }
}

export function verifyArchive(archive: Uint8Array, options: { publicKeyPem?: string } = {}): ArchiveVerdict {
  const problems: ArchiveProblem[] = []
  const fail = (file: string, message: string): ArchiveVerdict => ({ ok: false, problems: [...problems, { file, message }], documents: 0, keyFrom: options.publicKeyPem ? 'given' : 'archive' })
  let files
  try {
    files = new Map(readTar(archive).map((file) => [file.name, file.bytes]))
  } catch (error) {
    if (error instanceof TarError) return fail('(archive)', error.message)
    throw error
  }
  for (const name of Object.values(ARCHIVE_FILES)) if (!files.has(name)) return fail(name, 'missing from the archive')

  let publicKey: KeyObject
  try {
    publicKey = createPublicKey(options.publicKeyPem ?? Buffer.from(files.get(ARCHIVE_FILES.publicKey)!).toString('utf8'))
  } catch {
    return fail(options.publicKeyPem ? '--public-key' : ARCHIVE_FILES.publicKey, 'is not a PEM public key')
  }
  if (options.publicKeyPem && !publicKey.equals(createPublicKey(Buffer.from(files.get(ARCHIVE_FILES.publicKey)!).toString('utf8')))) {
    problems.push({ file: ARCHIVE_FILES.publicKey, message: 'differs from the public key given; checked against the one given' })
  }

  // The envelope: its payload must be report.json's bytes, signed by the key.
  const reportBytes = Buffer.from(files.get(ARCHIVE_FILES.report)!)
  const envelope = Envelope.safeParse(parseJsonText(files.get(ARCHIVE_FILES.envelope)!))
  if (!envelope.success) {
    problems.push({ file: ARCHIVE_FILES.envelope, message: 'is not a DSSE envelope' })
  } else {
    const payload = Buffer.from(envelope.data.payload, 'base64')
    if (envelope.data.payloadType !== REPORT_PAYLOAD_TYPE) problems.push({ file: ARCHIVE_FILES.envelope, message: `payloadType is ${envelope.data.payloadType}, expected ${REPORT_PAYLOAD_TYPE}` })
    if (!payload.equals(reportBytes)) problems.push({ file: ARCHIVE_FILES.report, message: 'differs from the payload the envelope signs' })
    const signed = envelope.data.signatures.some((signature) => verify(null, pae(envelope.data.payloadType, payload), publicKey, Buffer.from(signature.sig, 'base64')))
    if (!signed) problems.push({ file: ARCHIVE_FILES.envelope, message: 'no signature verifies with the public key' })
  }

  const report = Report.safeParse(parseJsonText(reportBytes))
  if (!report.success) return fail(ARCHIVE_FILES.report, `is not a version 1 report: ${report.error.issues[0]?.message ?? 'invalid'} at ${report.error.issues[0]?.path.join('.') ?? ''}`)

  // The CSV and HTML say nothing the signed report does not: made again from it, byte for byte.
  for (const [name, make] of [
    [DERIVED_FILES.csv, reportCsv],
    [DERIVED_FILES.html, reportHtml],
  ] as const) {
    const bytes = files.get(name)
    if (bytes !== undefined && !make(report.data).equals(Buffer.from(bytes))) problems.push({ file: name, message: 'differs from what report.json says; only the signed report.json is evidence' })
  }

  // One VSA per artifact, signed by the same key, saying what report.json says of it under policy.json.
  const policy = files.get(POLICY_FILE)
  if (policy === undefined) problems.push({ file: POLICY_FILE, message: 'missing from the archive; the VSAs name it as their policy' })
  else {
    const context = { asOf: report.data.asOf, policyDigest: createHash('sha256').update(policy).digest('hex'), verifier: verifierId(logName(publicKey)) }
    for (const artifact of report.data.artifacts) {
      const name = vsaFile(artifact.digest)
      const bytes = files.get(name)
      const vsa = bytes === undefined ? null : Envelope.safeParse(parseJsonText(bytes))
      if (vsa === null) {
        problems.push({ file: name, message: `the VSA of ${artifact.digest} is missing from the archive` })
        continue
      }
      if (!vsa.success || vsa.data.payloadType !== VSA_PAYLOAD_TYPE) {
        problems.push({ file: name, message: `the VSA of ${artifact.digest} is not a DSSE envelope of an in-toto statement` })
        continue
      }
      const payload = Buffer.from(vsa.data.payload, 'base64')
      if (!vsa.data.signatures.some((signature) => verify(null, pae(VSA_PAYLOAD_TYPE, payload), publicKey, Buffer.from(signature.sig, 'base64')))) {
        problems.push({ file: name, message: `the VSA of ${artifact.digest}: no signature verifies with the public key` })
      }
      if (!payload.equals(Buffer.from(canonicalJson(vsaStatement(artifact, context))))) {
        problems.push({ file: name, message: `the VSA of ${artifact.digest} says something other than report.json and policy.json do` })
      }
    }
  }

  const note = Buffer.from(files.get(ARCHIVE_FILES.checkpoint)!).toString('utf8')
  const origin = note.split('\n')[0] ?? ''
  const head = openCheckpoint(note, verifierKey(origin, publicKey))
  if (head === null) problems.push({ file: ARCHIVE_FILES.checkpoint, message: 'its signature does not verify with the public key' })

  const cited = new Set(report.data.documents)
  for (const artifact of report.data.artifacts) {
    for (const attestation of artifact.attestations) {
      if (!cited.has(attestation.documentId)) problems.push({ file: ARCHIVE_FILES.report, message: `cites document ${attestation.documentId} without listing it in documents` })
    }
  }
  for (const id of report.data.documents) {
    const bytes = files.get(documentFile(id))
    if (bytes === undefined) {
      problems.push({ file: documentFile(id), message: `document ${id} is cited but missing from the archive` })
      continue
    }
    const digest = createHash('sha256').update(bytes).digest('hex')
    if (digest !== id) {
      problems.push({ file: documentFile(id), message: `document ${id} does not match its digest: its bytes hash to ${digest}` })
      continue
    }
    const proofBytes = files.get(proofFile(id))
    const proof = proofBytes === undefined ? null : Proof.safeParse(parseJsonText(proofBytes))
    if (proof === null || !proof.success || proof.data.documentId !== id) {
      problems.push({ file: proofFile(id), message: `document ${id} has no readable inclusion proof` })
      continue
    }
    if (head === null) continue
    if (proof.data.treeSize !== head.size) {
      problems.push({ file: proofFile(id), message: `document ${id}: the proof is for a tree of ${proof.data.treeSize}, the checkpoint's has ${head.size}` })
      continue
    }
    const hashes = proof.data.hashes.map((hash) => Buffer.from(hash, 'hex'))
    if (!verifyInclusion(proof.data.logIndex, head.size, leafHash(Buffer.from(digest, 'hex')), hashes, head.rootHash)) {
      problems.push({ file: proofFile(id), message: `document ${id} is not proved in the log at index ${proof.data.logIndex} under the checkpoint's root` })
    }
  }
  const fatal = problems.filter((problem) => !problem.message.startsWith('differs from the public key given'))
  return { ok: fatal.length === 0, problems, documents: report.data.documents.length, keyFrom: options.publicKeyPem ? 'given' : 'archive' }
}
