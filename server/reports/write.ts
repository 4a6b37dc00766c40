import { createHash, sign } from 'node:crypto'
import { closeSync, fstatSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { REPORT_PAYLOAD_TYPE, REPORT_SCHEMA, ReportArtifact, ReportSummary, type ReportFileName, type ReportScope } from '../../src/contract/reports'
import { canonicalJson, compareCodePoints } from '../ingest/canonical-json'
import type { Store } from '../store/types'
import { ARCHIVE_FILES, DERIVED_FILES, documentFile, logProver, proofBytes, proofFile } from './archive'
import { normalScope, reportArtifact, summaryTally } from './assemble'
import { CSV_HEADER, csvRows, htmlFrame, htmlSection } from './formats'
import { digestsOf, evidenceOf } from './gather'
import { TAR_END, tarEntry, tarHeader, tarPadding } from './tar'
import { POLICY_FILE, policyBytes, signVsa, verifierId, vsaFile, type ReportPolicyInput } from './vsa'

/*
 * Writes a report to files as it reads the store, one artifact at a time, so a project of any size is never held
 * in memory: report.json is written artifact by artifact (its keys are in canonical order, so the artifacts come
 * first and the summary, known only at the end, last), the CSV row by row, the HTML's sections and the VSAs to
 * scratch files joined at the end, and the archive is put together from those files and one document at a time.
 * The bytes are the same as assembling the whole report in memory (assemble.ts), which the tests hold it to.
 * What does grow with the report: the sorted digests of the scope, the ids of the documents cited, the summary's
 * lists of digests, the log's leaf hashes for the proofs, and, once, report.json's bytes to sign them (Ed25519
 * signs a whole message, not a stream).
 */

export const ARCHIVE_NAME = 'archive.tar'
/** Artifacts read between two progress reports. */
const PAGE = 100
/** Base64 is written in slices of a multiple of three bytes, so the slices join into the whole's encoding. */
const BASE64_SLICE = 3 * 256 * 1024

export type WrittenReport = {
  summary: ReportSummary
  artifacts: number
  documents: number
  /** Bytes of each file in `dir`, the archive among them. */
  sizes: Record<ReportFileName | typeof ARCHIVE_NAME, number>
}

function copyInto(out: number, path: string): void {
  const from = openSync(path, 'r')
  const chunk = Buffer.alloc(1024 * 1024)
  try {
    for (let read = readSync(from, chunk); read > 0; read = readSync(from, chunk)) writeSync(out, chunk, 0, read)
  } finally {
    closeSync(from)
  }
}

const sizeOf = (path: string) => {
  const fd = openSync(path, 'r')
  try {
    return fstatSync(fd).size
  } finally {
    closeSync(fd)
  }
}

/**
 * Writes report.json, report.dsse.json, report.csv, report.html and the archive into `dir` (made if missing).
 * `onProgress` hears after each page of artifacts.
 */
export async function writeReport(
  store: Store,
  scope: ReportScope,
  asOf: number,
  dir: string,
  options: { policy: ReportPolicyInput; onProgress?: (done: number, total: number) => void },
): Promise<WrittenReport> {
  const scratch = join(dir, 'scratch')
  mkdirSync(scratch, { recursive: true })
  const key = store.reports.signingKey
  const asOfText = new Date(asOf).toISOString()
  const mtime = asOf / 1000
  const policyFile = policyBytes(options.policy)
  const context = { asOf: asOfText, policyDigest: createHash('sha256').update(policyFile).digest('hex'), verifier: verifierId(key.name) }
  const path = (name: string) => join(dir, name)
  const digests = await digestsOf(store, scope, asOf)
  options.onProgress?.(0, digests.length)

  // Each descriptor is closed once: a number closed twice may by then be another file's.
  const opened = new Set<number>()
  const open = (file: string) => {
    const fd = openSync(file, 'w')
    opened.add(fd)
    return fd
  }
  const close = (fd: number) => {
    if (opened.delete(fd)) closeSync(fd)
  }
  const report = open(path(ARCHIVE_FILES.report))
  const csv = open(path(DERIVED_FILES.csv))
  const sections = open(join(scratch, 'sections.html'))
  const vsas = open(join(scratch, 'vsa.tar'))
  const tally = summaryTally()
  const cited = new Set<string>()
  let written = 0
  try {
    writeSync(report, '{"artifacts":[')
    writeSync(csv, CSV_HEADER)
    for (let start = 0; start < digests.length; start += PAGE) {
      for (const digest of digests.slice(start, start + PAGE)) {
        const made = reportArtifact(await evidenceOf(store, digest), asOf)
        if (made === null) {
          tally.unknown(digest)
          continue
        }
        const artifact = ReportArtifact.parse(made)
        writeSync(report, `${written === 0 ? '' : ','}${canonicalJson(artifact)}`)
        writeSync(csv, csvRows(artifact))
        writeSync(sections, htmlSection(artifact, written))
        writeSync(vsas, tarEntry({ name: vsaFile(artifact.digest), bytes: signVsa(artifact, context, key) }, mtime))
        for (const attestation of artifact.attestations) cited.add(attestation.documentId)
        tally.add(artifact)
        written += 1
      }
      options.onProgress?.(Math.min(start + PAGE, digests.length), digests.length)
    }
    const summary = ReportSummary.parse(tally.summary(asOfText))
    const documents = [...cited].sort(compareCodePoints)
    // The rest of the report's keys, in canonical order after "artifacts".
    writeSync(
      report,
      `],"asOf":${canonicalJson(asOfText)},"documents":${canonicalJson(documents)},"schema":${canonicalJson(REPORT_SCHEMA)},"scope":${canonicalJson(normalScope(scope))},"summary":${canonicalJson(summary)}}`,
    )
    close(report)
    close(csv)
    close(sections)
    close(vsas)

    const { head, tail } = htmlFrame({ scope: normalScope(scope), asOf: asOfText, schema: REPORT_SCHEMA, summary, documents })
    const html = open(path(DERIVED_FILES.html))
    writeSync(html, head)
    copyInto(html, join(scratch, 'sections.html'))
    writeSync(html, tail)
    close(html)

    writeEnvelope(path(ARCHIVE_FILES.report), path(ARCHIVE_FILES.envelope), key)

    const prover = await logProver(store, cited)
    const archive = open(path(ARCHIVE_NAME))
    {
      const entryFromFile = (name: string, from: string) => {
        const size = sizeOf(from)
        writeSync(archive, tarHeader(name, size, mtime))
        copyInto(archive, from)
        writeSync(archive, tarPadding(size))
      }
      entryFromFile(ARCHIVE_FILES.report, path(ARCHIVE_FILES.report))
      entryFromFile(ARCHIVE_FILES.envelope, path(ARCHIVE_FILES.envelope))
      writeSync(archive, tarEntry({ name: ARCHIVE_FILES.publicKey, bytes: Buffer.from(key.publicKeyPem) }, mtime))
      writeSync(archive, tarEntry({ name: ARCHIVE_FILES.checkpoint, bytes: Buffer.from(prover.checkpointNote) }, mtime))
      entryFromFile(DERIVED_FILES.csv, path(DERIVED_FILES.csv))
      entryFromFile(DERIVED_FILES.html, path(DERIVED_FILES.html))
      writeSync(archive, tarEntry({ name: POLICY_FILE, bytes: policyFile }, mtime))
      copyInto(archive, join(scratch, 'vsa.tar'))
      for (const id of documents) {
        const document = await store.documents.get(id)
        if (document === null) throw new Error(`document ${id} is cited but not stored`)
        writeSync(archive, tarEntry({ name: documentFile(id), bytes: document.raw }, mtime))
      }
      for (const id of documents) writeSync(archive, tarEntry({ name: proofFile(id), bytes: proofBytes(prover.proof(id)) }, mtime))
      writeSync(archive, TAR_END)
      close(archive)
    }
    const sizes = Object.fromEntries(
      [ARCHIVE_FILES.report, ARCHIVE_FILES.envelope, DERIVED_FILES.csv, DERIVED_FILES.html, ARCHIVE_NAME].map((name) => [name, sizeOf(path(name))]),
    ) as WrittenReport['sizes']
    return { summary, artifacts: written, documents: documents.length, sizes }
  } finally {
    for (const fd of [...opened]) close(fd)
    rmSync(scratch, { recursive: true, force: true })
  }
}

/**
 * The DSSE envelope over report.json, the same bytes as signReport (archive.ts) makes in memory: the report is read
 * once, behind DSSE's pre-authentication prefix, to be signed; its base64 is written a slice at a time.
 */
function writeEnvelope(reportPath: string, envelopePath: string, key: Store['reports']['signingKey']): void {
  const size = sizeOf(reportPath)
  const type = Buffer.from(REPORT_PAYLOAD_TYPE, 'utf8')
  const prefix = Buffer.from(`DSSEv1 ${type.length} ${REPORT_PAYLOAD_TYPE} ${size} `, 'utf8')
  const signed = Buffer.alloc(prefix.length + size)
  prefix.copy(signed)
  const from = openSync(reportPath, 'r')
  try {
    for (let at = 0; at < size; ) {
      const read = readSync(from, signed, prefix.length + at, size - at, at)
      if (read === 0) throw new Error(`report.json ended at ${at} of ${size} bytes`)
      at += read
    }
  } finally {
    closeSync(from)
  }
  const signature = sign(null, signed, key.privateKey).toString('base64')
  const body = signed.subarray(prefix.length)
  const out = openSync(envelopePath, 'w')
  try {
    writeSync(out, `{\n  "payloadType": ${JSON.stringify(REPORT_PAYLOAD_TYPE)},\n  "payload": "`)
    for (let at = 0; at < body.length; at += BASE64_SLICE) writeSync(out, body.subarray(at, at + BASE64_SLICE).toString('base64'))
    writeSync(out, `",\n  "signatures": [\n    {\n      "keyid": ${JSON.stringify(key.name)},\n      "sig": "${signature}"\n    }\n  ]\n}\n`)
  } finally {
    closeSync(out)
  }
}
