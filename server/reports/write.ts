import { createHash, sign } from 'node:crypto'
import { closeSync, fstatSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { PREVIEW_ROWS, REPORT_PAYLOAD_TYPE, REPORT_SCHEMA, ReportSummary, type ReportPreview, type ReportPreviewRow, type ReportFileName, type ReportScope } from '../../src/contract/reports'
import { canonicalJson, compareCodePoints } from '../ingest/canonical-json'
import type { Store } from '../store/types'
import { ARCHIVE_FILES, DERIVED_FILES, documentFile, logProver, proofBytes, proofFile } from './archive'
import { normalScope, previewRow, reportArtifact, summaryTally } from './assemble'
import { CSV_HEADER, csvRows, htmlFrame, htmlSection } from './formats'
import { digestsOf, EVIDENCE_PAGE, evidenceOfPage } from './gather'
import { TAR_END, tarEntry, tarHeader, tarPadding } from './tar'
import { keyFingerprint, POLICY_FILE, policyBytes, signVsa, verifierId, vsaFile, type ReportPolicyInput } from './vsa'

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
/** Base64 is written in slices of a multiple of three bytes, so the slices join into the whole's encoding. */
const BASE64_SLICE = 3 * 256 * 1024
/** Bytes gathered before a write to a report file. */
const BATCH = 1024 * 1024

export type WrittenReport = {
  summary: ReportSummary
  /** The first artifacts, as the Reports screen lists them. */
  preview: ReportPreview
  artifacts: number
  documents: number
  /** Bytes of each file in `dir`, the archive among them. */
  sizes: Record<ReportFileName | typeof ARCHIVE_NAME, number>
}

/**
 * A file written in batches of about a megabyte: a report is many small pieces (a line of CSV, a tar header),
 * and a system call each cost more than the rest of writing them.
 */
class BatchedFile {
  private parts: Buffer[] = []
  private size = 0
  private fd: number | null

  constructor(path: string) {
    this.fd = openSync(path, 'w')
  }

  write(piece: string | Buffer): void {
    const bytes = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece
    this.parts.push(bytes)
    this.size += bytes.length
    if (this.size >= BATCH) this.flush()
  }

  /** The whole of the file at `path`, after what was written so far. */
  copyFrom(path: string): void {
    this.flush()
    const from = openSync(path, 'r')
    const chunk = Buffer.alloc(BATCH)
    try {
      for (let read = readSync(from, chunk); read > 0; read = readSync(from, chunk)) writeSync(this.descriptor(), chunk, 0, read)
    } finally {
      closeSync(from)
    }
  }

  close(): void {
    if (this.fd === null) return
    this.flush()
    closeSync(this.fd)
    this.fd = null
  }

  /** Closes without writing what is pending: the report failed and its files are thrown away. */
  abandon(): void {
    if (this.fd !== null) closeSync(this.fd)
    this.fd = null
  }

  private descriptor(): number {
    if (this.fd === null) throw new Error('write to a report file after it was closed')
    return this.fd
  }

  private flush(): void {
    if (this.size === 0) return
    writeSync(this.descriptor(), this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size))
    this.parts = []
    this.size = 0
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

  const files: BatchedFile[] = []
  const open = (file: string) => {
    const opened = new BatchedFile(file)
    files.push(opened)
    return opened
  }
  const report = open(path(ARCHIVE_FILES.report))
  const csv = open(path(DERIVED_FILES.csv))
  const sections = open(join(scratch, 'sections.html'))
  const vsas = open(join(scratch, 'vsa.tar'))
  const signer = { privateKey: key.privateKey, keyId: keyFingerprint(key.publicKeyPem) }
  const tally = summaryTally()
  const previewRows: ReportPreviewRow[] = []
  const cited = new Set<string>()
  let written = 0
  try {
    report.write('{"artifacts":[')
    csv.write(CSV_HEADER)
    for (let start = 0; start < digests.length; start += EVIDENCE_PAGE) {
      for (const evidence of await evidenceOfPage(store, digests.slice(start, start + EVIDENCE_PAGE))) {
        // Typed by assembly; the stream's bytes are held to the report parsed whole (Report.parse) by the tests.
        const artifact = reportArtifact(evidence, asOf)
        if (artifact === null) {
          tally.unknown(evidence.digest)
          continue
        }
        report.write(`${written === 0 ? '' : ','}${canonicalJson(artifact)}`)
        csv.write(csvRows(artifact))
        sections.write(htmlSection(artifact, written))
        vsas.write(tarEntry({ name: vsaFile(artifact.digest), bytes: signVsa(artifact, context, signer) }, mtime))
        for (const attestation of artifact.attestations) cited.add(attestation.documentId)
        tally.add(artifact)
        if (previewRows.length < PREVIEW_ROWS) previewRows.push(previewRow(artifact))
        written += 1
      }
      options.onProgress?.(Math.min(start + EVIDENCE_PAGE, digests.length), digests.length)
    }
    const summary = ReportSummary.parse(tally.summary(asOfText))
    const documents = [...cited].sort(compareCodePoints)
    // The rest of the report's keys, in canonical order after "artifacts".
    report.write(
      `],"asOf":${canonicalJson(asOfText)},"documents":${canonicalJson(documents)},"schema":${canonicalJson(REPORT_SCHEMA)},"scope":${canonicalJson(normalScope(scope))},"summary":${canonicalJson(summary)}}`,
    )
    report.close()
    csv.close()
    sections.close()
    vsas.close()

    const { head, tail } = htmlFrame({ scope: normalScope(scope), asOf: asOfText, schema: REPORT_SCHEMA, summary, documents })
    const html = open(path(DERIVED_FILES.html))
    html.write(head)
    html.copyFrom(join(scratch, 'sections.html'))
    html.write(tail)
    html.close()

    writeEnvelope(path(ARCHIVE_FILES.report), path(ARCHIVE_FILES.envelope), key)

    const prover = await logProver(store, cited)
    const archive = open(path(ARCHIVE_NAME))
    {
      const entryFromFile = (name: string, from: string) => {
        const size = sizeOf(from)
        archive.write(tarHeader(name, size, mtime))
        archive.copyFrom(from)
        archive.write(tarPadding(size))
      }
      entryFromFile(ARCHIVE_FILES.report, path(ARCHIVE_FILES.report))
      entryFromFile(ARCHIVE_FILES.envelope, path(ARCHIVE_FILES.envelope))
      archive.write(tarEntry({ name: ARCHIVE_FILES.publicKey, bytes: Buffer.from(key.publicKeyPem) }, mtime))
      archive.write(tarEntry({ name: ARCHIVE_FILES.checkpoint, bytes: Buffer.from(prover.checkpointNote) }, mtime))
      entryFromFile(DERIVED_FILES.csv, path(DERIVED_FILES.csv))
      entryFromFile(DERIVED_FILES.html, path(DERIVED_FILES.html))
      archive.write(tarEntry({ name: POLICY_FILE, bytes: policyFile }, mtime))
      archive.copyFrom(join(scratch, 'vsa.tar'))
      // The documents' bytes a page at a time, one query a page.
      for (let start = 0; start < documents.length; start += EVIDENCE_PAGE) {
        const page = documents.slice(start, start + EVIDENCE_PAGE)
        const raw = await store.reports.documentBytes(page)
        for (const id of page) {
          const bytes = raw.get(id)
          if (bytes === undefined) throw new Error(`document ${id} is cited but not stored`)
          archive.write(tarEntry({ name: documentFile(id), bytes }, mtime))
        }
      }
      for (const id of documents) archive.write(tarEntry({ name: proofFile(id), bytes: proofBytes(prover.proof(id)) }, mtime))
      archive.write(TAR_END)
      archive.close()
    }
    const sizes = Object.fromEntries(
      [ARCHIVE_FILES.report, ARCHIVE_FILES.envelope, DERIVED_FILES.csv, DERIVED_FILES.html, ARCHIVE_NAME].map((name) => [name, sizeOf(path(name))]),
    ) as WrittenReport['sizes']
    return { summary, preview: { rows: previewRows, artifacts: written }, artifacts: written, documents: documents.length, sizes }
  } finally {
    for (const file of files) file.abandon()
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
