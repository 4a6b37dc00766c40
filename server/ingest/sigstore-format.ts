import type { Check, Verification } from '../../src/contract/common'
import type { CertificateFacts } from '../policy/policy'
import { IN_TOTO_PAYLOAD_TYPE } from './dsse'
import type { FormatHandler, IngestContext, Reading } from './format'
import { bundleHasNoLogEntry, bundleLogKeys, evidenceCheck, withLogEntries } from './log-evidence'
import { looksLikeNpmAttestations, readNpmAttestations } from './npm-attestations'
import { statementExtras } from './predicates'
import { looksLikeBundle } from './sigstore/bundle-json'
import type { BundleCertificate } from './sigstore/certificate'
import { prepareBundle, type PreparedBundle } from './sigstore/prepare-bundle'
import { loadSigstoreTrust, type SigstoreTrust } from './sigstore/trust-material'
import { parseStatement, type Statement } from './statement'

const noTrust = loadSigstoreTrust([], [])
export const trustOf = (context: IngestContext): SigstoreTrust => context.sigstore ?? { ...noTrust, keys: context.keys }

/** The certificate as the policy rules read them, from a bundle's certificate or a stored verdict's summary. */
export function certificateFacts(certificate: Pick<BundleCertificate, 'subjectAlternativeName' | 'issuer' | 'repository' | 'workflowRef' | 'ref'> | null | undefined): CertificateFacts | null {
  if (!certificate) return null
  return {
    subjectAlternativeName: certificate.subjectAlternativeName,
    issuer: certificate.issuer,
    repository: certificate.repository,
    workflow: certificate.workflowRef,
    ref: certificate.ref,
  }
}

export function withEvidence(prepared: PreparedBundle): Verification {
  const { certificate } = prepared
  return {
    ...prepared.verification,
    certificate: certificate
      ? {
          subjectAlternativeName: certificate.subjectAlternativeName,
          issuer: certificate.issuer,
          repository: certificate.repository,
          workflowRef: certificate.workflowRef,
          ref: certificate.ref,
          sha: certificate.sha,
          notBefore: certificate.notBefore,
          notAfter: certificate.notAfter,
          serial: certificate.serial,
          issuerCN: certificate.issuerCN,
        }
      : null,
    transparencyLog: prepared.tlog,
  }
}

/** The in-toto Statement a DSSE bundle carries; null for message signatures and other payload types. */
export function statementOf(prepared: PreparedBundle): Statement | null {
  if (!prepared.envelope || prepared.envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) return null
  return parseStatement(prepared.envelope.payload)
}

/** Sigstore bundles v0.1–v0.3 (and `gh attestation download` output, one bundle per JSONL line). */
export const sigstoreBundleFormat: FormatHandler = {
  name: 'sigstore-bundle',
  label: 'a Sigstore bundle',
  detect: looksLikeBundle,
  read(value, context): Reading {
    // Log entries posted on their own stand in for the ones a bundle lacks (log-evidence.ts).
    const evidence = context.logEvidence && context.logEvidence.length > 0 && bundleHasNoLogEntry(value) ? context.logEvidence : []
    const prepared = prepareBundle(evidence.length > 0 ? withLogEntries(value, evidence) : value, trustOf(context), { now: new Date(context.now()) })
    const statement = statementOf(prepared)
    const extras = statement ? statementExtras(statement, '$.dsseEnvelope.payload') : undefined
    const verification = withEvidence(prepared)
    return {
      format: 'sigstore-bundle',
      payloadType: prepared.envelope?.payloadType ?? null,
      statement,
      ...(prepared.messageDigest ? { subjects: [{ name: '', digest: { [prepared.messageDigest.algorithm]: prepared.messageDigest.hex } }] } : {}),
      verification: evidence.length > 0 ? { ...verification, checks: [...verification.checks, evidenceCheck(evidence)] } : verification,
      certificate: certificateFacts(prepared.certificate),
      logKeys: bundleLogKeys(prepared),
      ...(extras ? { extras } : {}),
    }
  },
}

const rank: Record<Verification['status'], number> = { failed: 4, unverifiable: 3, untrusted: 2, unsigned: 1, verified: 0 }

/** One attestation of a document that carries several (npm's response, a PyPI provenance object), verified. */
export type BundlePart = { role: string; prepared: PreparedBundle; statement: Statement | null; extraChecks?: Check[] }

/**
 * The verdict of a document made of several bundles: the worst of theirs, each check named by the attestation it
 * belongs to (`provenance: bundle-signature`), failures first.
 */
export function combineParts(parts: readonly BundlePart[], main: BundlePart | undefined): Verification {
  const named = (part: BundlePart) => [...part.prepared.verification.checks, ...(part.extraChecks ?? [])].map((check) => ({ ...check, name: parts.length > 1 || part.role !== '' ? `${part.role}: ${check.name}` : check.name }))
  const checks: Check[] = parts.flatMap(named)
  const statusOf = (part: BundlePart): Verification['status'] =>
    (part.extraChecks ?? []).some((check) => !check.ok && check.notJudged === undefined) ? 'failed' : part.prepared.verification.status
  const status = parts.reduce<Verification['status'] | null>((worst, part) => (worst === null || rank[statusOf(part)] > rank[worst] ? statusOf(part) : worst), null) ?? 'unsigned'
  const failing = checks.filter((check) => !check.ok && check.notJudged === undefined)
  return {
    status,
    failedCheck: status === 'failed' ? (failing[0]?.name ?? null) : null,
    checks: [...failing, ...checks.filter((check) => !check.ok && check.notJudged !== undefined), ...checks.filter((check) => check.ok)],
    signers: parts.flatMap((part) => part.prepared.verification.signers),
    certificate: main ? (withEvidence(main.prepared).certificate ?? null) : null,
    transparencyLog: parts.flatMap((part) => part.prepared.tlog),
  }
}

/**
 * The npm registry's attestations response: a publish attestation signed by the registry and SLSA provenance
 * signed through Fulcio. One document; its verdict is the worse of the two, each check named by the
 * attestation it belongs to (`provenance: bundle-signature`).
 */
export const npmAttestationsFormat: FormatHandler = {
  name: 'npm-attestations',
  label: "an npm registry attestations response ({ attestations: [...] })",
  detect: looksLikeNpmAttestations,
  read(value, context): Reading {
    const trust = trustOf(context)
    const parts: BundlePart[] = readNpmAttestations(value).map((attestation) => {
      const prepared = prepareBundle(attestation.bundle, trust, { now: new Date(context.now()) })
      const role = attestation.predicateType.includes('slsa.dev/provenance') ? 'provenance' : attestation.predicateType.includes('npm/attestation') ? 'publish' : attestation.predicateType
      return { role, prepared, statement: statementOf(prepared) }
    })
    const provenance = parts.find((part) => part.role === 'provenance') ?? parts[0]
    return {
      format: 'npm-attestations',
      payloadType: provenance?.prepared.envelope?.payloadType ?? null,
      statement: provenance?.statement ?? null,
      verification: combineParts(parts, provenance),
      certificate: certificateFacts(provenance?.prepared.certificate ?? null),
    }
  },
}
