import { createHash, sign, type KeyObject } from 'node:crypto'
import type { Policy } from '../../src/contract/policy'
import type { ReportArtifact } from '../../src/contract/reports'
import { canonicalJson } from '../ingest/canonical-json'
import { pae } from '../ingest/dsse'
import { VSA_V1 } from '../ingest/vsa'
import { documentFile } from './archive'

/*
 * One SLSA Verification Summary Attestation (v1, https://slsa.dev/verification_summary/v1) per artifact of a
 * report: the server's signed word on the artifact, for tools that read VSAs rather than reports. Each is made
 * from the signed report.json, the policy document and the server's key alone, so verify-report makes each again
 * and compares; Ed25519 signatures are deterministic, so the same report gives the same envelopes.
 */

export const STATEMENT_V1 = 'https://in-toto.io/Statement/v1'
export const VSA_PAYLOAD_TYPE = 'application/vnd.in-toto+json'
/** What the `policy.uri` of every report VSA names; its bytes are policy.json in the archive, bound by digest. */
export const REPORT_POLICY_URI = 'https://provenance-dashboard.dev/report/v1/policy'
export const POLICY_FILE = 'policy.json'
export const vsaFile = (digest: string) => `vsa/${digest.replace(/^sha256:/, '')}.intoto.dsse.json`

/**
 * What "verified provenance" meant when the report was made: the rule in words, the keys trusted, digests of the
 * trust files (Sigstore roots, npm's registry keys), and the per-project policies ingest applied. A policy changed
 * in the config changes its digest, so a VSA names exactly the policy its artifact was judged by.
 */
export type ReportPolicyInput = { trustedKeys: readonly { id: string; fingerprint: string }[]; trustFiles: readonly string[]; policies: readonly Policy[] }

export const POLICY_RULE = [
  'PASSED: at least one provenance document naming the artifact, stored by the as-of instant, verified: its signature checked against a key or certificate authority in trust, and every check ingest made passed, including the checks of the project policy governing its source repository (signers, required checks, builders, build types) when one does.',
  'FAILED: otherwise (provenance that did not verify, or none at all).',
  'verifiedLevels: SLSA_BUILD_LEVEL_2 when PASSED (signed provenance whose signer the operator trusts as a build platform); SLSA_BUILD_LEVEL_3 is never claimed, since whether a build platform is hardened cannot be seen in its documents; FAILED when FAILED.',
  'inputAttestations: every document the report relies on for the artifact (provenance, SBOM, rebuilds, others), by its SHA-256 and its path in the archive.',
]

export function policyBytes(input: ReportPolicyInput): Buffer {
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
  return Buffer.from(
    `${canonicalJson({
      uri: REPORT_POLICY_URI,
      rule: POLICY_RULE,
      trustedKeys: [...input.trustedKeys].map(({ id, fingerprint }) => ({ id, sha256: fingerprint })).sort((a, b) => byText(a.id, b.id)),
      trustFiles: [...new Set(input.trustFiles.map((text) => createHash('sha256').update(text).digest('hex')))].sort(byText),
      projectPolicies: input.policies,
    })}\n`,
  )
}

/** The verifier's id: the server, named by its key (the one that signs checkpoints, reports and VSAs). */
export const verifierId = (keyName: string) => `https://provenance-dashboard.dev/verifier/${keyName}`

/** Where the artifact is: a name already written as a URI stays; otherwise a generic package URL pinned by digest. */
export function resourceUri(artifact: Pick<ReportArtifact, 'names' | 'digest'>): string {
  const named = artifact.names.find((name) => /^[a-z][a-z0-9+.-]*:[^\s]+$/i.test(name) && !/^[^/]+:\d/.test(name))
  if (named !== undefined) return named
  const name = artifact.names[0]
  return `pkg:generic/${encodeURIComponent(name ?? 'unnamed')}?checksum=${artifact.digest}`
}

export type VsaContext = { asOf: string; policyDigest: string; verifier: string }

export function vsaStatement(artifact: ReportArtifact, context: VsaContext) {
  const passed = artifact.provenance === 'verified'
  return {
    _type: STATEMENT_V1,
    subject: [{ name: artifact.names[0] ?? artifact.digest, digest: artifact.digests }],
    predicateType: VSA_V1,
    predicate: {
      verifier: { id: context.verifier },
      // The report's as-of instant: the verification speaks for what was stored by then (same inputs, same bytes).
      timeVerified: context.asOf,
      resourceUri: resourceUri(artifact),
      policy: { uri: REPORT_POLICY_URI, digest: { sha256: context.policyDigest } },
      inputAttestations: artifact.attestations.map((attestation) => ({ uri: documentFile(attestation.documentId), digest: { sha256: attestation.documentId } })),
      verificationResult: passed ? 'PASSED' : 'FAILED',
      verifiedLevels: passed ? ['SLSA_BUILD_LEVEL_2'] : ['FAILED'],
      slsaVersion: '1.0',
    },
  }
}

/**
 * The DSSE envelope of one VSA; keyid is the SHA-256 of the key's SubjectPublicKeyInfo (keyFingerprint), which
 * ingest matches. The caller works it out once for a report's many VSAs.
 */
export function signVsa(artifact: ReportArtifact, context: VsaContext, signer: { privateKey: KeyObject; keyId: string }): Buffer {
  const payload = Buffer.from(canonicalJson(vsaStatement(artifact, context)))
  const signature = sign(null, pae(VSA_PAYLOAD_TYPE, payload), signer.privateKey)
  return Buffer.from(`${JSON.stringify({ payloadType: VSA_PAYLOAD_TYPE, payload: payload.toString('base64'), signatures: [{ keyid: signer.keyId, sig: signature.toString('base64') }] })}\n`)
}

export function keyFingerprint(publicKeyPem: string): string {
  const der = Buffer.from(publicKeyPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64')
  return createHash('sha256').update(der).digest('hex')
}
