import { z } from 'zod'
import type { Check } from '../../src/contract/common'
import { IN_TOTO_PAYLOAD_TYPE } from './dsse'
import { isRecord } from './errors'
import type { FormatHandler, Reading } from './format'
import { base64, jsonObject, list, readAs, type DocumentFormat } from './read'
import { certificateFacts, combineParts, statementOf, trustOf, type BundlePart } from './sigstore-format'
import type { BundleCertificate } from './sigstore/certificate'
import { prepareBundle } from './sigstore/prepare-bundle'

/*
 * PyPI's attestations (PEP 740, https://peps.python.org/pep-0740/; the shapes of pypi-attestations' models):
 *
 *   attestation object   { version: 1, verification_material: { certificate, transparency_entries[] },
 *                          envelope: { statement, signature } }        (what `pypi-attestations sign` writes)
 *   provenance object    { version: 1, attestation_bundles: [{ publisher, attestations: [attestation…] }] }
 *                                                                       (PyPI's Integrity API answer)
 *
 * An attestation is a Sigstore bundle with the DSSE envelope cut down to its statement and one signature, so each
 * is read back into a v0.3 bundle and verified by the same checks. In a provenance object the publisher (the
 * Trusted Publisher PyPI accepted the upload from) is the signer the certificate must name: `publisher-identity`.
 */

const ATTESTATION: DocumentFormat = { code: 'invalid-pypi-attestation', label: 'a PyPI attestation (PEP 740)' }
const PROVENANCE: DocumentFormat = { code: 'invalid-pypi-provenance', label: 'a PyPI provenance object (PEP 740)' }

const Attestation = z.object({
  version: z.literal(1),
  verification_material: z.object({ certificate: base64, transparency_entries: z.array(jsonObject) }),
  envelope: z.object({ statement: base64, signature: base64 }),
})

const Publisher = z.looseObject({ kind: z.string() })

const Provenance = z.object({
  version: z.literal(1),
  attestation_bundles: list(z.object({ publisher: Publisher, attestations: list(jsonObject) })),
})

export function looksLikePypiAttestation(value: Record<string, unknown>): boolean {
  return isRecord(value.verification_material) && isRecord(value.envelope) && 'version' in value
}

export function looksLikePypiProvenance(value: Record<string, unknown>): boolean {
  return Array.isArray(value.attestation_bundles) && 'version' in value
}

/** The attestation as the Sigstore bundle it was cut from (v0.3, one certificate, the in-toto envelope). */
function asBundle(value: unknown, path: string): Record<string, unknown> {
  const attestation = readAs(ATTESTATION, Attestation, value, path)
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      certificate: { rawBytes: attestation.verification_material.certificate.toString('base64') },
      tlogEntries: attestation.verification_material.transparency_entries,
    },
    dsseEnvelope: {
      payload: attestation.envelope.statement.toString('base64'),
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      signatures: [{ sig: attestation.envelope.signature.toString('base64'), keyid: '' }],
    },
  }
}

const role = (predicateType: string | undefined) =>
  predicateType === 'https://docs.pypi.org/attestations/publish/v1' ? 'publish' : predicateType?.startsWith('https://slsa.dev/provenance/') ? 'provenance' : (predicateType ?? 'attestation')

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null)

/** The part of a workflow URI before `@ref`: `https://github.com/o/r/.github/workflows/release.yml`. */
const withoutRef = (uri: string | null) => (uri ? (uri.split('@')[0] ?? '') : '')

/**
 * The publisher-identity check: the certificate was issued to the Trusted Publisher PyPI names (GitHub: repository
 * and workflow file; GitLab: project and CI file; Google: service account email). Environments are not in the
 * certificate, so they are shown, not checked.
 */
export function checkPublisher(publisher: z.output<typeof Publisher>, certificate: BundleCertificate | null): Check {
  const kind = publisher.kind
  const repository = text(publisher.repository)
  const environment = text(publisher.environment)
  const shown = `${kind} publisher ${[repository, text(publisher.workflow) ?? text(publisher.workflow_filepath), text(publisher.email)].filter(Boolean).join(' ')}${environment ? ` (environment ${environment}, not in the certificate)` : ''}`
  const expected = `a certificate issued to the ${shown}`
  if (!certificate) return { name: 'publisher-identity', ok: false, expected, actual: 'no signing certificate' }
  // The Build Config URI (the workflow the run started from) is what PyPI's publishers name, as pypi-attestations checks.
  const config = certificate.buildConfig ?? certificate.workflowRef ?? certificate.subjectAlternativeName
  const found = `certificate for ${certificate.subjectAlternativeName ?? '(no SAN)'}; repository ${certificate.repository ?? '(none)'}; build config ${config ?? '(none)'}`
  const workflowUri = withoutRef(config)
  let ok: boolean
  switch (kind) {
    case 'GitHub': {
      const workflow = text(publisher.workflow)
      ok = repository !== null && workflow !== null && certificate.repository?.toLowerCase() === `https://github.com/${repository}`.toLowerCase() && workflowUri.endsWith(`/.github/workflows/${workflow}`)
      break
    }
    case 'GitLab': {
      const file = text(publisher.workflow_filepath)
      ok = repository !== null && file !== null && certificate.repository?.toLowerCase() === `https://gitlab.com/${repository}`.toLowerCase() && workflowUri.endsWith(`/${file}`)
      break
    }
    case 'Google': {
      ok = text(publisher.email) !== null && certificate.subjectAlternativeName === text(publisher.email)
      break
    }
    default:
      return { name: 'publisher-identity', ok: false, expected, actual: `${found}; publisher kind ${kind} is not known to this server`, notJudged: `publishers of kind ${kind} are not checked` }
  }
  return ok
    ? { name: 'publisher-identity', ok: true, expected, actual: found }
    : { name: 'publisher-identity', ok: false, expected, actual: found, detail: 'The attestation was signed by someone other than the Trusted Publisher PyPI names for this file.' }
}

function readingOf(format: string, parts: BundlePart[]): Reading {
  const main = parts.find((part) => part.role === 'provenance') ?? parts.find((part) => part.statement !== null) ?? parts[0]
  return {
    format,
    payloadType: main?.prepared.envelope?.payloadType ?? null,
    statement: main?.statement ?? null,
    verification: combineParts(parts, main),
    certificate: certificateFacts(main?.prepared.certificate ?? null),
  }
}

/** A single PEP 740 attestation object. */
export const pypiAttestationFormat: FormatHandler = {
  name: 'pypi-attestation',
  label: 'a PyPI attestation (PEP 740: verification_material + envelope)',
  detect: looksLikePypiAttestation,
  read(value, context): Reading {
    const prepared = prepareBundle(asBundle(value, '$'), trustOf(context), { now: new Date(context.now()) })
    return readingOf('pypi-attestation', [{ role: '', prepared, statement: statementOf(prepared) }])
  },
}

/** PyPI's provenance object: every attestation of every bundle, each held to its publisher. */
export const pypiProvenanceFormat: FormatHandler = {
  name: 'pypi-provenance',
  label: 'a PyPI provenance object (PEP 740: attestation_bundles)',
  detect: looksLikePypiProvenance,
  read(value, context): Reading {
    const trust = trustOf(context)
    const provenance = readAs(PROVENANCE, Provenance, value)
    const parts: BundlePart[] = provenance.attestation_bundles.flatMap((bundle, b) =>
      bundle.attestations.map((attestation, a) => {
        const prepared = prepareBundle(asBundle(attestation, `$.attestation_bundles[${b}].attestations[${a}]`), trust, { now: new Date(context.now()) })
        const statement = statementOf(prepared)
        return { role: role(statement?.predicateType ?? undefined), prepared, statement, extraChecks: [checkPublisher(bundle.publisher, prepared.certificate)] }
      }),
    )
    if (parts.length === 0) return { ...readingOf('pypi-provenance', []), verification: { status: 'unsigned', failedCheck: null, checks: [{ name: 'signature', ok: false, expected: 'at least one attestation', actual: 'attestation_bundles holds none' }], signers: [] } }
    return readingOf('pypi-provenance', parts)
  },
}
