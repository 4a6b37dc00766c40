import type { Check, Subject, Verification } from '../../src/contract/common'
import type { Policy, SignerIdentity } from '../../src/contract/policy'
import type { IngestContext } from '../ingest/format'
import { prepareDocument } from '../ingest/ingest'
import { certificateFacts } from '../ingest/sigstore-format'
import { readingOrder } from '../ingest/verify'
import { applyPolicy } from '../policy/policy'

/**
 * What the asker expects of a document beyond what ingest checks: the artifact it must be about, who must have
 * signed it, and a configured policy to judge it by whatever repository it names.
 */
export type Expectations = {
  /** `sha256:<64 hex>`, lower case: a subject of the document must carry this digest. */
  digest?: string
  /** Signer identities, any one of which must have signed (certificate SAN exact or /regex/ + issuer, or keyId). */
  signers?: SignerIdentity[]
  /** A configured policy applied whatever source repository the document names. */
  policy?: Policy
}

export type Judgement = {
  format: string
  /** The SHA-256 of the bytes judged: the id ingest would store them under. */
  id: string
  subjects: Subject[]
  verification: Verification
}

/**
 * One document judged as ingest judges it (the very same reading, verification and project policy, via
 * prepareDocument), then against the asker's expectations; nothing is stored. Throws only IngestError, for bytes
 * that are not a document ingest would accept.
 */
export function judgeDocument(raw: Buffer, context: IngestContext, expectations: Expectations = {}): Judgement {
  const { item, subjects } = prepareDocument(raw, context)
  const { document, build } = item
  let verification = document.verification
  const subject = {
    sourceRepo: build?.sourceRepo ?? null,
    builderId: build?.builderId ?? null,
    buildType: build?.buildType ?? null,
    certificate: certificateFacts(verification.certificate),
  }
  if (expectations.policy) verification = applyPolicy(verification, expectations.policy, subject)
  if (expectations.signers && expectations.signers.length > 0) {
    const inline: Policy = {
      name: 'expected by the request',
      repositories: ['**'],
      signers: expectations.signers,
      requiredChecks: [],
      builders: [],
      buildTypes: [],
      toolchain: {},
      allowedHosts: [],
    }
    verification = applyPolicy(verification, inline, subject)
  }
  if (expectations.digest !== undefined) verification = withCheck(verification, digestCheck(expectations.digest, subjects))
  return { format: document.format, id: document.id, subjects, verification }
}

/** Whether the document is about the expected artifact: one of its subjects carries the digest. */
export function digestCheck(expected: string, subjects: readonly Subject[]): Check {
  const [algorithm = '', hex = ''] = expected.split(':')
  const found = subjects.flatMap((subject) => {
    const value = subject.digest[algorithm]
    return value === undefined ? [] : [{ name: subject.name, value: value.toLowerCase() }]
  })
  const match = found.find((entry) => entry.value === hex)
  const actual =
    match !== undefined
      ? `subject ${match.name || '(unnamed)'} has ${algorithm}:${hex}`
      : found.length > 0
        ? `subjects have ${found
            .slice(0, 5)
            .map((entry) => `${algorithm}:${entry.value}`)
            .join(', ')}${found.length > 5 ? ', …' : ''}`
        : `no subject carries a ${algorithm} digest`
  return {
    name: 'artifact-digest',
    ok: match !== undefined,
    expected: `a subject with digest ${expected}`,
    actual,
    ...(match ? {} : { detail: 'The document is not about the artifact it was expected to cover: it may be valid, but for something else.' }),
  }
}

/** Adds a finding the way applyPolicy does: a failure turns `verified` into `failed`; other statuses stay. */
function withCheck(verification: Verification, check: Check): Verification {
  const status = verification.status === 'verified' && !check.ok ? 'failed' : verification.status
  return {
    ...verification,
    status,
    failedCheck: status === 'failed' ? (verification.failedCheck ?? check.name) : null,
    checks: readingOrder([...verification.checks, check]),
  }
}
