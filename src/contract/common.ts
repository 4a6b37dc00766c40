import { z } from 'zod'

/** Lower-case hex SHA-256, the id of every stored document. */
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex characters')

export const BuildId = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'a build id is 64 lower-case hex characters')
  .brand<'BuildId'>()
export type BuildId = z.infer<typeof BuildId>

export const DocumentId = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'a document id is 64 lower-case hex characters')
  .brand<'DocumentId'>()
export type DocumentId = z.infer<typeof DocumentId>

/** An optional text filter of a query string: trimmed, bounded, and absent when empty (`?project=`). */
export const optionalText = z
  .string()
  .trim()
  .max(512)
  .optional()
  .transform((value) => (value === '' ? undefined : value))

/** An ISO-8601 instant with an explicit offset, as the server writes them (always UTC, `Z`). */
export const Instant = z.iso.datetime({ offset: true })

export const verificationStatuses = ['verified', 'failed', 'untrusted', 'unsigned', 'unverifiable'] as const
export const VerificationStatus = z.enum(verificationStatuses).meta({
  description:
    'verified: signed by a trusted key and every check passed; failed: a check failed (the first failing check is named); ' +
    'untrusted: well-formed, but signed by a key or certificate nothing we trust vouches for (so the signature may not have been checked at all); unsigned: no signature at all; ' +
    'unverifiable: signed, but the trust material needed to check it is missing',
})
export type VerificationStatus = z.infer<typeof VerificationStatus>

export const Check = z.object({
  /** Stable machine name, e.g. `envelope-signature`, `signer-trusted`, `payload-type`. */
  name: z.string(),
  ok: z.boolean(),
  expected: z.string().optional(),
  actual: z.string().optional(),
  detail: z.string().optional(),
  /**
   * Set when the check could not be judged, because an earlier check failed or what it needs is missing: why,
   * in words (`the envelope signature did not verify`). `ok` is then false, so anything that only reads `ok`
   * never counts it as passed; verdicts stored before this field existed simply lack it.
   */
  notJudged: z.string().optional().meta({ description: 'Why the check could not be judged (ok is then false): an earlier check failed, or what it needs is missing.' }),
})
export type Check = z.infer<typeof Check>

export const Signer = z.object({
  keyId: z.string().nullable(),
  /** The configured trusted key that matched, when one did. */
  trustedKeyId: z.string().nullable(),
  algorithm: z.string().nullable(),
})
export type Signer = z.infer<typeof Signer>

/** The Fulcio certificate a Sigstore signature was made with: who signed, as the certificate authority vouched. */
export const CertificateSummary = z.object({
  subjectAlternativeName: z.string().nullable(),
  issuer: z.string().nullable().meta({ description: 'OIDC issuer that vouched for the identity' }),
  repository: z.string().nullable(),
  workflowRef: z.string().nullable(),
  ref: z.string().nullable(),
  sha: z.string().nullable(),
  notBefore: z.string(),
  notAfter: z.string(),
  serial: z.string(),
  issuerCN: z.string().nullable(),
})
export type CertificateSummary = z.infer<typeof CertificateSummary>

/** A transparency-log entry a bundle carries, and what could be checked of it. */
export const TransparencyLogEntry = z.object({
  logIndex: z.string(),
  logId: z.string(),
  integratedTime: z.string().nullable(),
  kind: z.string(),
  version: z.string(),
  inclusionProof: z.boolean(),
  inclusionPromise: z.boolean(),
  checkpoint: z.string().nullable(),
})
export type TransparencyLogEntry = z.infer<typeof TransparencyLogEntry>

export const Verification = z.object({
  status: VerificationStatus,
  /** The first failing check, when status is `failed`. */
  failedCheck: z.string().nullable(),
  checks: z.array(Check),
  signers: z.array(Signer),
  /** For certificate-signed documents (Sigstore): the signing certificate. */
  certificate: CertificateSummary.nullable().optional(),
  /** For Sigstore bundles: their transparency-log entries. */
  transparencyLog: z.array(TransparencyLogEntry).optional(),
})
export type Verification = z.infer<typeof Verification>

export const DigestSet = z.record(z.string(), z.string())
export type DigestSet = z.infer<typeof DigestSet>

export const Subject = z.object({
  name: z.string(),
  digest: DigestSet,
})
export type Subject = z.infer<typeof Subject>

export const ApiErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    /** Where the problem is: a JSON path, a line number (`line 3`), a header or a query parameter. */
    path: z.string().optional(),
  }),
})
export type ApiErrorBody = z.infer<typeof ApiErrorBody>
