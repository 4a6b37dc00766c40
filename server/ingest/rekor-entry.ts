import { createHash, verify as verifySignature } from 'node:crypto'
import type { TransparencyLogEntry } from '@sigstore/bundle'
import type { SignedEntity } from '@sigstore/verify'
import { z } from 'zod'
import type { Subject, Verification } from '../../src/contract/common'
import { leafHash, verifyInclusion } from '../log/merkle'
import { isRecord } from './errors'
import type { FormatHandler, Reading } from './format'
import { list, readAs, type DocumentFormat } from './read'
import { trustOf } from './sigstore-format'
import { anyKeyMaterial, InternalCheckError, internalErrorStep, isolationKey, runVerifier, step, type Step } from './sigstore/checks'
import type { SigstoreTrust } from './sigstore/trust-material'
import { hex, messageOf, shortHex } from './sigstore/wording'
import { readLoggedBody } from './sigstore/transparency-log'
import type { LoggedEntry } from '../documents/records'
import { signatureKey } from './log-evidence'

/*
 * Log evidence: what Rekor answers for GET /api/v1/log/entries/{uuid} (and the retrieve and search endpoints),
 * `{ "<uuid>": { body, integratedTime, logID, logIndex, verification: { inclusionProof, signedEntryTimestamp } } }`,
 * and signed checkpoints (the C2SP signed-note form every Rekor log publishes). Each is verified on its own: the
 * uuid is the entry's leaf hash, the signed entry timestamp verifies with the log key of a trusted root, the
 * inclusion proof leads to a checkpoint that log signed. They are stored as documents of their own, and an entry is
 * matched with the stored document whose signature it records (log-evidence.ts), which is then verified with it.
 */

const REKOR_ENTRY: DocumentFormat = { code: 'invalid-rekor-entry', label: 'a Rekor log entry response' }

const UUID = /^(?:[0-9a-f]{16})?[0-9a-f]{64}$/
const hexBytes = z.string().regex(/^[0-9a-f]*$/i, 'expected hex').transform((text) => Buffer.from(text, 'hex'))
const int = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,19}$/)]).transform(String)

const Entry = z.object({
  body: z.string().transform((text) => Buffer.from(text, 'base64')),
  integratedTime: int,
  logID: hexBytes,
  logIndex: int,
  verification: z
    .object({
      signedEntryTimestamp: z.string().optional(),
      inclusionProof: z.object({ logIndex: int, treeSize: int, rootHash: hexBytes, hashes: list(hexBytes), checkpoint: z.string().optional() }).optional(),
    })
    .optional(),
})

/** `{ "<uuid>": entry }`: every key a Rekor entry uuid (64 hex, or 80 with the tree id in front), every value an entry. */
export function looksLikeRekorEntry(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value)
  return (
    keys.length > 0 &&
    keys.every((key) => {
      const item = value[key]
      return UUID.test(key) && isRecord(item) && 'body' in item && 'logIndex' in item
    })
  )
}

type Logged = { kind: string; signature: Buffer | null; digest: string | null }

function readBody(body: Buffer): Logged | null {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'))
    if (!isRecord(value) || !isRecord(value.spec)) return null
    const spec = value.spec
    const get = (from: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((at, key) => (isRecord(at) ? at[key] : undefined), from)
    const text = (from: unknown) => (typeof from === 'string' ? from : null)
    const kind = `${String(value.kind)}/${String(value.apiVersion)}`
    const sig = text(get(spec, 'signature', 'content')) ?? text(get(Array.isArray(spec.signatures) ? (spec.signatures as unknown[])[0] : undefined, 'signature'))
    return { kind, signature: sig ? Buffer.from(sig, 'base64') : null, digest: text(get(spec, 'data', 'hash', 'value')) ?? text(get(spec, 'payloadHash', 'value')) }
  } catch {
    return null
  }
}

/** A stand-in for the signature the entry records: there is no document here to compare it with. */
const noDocument: SignedEntity['signature'] = { signature: Buffer.alloc(0), compareSignature: () => true, compareDigest: () => true, verifySignature: () => true }

function verifyEntry(uuid: string, entry: z.output<typeof Entry>, trust: SigstoreTrust, logged: Logged | null): Step[] {
  const steps: Step[] = []
  const leaf = leafHash(entry.body)
  steps.push(
    uuid.endsWith(hex(leaf))
      ? step('ok', 'log-entry-id', 'the uuid is the leaf hash of the body (SHA-256 of 0x00 || body)', `uuid ${shortHex(uuid)} matches`)
      : step('failed', 'log-entry-id', 'the uuid is the leaf hash of the body (SHA-256 of 0x00 || body)', `the body hashes to ${shortHex(hex(leaf))}, not ${shortHex(uuid.slice(-64))}`, 'The body was altered, or the entry is filed under another uuid.'),
  )
  const expected = 'a signed entry timestamp, or an inclusion proof to a signed checkpoint, from a trusted Rekor log'
  const authority = trust.tlogs.find((log) => log.logIds.some((id) => id.equals(entry.logID)))
  if (!authority) {
    steps.push(step('missing', 'transparency-log', expected, `no trusted root contains a Rekor log with id ${hex(entry.logID)}`, 'Add the trusted_root.json of the Sigstore instance this entry comes from.'))
    return steps
  }
  const proof = entry.verification?.inclusionProof
  const set = entry.verification?.signedEntryTimestamp
  let checkedProof: TransparencyLogEntry['inclusionProof'] = undefined
  const notes: string[] = []
  if (proof) {
    if (!verifyInclusion(Number(proof.logIndex), Number(proof.treeSize), leaf, proof.hashes, proof.rootHash)) {
      steps.push(step('failed', 'transparency-log', expected, `the inclusion proof (index ${proof.logIndex}, tree size ${proof.treeSize}) does not lead from the entry to its root hash`))
      return steps
    }
    if (proof.checkpoint) checkedProof = { logIndex: proof.logIndex, treeSize: proof.treeSize, rootHash: proof.rootHash, hashes: proof.hashes, checkpoint: { envelope: proof.checkpoint } }
    else notes.push('inclusion proof leads to its root hash, which no checkpoint signs')
  }
  const kindVersion = logged ? { kind: logged.kind.split('/')[0] ?? '', version: logged.kind.split('/')[1] ?? '' } : { kind: '', version: '' }
  const tlogEntry: TransparencyLogEntry = {
    logIndex: entry.logIndex,
    logId: { keyId: entry.logID },
    kindVersion,
    integratedTime: entry.integratedTime,
    inclusionPromise: set ? { signedEntryTimestamp: Buffer.from(set, 'base64') } : undefined,
    inclusionProof: checkedProof,
    canonicalizedBody: entry.body,
  }
  if (!tlogEntry.inclusionPromise && !tlogEntry.inclusionProof) {
    steps.push(step('failed', 'transparency-log', expected, 'neither a signed entry timestamp nor an inclusion proof with a checkpoint'))
    return steps
  }
  try {
    const result = runVerifier(anyKeyMaterial(trust, isolationKey()), { signature: noDocument, key: { $case: 'public-key', hint: '' }, timestamps: [], tlogEntries: [tlogEntry] }, { tlogThreshold: 1, timestampThreshold: 0, ctlogThreshold: 0 })
    if (!result.ok) {
      steps.push(step('failed', 'transparency-log', expected, `${authority.baseUrl || 'the log'}: ${result.code}: ${result.message}`))
      return steps
    }
  } catch (error) {
    steps.push(internalErrorStep('transparency-log', expected, error instanceof InternalCheckError ? error.original : error))
    return steps
  }
  const proven = [checkedProof ? 'inclusion proof verified against the signed checkpoint' : null, tlogEntry.inclusionPromise ? 'signed entry timestamp verified' : null, ...notes].filter(Boolean)
  steps.push(step('ok', 'transparency-log', expected, `entry ${entry.logIndex} in ${authority.baseUrl || 'a trusted log'}: ${proven.join(', ')}`))
  return steps
}

/** The entry as a bundle writes it in `verificationMaterial.tlogEntries[]` (proto3 JSON: bytes in base64). */
function asBundleEntry(entry: z.output<typeof Entry>, logged: Logged | null): Record<string, unknown> {
  const [kind = '', version = ''] = logged ? logged.kind.split('/') : []
  const proof = entry.verification?.inclusionProof
  const set = entry.verification?.signedEntryTimestamp
  return {
    logIndex: entry.logIndex,
    logId: { keyId: entry.logID.toString('base64') },
    kindVersion: { kind, version },
    integratedTime: entry.integratedTime,
    ...(set ? { inclusionPromise: { signedEntryTimestamp: set } } : {}),
    ...(proof
      ? {
          inclusionProof: {
            logIndex: proof.logIndex,
            rootHash: proof.rootHash.toString('base64'),
            treeSize: proof.treeSize,
            hashes: proof.hashes.map((hash) => hash.toString('base64')),
            ...(proof.checkpoint ? { checkpoint: { envelope: proof.checkpoint } } : {}),
          },
        }
      : {}),
    canonicalizedBody: entry.body.toString('base64'),
  }
}

/** What the entry commits to, read the way the bundle check reads it: its digest and its signature. */
function keyOf(body: Buffer): LoggedEntry['key'] {
  const logged = readLoggedBody(body)
  if (typeof logged === 'string' || !logged.signature || !logged.digest) return null
  return { digest: logged.digest.toLowerCase(), signature: signatureKey(logged.signature) }
}

const rank: Record<Step['outcome'], number> = { failed: 4, error: 3, missing: 2, untrusted: 1, ok: 0 }

function verdict(steps: Step[], signers: Verification['signers']): Verification {
  const worst = steps.reduce<Step['outcome']>((found, item) => (rank[item.outcome] > rank[found] ? item.outcome : found), 'ok')
  const status: Verification['status'] = worst === 'failed' ? 'failed' : worst === 'ok' ? 'verified' : worst === 'untrusted' ? 'untrusted' : 'unverifiable'
  const failing = steps.filter((item) => item.outcome === 'failed')
  return {
    status,
    failedCheck: status === 'failed' ? (failing[0]?.check.name ?? null) : null,
    checks: [...failing, ...steps.filter((item) => item.outcome !== 'failed' && item.outcome !== 'ok'), ...steps.filter((item) => item.outcome === 'ok')].map((item) => item.check),
    signers,
  }
}

export const rekorEntryFormat: FormatHandler = {
  name: 'rekor-entry',
  label: 'a Rekor log entry response ({ "<uuid>": { body, logIndex, … } })',
  detect: looksLikeRekorEntry,
  read(value, context): Reading {
    const trust = trustOf(context)
    const subjects: Subject[] = []
    const steps: Step[] = []
    const logEntries: LoggedEntry[] = []
    const many = Object.keys(value).length > 1
    for (const [uuid, raw] of Object.entries(value)) {
      const entry = readAs(REKOR_ENTRY, Entry, raw, `$["${uuid}"]`)
      const logged = readBody(entry.body)
      const found = verifyEntry(uuid, entry, trust, logged)
      const what = logged
        ? `${logged.kind}: signature ${logged.signature ? shortHex(createHash('sha256').update(logged.signature).digest('hex')) : '(none)'} (sha256) over ${logged.digest ? `sha256:${shortHex(logged.digest)}` : 'an unnamed digest'}`
        : 'a body this server cannot read'
      // Only an entry proven to be in a trusted log is evidence for another document.
      const proven = found.every((item) => item.outcome === 'ok')
      const key = proven ? keyOf(entry.body) : null
      const use = key
        ? 'Stored as log evidence: a stored Sigstore bundle with this signature over this digest and no log entry of its own, whether stored now or later, is verified again with it.'
        : proven
          ? 'Stored as log evidence; its body names no signature and digest to match a document with.'
          : 'Stored, but not used as evidence for any document: the entry itself is not proven to be in a trusted log.'
      found.push(step('ok', 'log-evidence', 'what the entry records', what, use))
      logEntries.push({ uuid, logIndex: entry.logIndex, key, tlogEntry: asBundleEntry(entry, logged) })
      steps.push(...found.map((item) => ({ ...item, check: { ...item.check, name: many ? `${uuid.slice(-12)}: ${item.check.name}` : item.check.name } })))
      // A hashedrekord entry names the artifact's digest: the artifact the evidence is about.
      if (logged?.kind.startsWith('hashedrekord/') && logged.digest) subjects.push({ name: '', digest: { sha256: logged.digest.toLowerCase() } })
    }
    return { format: 'rekor-entry', payloadType: null, statement: null, subjects, verification: verdict(steps, []), logEntries }
  },
}

/** A checkpoint in the C2SP signed-note form: origin, size, root hash, optional lines, a blank line, signatures. */
export function looksLikeCheckpoint(raw: Buffer): boolean {
  return /^[^\n{[]+\n\d+\n[A-Za-z0-9+/]+=*\n(?:[^\n]*\n)*?\n\u2014 \S+ \S+\n?/.test(raw.toString('utf8'))
}

/** Verifies a signed checkpoint with the log keys of the trusted roots (ECDSA for Rekor v1, Ed25519 for v2). */
export function readCheckpoint(raw: Buffer, trust: SigstoreTrust): Reading {
  const text = raw.toString('utf8')
  const split = text.indexOf('\n\n')
  const note = text.slice(0, split + 1)
  const [origin = '', size = '', root = ''] = note.split('\n')
  const expected = 'a signature on the checkpoint by the log key of a trusted Rekor log'
  const signatures = [...text.slice(split + 2).matchAll(/^\u2014 (\S+) (\S+)$/gm)].map((match) => ({ name: match[1] ?? '', bytes: Buffer.from(match[2] ?? '', 'base64') }))
  let outcome: Step = step('missing', 'checkpoint-signature', expected, `no trusted root has the key of a log signing as ${signatures.map((signature) => signature.name).join(', ') || '(no signature)'}`, 'Add the trusted_root.json of the log that signed this checkpoint.')
  try {
    for (const signature of signatures) {
      const hint = signature.bytes.subarray(0, 4)
      const log = trust.material.tlogs.find((tlog) => tlog.logID.subarray(0, 4).equals(hint) && tlog.baseURL.includes(signature.name))
      if (!log) continue
      const ok = verifySignature(log.publicKey.asymmetricKeyType === 'ed25519' ? null : 'sha256', Buffer.from(note, 'utf8'), log.publicKey, signature.bytes.subarray(4))
      outcome = ok
        ? step('ok', 'checkpoint-signature', expected, `signed by ${log.baseURL}: tree size ${size}, root ${shortHex(hex(Buffer.from(root, 'base64')))}`)
        : step('failed', 'checkpoint-signature', expected, `the signature of ${signature.name} does not verify with ${log.baseURL}'s key`, 'The checkpoint was altered after signing.')
      if (ok) break
    }
  } catch (error) {
    outcome = internalErrorStep('checkpoint-signature', expected, error)
    console.error('internal error verifying a checkpoint:', messageOf(error))
  }
  const origins = step('ok', 'log-evidence', 'what the checkpoint states', `${origin}: ${size} entries, root hash ${root}`, 'Stored as log evidence of the log\'s state; proofs against it are not yet checked with it.')
  return { format: 'signed-checkpoint', payloadType: null, statement: null, verification: verdict([outcome, origins], []) }
}
