import { z } from 'zod'
import type { Check, Subject, Verification } from '../../src/contract/common'
import { IN_TOTO_PAYLOAD_TYPE, pae, readEnvelope, type DsseEnvelope } from './dsse'
import { IngestError, isRecord } from './errors'
import type { FormatHandler, Reading } from './format'
import { jsonObject, list, readAs, type DocumentFormat } from './read'
import { parseStatement, type Statement } from './statement'
import { judgeSignatures, readingOrder } from './verify'
import type { TrustedKey } from './keys'

/*
 * Google Cloud Build provenance as `gcloud artifacts docker images describe IMAGE --show-provenance --format=json`
 * prints it: `image_summary` (the image and its digest) and `provenance_summary.provenance[]`, one Container
 * Analysis occurrence per build, each with a DSSE envelope signed by Cloud Build's KMS key
 * (projects/verified-builder/locations/<region>/keyRings/attestor/cryptoKeys/builtByGCB/cryptoKeyVersions/1).
 *
 * Two signing schemes are in the wild: DSSE's pre-authentication encoding, and an older one where ECDSA signs the
 * SHA-256 of the raw payload (slsa-verifier's gcb verifier accepts both). Some payloads carry bytes after the
 * Statement's JSON; the signature covers them, so they are tolerated and said. Every envelope is verified with the
 * keys in trust.keys (Cloud Build's regional public keys), and the image digest must be a subject of each.
 */

const GCLOUD: DocumentFormat = { code: 'invalid-gcloud-provenance', label: 'gcloud --show-provenance output' }

const Output = z.object({
  image_summary: z.object({ digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 hex>'), fully_qualified_digest: z.string().optional() }),
  provenance_summary: z.object({ provenance: list(z.object({ envelope: jsonObject, kind: z.string().optional(), noteName: z.string().optional() })) }),
})

export function looksLikeGcloudProvenance(value: Record<string, unknown>): boolean {
  return isRecord(value.image_summary) && isRecord(value.provenance_summary)
}

const KMS_KEY = /^projects\/verified-builder\/locations\/([^/]+)\/keyRings\/attestor\/cryptoKeys\/builtByGCB\/cryptoKeyVersions\/\d+$/

/**
 * Cloud Build names its key by KMS resource name; a configured key is that key when its id is the resource name
 * or `cloud-build-<location>` (`cloud-build-global`, `cloud-build-us-west2`), so a signature that names it and
 * does not verify is a failure, not a key we lack.
 */
function namesCloudBuildKey(key: TrustedKey, keyid: string): boolean {
  const location = KMS_KEY.exec(keyid)?.[1]
  return location !== undefined && key.id === `cloud-build-${location}`
}

type Part = { label: string; envelope: DsseEnvelope; verification: Verification; statement: Statement | null }

/** One envelope's signature: DSSE's PAE first; the legacy raw-payload signature only when PAE does not verify. */
function verifyEnvelope(envelope: DsseEnvelope, keys: readonly TrustedKey[], imageDigest: string): { verification: Verification; statement: Statement | null } {
  const leading: Check[] = [{ name: 'payload-type', ok: envelope.payloadType === IN_TOTO_PAYLOAD_TYPE, expected: IN_TOTO_PAYLOAD_TYPE, actual: envelope.payloadType }]
  const thing = (data: Buffer, covers: string) => ({ check: 'envelope-signature', noun: 'envelope', covers, signedPart: 'the payload', data, signatures: envelope.signatures, leading, names: namesCloudBuildKey })
  let verification = judgeSignatures(thing(pae(envelope.payloadType, envelope.payload), 'a signature over the DSSE pre-authentication encoding'), keys)
  if (verification.status !== 'verified') {
    const legacy = judgeSignatures(thing(envelope.payload, "Cloud Build's legacy signature over the raw payload (not DSSE PAE)"), keys)
    if (legacy.status === 'verified') verification = legacy
  }
  let statement: Statement | null = null
  const checks = [...verification.checks]
  try {
    // Tolerated, and said: the signature covers the bytes as sent.
    statement = parseStatement(envelope.payload)
    if (statement.trailingBytes > 0) checks.push({ name: 'payload-trailing-bytes', ok: true, detail: `${statement.trailingBytes} bytes after the Statement's JSON were ignored` })
    const [algorithm = '', hex = ''] = imageDigest.split(':')
    const listed = statement.subjects.map((subject) => `${subject.name} ${Object.entries(subject.digest).map(([name, value]) => `${name}:${value.slice(0, 12)}…`).join(' ')}`)
    const found = statement.subjects.some((subject) => subject.digest[algorithm] === hex)
    checks.push(
      found
        ? { name: 'subject-digest', ok: true, expected: `a subject with the image digest ${imageDigest}`, actual: 'the image is a subject' }
        : { name: 'subject-digest', ok: false, expected: `a subject with the image digest ${imageDigest}`, actual: listed.length > 0 ? `subjects: ${listed.join('; ')}` : 'no subject', detail: 'The provenance is about another image than the one gcloud described.' },
    )
  } catch (error) {
    if (!(error instanceof IngestError)) throw error
    checks.push({ name: 'subject-digest', ok: false, expected: `a subject with the image digest ${imageDigest}`, actual: `the payload is not an in-toto Statement: ${error.message}` })
  }
  const failed = checks.some((check) => !check.ok && check.notJudged === undefined && check.name === 'subject-digest')
  const status = failed ? 'failed' : verification.status
  const ordered = readingOrder(checks)
  return {
    verification: { ...verification, status, failedCheck: status === 'failed' ? (ordered.find((check) => !check.ok && check.notJudged === undefined)?.name ?? null) : null, checks: ordered },
    statement,
  }
}

const rank: Record<Verification['status'], number> = { failed: 4, unverifiable: 3, untrusted: 2, unsigned: 1, verified: 0 }

export const gcloudProvenanceFormat: FormatHandler = {
  name: 'gcloud-provenance',
  label: 'Cloud Build provenance as gcloud prints it (image_summary + provenance_summary)',
  detect: looksLikeGcloudProvenance,
  read(value, context): Reading {
    const output = readAs(GCLOUD, Output, value)
    const imageDigest = output.image_summary.digest
    const parts: Part[] = output.provenance_summary.provenance.map((occurrence, index) => {
      const path = `$.provenance_summary.provenance[${index}].envelope`
      let envelope: DsseEnvelope
      try {
        envelope = readEnvelope(occurrence.envelope).envelope
      } catch (error) {
        if (error instanceof IngestError) throw new IngestError(error.code, error.message, error.path?.replace(/^\$/, path))
        throw error
      }
      return { label: `provenance[${index}]`, envelope, ...verifyEnvelope(envelope, context.keys, imageDigest) }
    })
    if (parts.length === 0) throw new IngestError(GCLOUD.code, 'read as gcloud --show-provenance output: provenance_summary.provenance holds no provenance', '$.provenance_summary.provenance')
    const many = parts.length > 1
    const checks = parts.flatMap((part) => part.verification.checks.map((check) => ({ ...check, name: many ? `${part.label}: ${check.name}` : check.name })))
    const status = parts.reduce<Verification['status']>((worst, part) => (rank[part.verification.status] > rank[worst] ? part.verification.status : worst), 'verified')
    const ordered = readingOrder(checks)
    const main = parts.find((part) => part.statement !== null) ?? parts[0]
    const subject: Subject = { name: output.image_summary.fully_qualified_digest?.split('@')[0] ?? '', digest: { sha256: imageDigest.slice('sha256:'.length) } }
    return {
      format: 'gcloud-provenance',
      payloadType: main?.envelope.payloadType ?? null,
      statement: main?.statement ?? null,
      // The image gcloud described is the subject, whatever the statement names (subject-digest says if they differ).
      subjects: [subject],
      verification: {
        status,
        failedCheck: status === 'failed' ? (ordered.find((check) => !check.ok && check.notJudged === undefined)?.name ?? null) : null,
        checks: ordered,
        signers: parts.flatMap((part) => part.verification.signers),
      },
    }
  },
}
