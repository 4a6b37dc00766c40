import { X509Certificate } from 'node:crypto'
import type { LinkRecord, LogEvidence } from '../documents/records'
import { looksLikeDsse, readEnvelope, type DsseEnvelope } from './dsse'
import { envelopeLogKeys, evidenceCheck } from './log-evidence'
import { certificateFacts, trustOf, withEvidence } from './sigstore-format'
import { prepareBundle } from './sigstore/prepare-bundle'
import { isRecord } from './errors'
import type { FormatHandler, IngestContext } from './format'
import { isLinkType, readLink, rebuildsFromLink, signerOf } from './link'
import { readStatementExtras } from './predicates'
import { parsePayload, readStatement, type Statement } from './statement'
import { FIELDS_IGNORED, verifyEnvelope, withTolerated } from './verify'

/**
 * The payload, parsed once: an in-toto v0.9 link (JSON with nothing after it), or else the Statement it must be.
 * A payload that is not JSON is an error of the Statement.
 */
function readPayload(payload: Buffer, keyids: string[]): { link: LinkRecord } | { statement: Statement } {
  const { value, trailingBytes } = parsePayload(payload)
  if (trailingBytes === 0 && isRecord(value) && isLinkType(value._type)) return { link: readLink(value, '$.payload', keyids) }
  return { statement: { ...readStatement(value, '$.payload'), trailingBytes } }
}

/**
 * A bare envelope whose one signature carries its Fulcio certificate beside it (`signatures[0].cert`, as
 * slsa-github-generator's generic workflow wrote `.intoto.jsonl` files): the certificate's DER, else null.
 */
function signingCertificate(envelope: DsseEnvelope): Buffer | null {
  const [signature, ...others] = envelope.signatures
  if (signature?.cert == null || others.length > 0) return null
  try {
    return new X509Certificate(signature.cert).raw
  } catch {
    // A malformed hint is reported as tolerated by readEnvelope; the envelope is judged as if it had none.
    return null
  }
}

/**
 * Such an envelope carries no log entry, so its certificate cannot be judged alone (when it was valid is what the
 * log says). Once a Rekor entry recording its signature is stored (log-evidence.ts), the envelope, its certificate
 * and that entry are exactly a Sigstore bundle's parts, and are verified as one: chain, log, signature and identity.
 */
function verifyWithLogEvidence(envelope: DsseEnvelope, der: Buffer, evidence: readonly LogEvidence[], context: IngestContext) {
  const bundle = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { certificate: { rawBytes: der.toString('base64') }, tlogEntries: evidence.map((item) => item.tlogEntry) },
    dsseEnvelope: {
      payload: envelope.payload.toString('base64'),
      payloadType: envelope.payloadType,
      signatures: envelope.signatures.map((signature) => ({ keyid: signature.keyid, sig: signature.sig.toString('base64') })),
    },
  }
  const prepared = prepareBundle(bundle, trustOf(context), { now: new Date(context.now()) })
  const verification = withEvidence(prepared)
  return { verification: { ...verification, checks: [...verification.checks, evidenceCheck(evidence)] }, certificate: certificateFacts(prepared.certificate) }
}

export const dsseFormat: FormatHandler = {
  name: 'dsse',
  label: 'a DSSE envelope',
  detect: looksLikeDsse,
  read(value, context) {
    const { envelope, tolerated } = readEnvelope(value)
    const der = signingCertificate(envelope)
    const signature = envelope.signatures[0]?.sig
    // The keys a Rekor entry recording this signature would carry, so an entry stored before or after finds it.
    const logKeys = der !== null && signature !== undefined ? envelopeLogKeys(envelope.payloadType, envelope.payload, signature) : []
    const evidence = der !== null ? (context.logEvidence ?? []) : []
    const logged = der !== null && evidence.length > 0 ? verifyWithLogEvidence(envelope, der, evidence, context) : null
    const verified = logged?.verification ?? verifyEnvelope(envelope, context.keys)
    const found = { ...(logKeys.length > 0 ? { logKeys } : {}), ...(logged ? { certificate: logged.certificate } : {}) }
    // in-toto's DSSE mode signs a v0.9 link as the payload itself; everything else is a Statement.
    const read = readPayload(envelope.payload, envelope.signatures.map((signature) => signature.keyid))
    if ('link' in read) {
      const { link } = read
      const rebuilds = rebuildsFromLink(link, signerOf(verified))
      return {
        format: 'dsse',
        payloadType: envelope.payloadType,
        statement: null,
        verification: withTolerated(verified, FIELDS_IGNORED, tolerated),
        extras: { link, ...(rebuilds.length > 0 ? { rebuilds } : {}) },
        ...found,
      }
    }
    const { statement } = read
    const { extras, tolerated: inPredicate } = readStatementExtras(statement, '$.payload')
    return {
      format: 'dsse',
      payloadType: envelope.payloadType,
      statement,
      verification: withTolerated(verified, FIELDS_IGNORED, [...tolerated, ...inPredicate]),
      ...(extras ? { extras } : {}),
      ...found,
    }
  },
}
