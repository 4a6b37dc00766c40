import type { Check, Subject, Verification } from '../../src/contract/common'
import { dsseFormat } from './dsse-format'
import { looksLikeDsse } from './dsse'
import { IngestError, isRecord, kindOf } from './errors'
import type { FormatHandler, IngestContext, Reading } from './format'
import { sigstoreBundleFormat } from './sigstore-format'
import { looksLikeBundle } from './sigstore/bundle-json'
import { cosignAttestationBundle } from './sigstore/cosign-bundle'
import { parseStatement } from './statement'
import { readingOrder } from './verify'

/*
 * cosign's attestations of a container image (`cosign attest`), as an OCI registry holds them: DSSE envelopes in
 * the layers of the manifest tagged `sha256-<hex>.att` after the image. The tag is what attaches an attestation
 * to an image, so an attestation whose in-toto statement names another image was made for that image and copied
 * here: `cosign verify-attestation` refuses it for this one, and so does this server.
 *
 * - An attestation whose statement names the image (among any other subjects) is stored exactly as the layer
 *   holds it (the envelope, or for a keyless one the Sigstore bundle it amounts to), so it is the same document a
 *   pipeline pushing it stores, with the same id and the same build.
 * - One that does not is stored as `{ AttachedTo, Attestation }`, read here: everything the attestation's own
 *   reader checks, and `subject-digest`, which fails. It is recorded about the image it was found on, so the
 *   failure shows there; it makes no build and adds nothing to the image its statement names.
 */

/** The document the OCI connector stores for an `.att` layer whose statement does not name the image. */
export type CosignAttestation = {
  /** The image whose `sha256-<hex>.att` tag held the attestation. */
  AttachedTo: string
  /** The layer's DSSE envelope, or the Sigstore bundle a keyless one amounts to (sigstore/cosign-bundle.ts). */
  Attestation: Record<string, unknown>
}

const CODE = 'invalid-cosign-attestation'
const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/

export function looksLikeCosignAttestation(value: Record<string, unknown>): boolean {
  return typeof value.AttachedTo === 'string' && isRecord(value.Attestation)
}

/**
 * Whether an envelope's in-toto statement lists `image` (`sha256:<hex>`) as a subject; null when that cannot be
 * told (not an envelope, a payload that is not a statement), which the envelope's own reader reports.
 */
export function statementNamesImage(envelope: unknown, image: string): boolean | null {
  if (!isRecord(envelope) || typeof envelope.payload !== 'string') return null
  try {
    const statement = parseStatement(Buffer.from(envelope.payload, 'base64'))
    return statement.subjects.some((subject) => subject.digest.sha256 === image.slice('sha256:'.length))
  } catch (error) {
    if (error instanceof IngestError) return null
    throw error
  }
}

/**
 * The document to ingest for an `.att` layer found under `image`'s tag: the layer as it stands (a keyless one as
 * its Sigstore bundle) when its statement names the image, else the attestation held to the image. A keyless
 * layer whose annotations cannot be read gives the problem, naming the annotation.
 */
export function cosignAttestationDocument(layer: Buffer, annotations: Readonly<Record<string, string>>, image: string): { document: Buffer } | { problem: string } {
  const keyless = cosignAttestationBundle(layer, annotations)
  if (keyless !== null && 'problem' in keyless) return keyless
  const document = keyless?.bundle ?? layer
  let value: unknown
  try {
    value = JSON.parse(document.toString('utf8'))
  } catch {
    // Not JSON: the ingest path refuses it, saying where, as it did before the image was checked.
    return { document }
  }
  const envelope = isRecord(value) && keyless !== null ? value.dsseEnvelope : value
  if (!isRecord(value) || statementNamesImage(envelope, image) !== false) return { document }
  const held: CosignAttestation = { AttachedTo: image, Attestation: value }
  return { document: Buffer.from(JSON.stringify(held)) }
}

/** The subject-digest check: the statement lists the image the attestation is attached to among its subjects. */
export function attachedImageCheck(subjects: readonly Subject[] | null, image: string): Check {
  const hex = image.slice('sha256:'.length)
  const expected = `a subject with the image digest ${image}, the image the attestation is attached to`
  if (subjects === null) return { name: 'subject-digest', ok: false, expected, actual: 'the payload is not an in-toto Statement' }
  const match = subjects.find((subject) => subject.digest.sha256 === hex)
  if (match) return { name: 'subject-digest', ok: true, expected, actual: `subject ${match.name || '(unnamed)'} has ${image}${subjects.length > 1 ? ` (1 of ${subjects.length} subjects)` : ''}` }
  const listed = subjects.map((subject) => `${subject.name || '(unnamed)'} ${Object.entries(subject.digest).map(([name, value]) => `${name}:${value.slice(0, 12)}…`).join(' ')}`)
  return {
    name: 'subject-digest',
    ok: false,
    expected,
    actual: listed.length > 0 ? `subjects: ${listed.join('; ')}` : 'the statement has no subject',
    detail: 'The attestation was made for another image and copied onto this one; cosign verify-attestation would refuse it here.',
  }
}

/** The attestation's own reading (a DSSE envelope's or a Sigstore bundle's), its errors told under $.Attestation. */
function readAttestation(value: Record<string, unknown>, context: IngestContext): Reading {
  const reader = looksLikeBundle(value) ? sigstoreBundleFormat : looksLikeDsse(value) ? dsseFormat : null
  if (reader === null) throw new IngestError(CODE, `expected the attestation as a DSSE envelope or a Sigstore bundle, found an object with keys ${Object.keys(value).slice(0, 8).join(', ') || '(none)'}`, '$.Attestation')
  try {
    return reader.read(value, context)
  } catch (error) {
    if (error instanceof IngestError) throw new IngestError(error.code, error.message, error.path?.replace(/^\$/, '$.Attestation') ?? '$.Attestation')
    throw error
  }
}

export const cosignAttestationFormat: FormatHandler = {
  name: 'cosign-attestation',
  label: 'a cosign attestation held to its image ({ AttachedTo, Attestation })',
  detect: looksLikeCosignAttestation,
  read(value, context): Reading {
    const image = value.AttachedTo
    if (typeof image !== 'string' || !IMAGE_DIGEST.test(image)) {
      throw new IngestError(CODE, `expected the image the attestation is attached to as sha256:<64 lower-case hex>, found ${typeof image === 'string' ? JSON.stringify(image.slice(0, 80)) : kindOf(image)}`, '$.AttachedTo')
    }
    if (!isRecord(value.Attestation)) throw new IngestError(CODE, `expected the attestation as an object, found ${kindOf(value.Attestation)}`, '$.Attestation')
    const reading = readAttestation(value.Attestation, context)
    const check = attachedImageCheck(reading.statement?.subjects ?? null, image)
    const checks = readingOrder([...reading.verification.checks, check])
    const status: Verification['status'] = check.ok ? reading.verification.status : 'failed'
    const failedCheck = status === 'failed' ? (checks.find((item) => !item.ok && item.notJudged === undefined)?.name ?? null) : null
    const verification: Verification = { ...reading.verification, status, failedCheck, checks }
    const common = { format: 'cosign-attestation', payloadType: reading.payloadType, verification, ...(reading.certificate !== undefined ? { certificate: reading.certificate } : {}), ...(reading.logKeys ? { logKeys: reading.logKeys } : {}) }
    if (check.ok) return { ...reading, ...common }
    // About the image it was found on, never about the images its statement names: the statement, its build and
    // what its predicate describes are another image's.
    const name = reading.statement?.subjects[0]?.name ?? ''
    return { ...common, statement: null, subjects: [{ name, digest: { sha256: image.slice('sha256:'.length) } }] }
  },
}
