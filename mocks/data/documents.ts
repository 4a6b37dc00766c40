import { ed25519 } from '@noble/curves/ed25519.js'
import { p256 } from '@noble/curves/nist.js'
import { bytesToNumberLE, concatBytes } from '@noble/curves/utils.js'
// A dependency of @noble/curves (same author, pinned by it): synchronous SHA-2, which the browser's crypto is not.
import { sha256, sha512 } from '@noble/hashes/sha2.js'
import { REBUILD_PREDICATE_TYPE, type DiffoscopeSummary } from '../../src/contract/rebuilds'
import type { DemoBuild } from '../../demo/model'
import { demoRebuilders, type DemoRebuild } from '../../demo/rebuilds'
import { demoSbomStatement } from '../../demo/sboms'
import { demoStatement } from '../../demo/statement'

/*
 * The demo's signed documents, byte for byte as the server's demo seed writes them (server/demo/seed.ts,
 * keys.ts, rebuilds.ts), so that the mocks know the ids the server gives them: a document's id is the SHA-256 of
 * its bytes, a build's id is its document's, a rebuild's is derived from its document's. Ed25519 signatures are
 * deterministic, so those ids are the server's exactly; ECDSA ones are not (the server signs with a random
 * nonce), so the mocks sign those with RFC 6979 nonces and their ids are plausible but never the server's.
 * The mocks cannot import the seed (it signs with node:crypto), hence this copy; the parity test
 * (e2e/mock-parity.spec.ts) fails when the two drift apart.
 */

const encoder = new TextEncoder()
const utf8 = (text: string) => encoder.encode(text)
const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')

/** Lower-case hex SHA-256 of a text's UTF-8 bytes. */
export const sha256Hex = (text: string | Uint8Array): string => hex(sha256(typeof text === 'string' ? utf8(text) : text))

function base64(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** As server/demo/keys.ts derives a demo key from its label, so every machine trusts the same public key. */
const keySeed = (label: string) => sha256(utf8(`provenance-dashboard demo key: ${label}`))

/** Key ids of the demo's release keys, by algorithm, as the demo config trusts and its policies require them. */
export const demoReleaseKeyIds = { ed25519: 'demo-release-ed25519', 'ecdsa-p256': 'demo-release-p256' } as const

/** The key the demo's "unknown signer" documents are signed with, and the keyid their envelopes name. */
const ROGUE_KEY_LABEL = 'rogue-unknown-ed25519'
export const DEMO_ROGUE_KEY_ID = 'rogue-release-key'

/** The key id a rebuilder signs with: `demo-rebuilder-<host><path>`, as server/demo/rebuilds.ts names it. */
export function rebuilderKeyId(rebuilderId: string): string {
  const url = new URL(rebuilderId)
  return `demo-rebuilder-${url.host}${url.pathname.replace(/[^a-z0-9.]+/gi, '-').replace(/-$/, '')}`
}

/** Every key the demo config trusts, in its order: the release keys, then one per rebuilder. */
export const demoTrustedKeyIds: readonly string[] = [demoReleaseKeyIds.ed25519, demoReleaseKeyIds['ecdsa-p256'], ...demoRebuilders.map((rebuilder) => rebuilderKeyId(rebuilder.id))]

const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json'

/** DSSE's pre-authentication encoding of a payload. */
function pae(payload: Uint8Array): Uint8Array {
  const head = utf8(`DSSEv1 ${utf8(IN_TOTO_PAYLOAD_TYPE).length} ${IN_TOTO_PAYLOAD_TYPE} ${payload.length} `)
  const out = new Uint8Array(head.length + payload.length)
  out.set(head)
  out.set(payload, head.length)
  return out
}

export type Signing = { algorithm: 'ed25519' | 'ecdsa-p256'; label: string; keyid: string; broken?: boolean }

const expandedKeys = new Map<string, ReturnType<typeof ed25519.utils.getExtendedPublicKey>>()

/**
 * Ed25519 signing (RFC 8032, 5.1.6) with each key expanded once: noble's `sign` expands the secret key on every
 * call, which doubles the cost of the thousands of signatures the demo needs. Same bytes as `ed25519.sign`.
 */
function ed25519Sign(message: Uint8Array, label: string): Uint8Array {
  let key = expandedKeys.get(label)
  if (key === undefined) {
    key = ed25519.utils.getExtendedPublicKey(keySeed(label))
    expandedKeys.set(label, key)
  }
  const { Fn, BASE } = ed25519.Point
  const r = Fn.create(bytesToNumberLE(sha512(concatBytes(key.prefix, message))))
  const R = BASE.multiply(r).toBytes()
  const k = Fn.create(bytesToNumberLE(sha512(concatBytes(R, key.pointBytes, message))))
  return concatBytes(R, Fn.toBytes(Fn.create(r + k * key.scalar)))
}

/** A DSSE envelope's bytes as the seed sends them: one NDJSON line, `JSON.stringify` of the envelope. */
export function envelopeBytes(statement: unknown, signing: Signing): Uint8Array {
  const payload = utf8(JSON.stringify(statement))
  const message = pae(payload)
  const signature =
    signing.algorithm === 'ed25519'
      ? ed25519Sign(message, signing.label)
      : // node:crypto's sign('sha256', …) writes DER; RFC 6979 here, a random nonce there.
        p256.sign(message, keySeed(signing.label), { format: 'der' })
  // As the seed tampers with a copy: one bit of the signature flipped.
  if (signing.broken) signature[signature.length - 5] = (signature[signature.length - 5] ?? 0) ^ 0x01
  return utf8(JSON.stringify({ payloadType: IN_TOTO_PAYLOAD_TYPE, payload: base64(payload), signatures: [{ keyid: signing.keyid, sig: base64(signature) }] }))
}

export type DemoDocument = {
  /** SHA-256 of the document's bytes: the id the server gives it. */
  id: string
  /** The document's size in bytes. */
  size: number
  /** Whether `id` is the server's: false for ECDSA signatures, whose bytes differ on every signing. */
  deterministic: boolean
}

function document(bytes: Uint8Array, deterministic: boolean): DemoDocument {
  return { id: sha256Hex(bytes), size: bytes.length, deterministic }
}

/** How the seed signs a build: by its project's release key, or the rogue key, or with the signature altered. */
function buildSigning(build: DemoBuild): Signing {
  if (build.signing === 'unknown-key') return { algorithm: 'ed25519', label: ROGUE_KEY_LABEL, keyid: DEMO_ROGUE_KEY_ID }
  const keyid = demoReleaseKeyIds[build.keyAlgorithm]
  return { algorithm: build.keyAlgorithm, label: keyid, keyid, broken: build.signing === 'broken-signature' }
}

/** The provenance document the seed ingests for a demo build. */
export function demoBuildDocument(build: DemoBuild): DemoDocument {
  const signing = buildSigning(build)
  return document(envelopeBytes(demoStatement(build), signing), signing.algorithm === 'ed25519')
}

/**
 * The SBOM attestation the seed ingests for a demo build (demo/sboms.ts), signed by the project's release key as
 * server/demo/seed.ts signs it; null when the build wrote no SBOM.
 */
export function demoSbomDocument(build: DemoBuild): DemoDocument | null {
  const statement = demoSbomStatement(build)
  if (statement === null) return null
  const keyid = demoReleaseKeyIds[build.keyAlgorithm]
  return document(envelopeBytes(statement, { algorithm: build.keyAlgorithm, label: keyid, keyid }), build.keyAlgorithm === 'ed25519')
}

type ReportNode = { source1: string; source2: string; unified_diff: null; comments?: string[]; details: ReportNode[] }

/** The `diffoscope --json` report a summary was made from, nested as server/demo/rebuilds.ts nests it. */
function diffoscopeReport(summary: DiffoscopeSummary): Record<string, unknown> {
  const root: ReportNode = { source1: summary.source1, source2: summary.source2, unified_diff: null, details: [] }
  const open: ReportNode[] = []
  for (const difference of summary.differences) {
    const node: ReportNode = {
      source1: difference.source1,
      source2: difference.source2,
      unified_diff: null,
      ...(difference.comments.length > 0 ? { comments: difference.comments } : {}),
      details: [],
    }
    const parent = difference.depth === 0 ? root : (open[difference.depth - 1] ?? root)
    parent.details.push(node)
    open[difference.depth] = node
    open.length = difference.depth + 1
  }
  return { 'diffoscope-json-version': 1, ...root }
}

const iso = (ms: number) => new Date(ms).toISOString()

/** The rebuild attestation's Statement (docs/rebuild-predicate.md), key for key as the seed writes it. */
function rebuildStatement(rebuild: DemoRebuild): Record<string, unknown> {
  const artifact = { name: rebuild.artifact.name, digest: { sha256: rebuild.artifact.sha256 } }
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [artifact],
    predicateType: REBUILD_PREDICATE_TYPE,
    predicate: {
      rebuilder: { id: rebuild.rebuilderId },
      artifact,
      rebuiltDigest: { sha256: rebuild.rebuiltSha256 },
      startedOn: iso(rebuild.startedAt),
      finishedOn: iso(rebuild.finishedAt),
      ...(rebuild.diffoscope === null ? {} : { diffoscope: diffoscopeReport(rebuild.diffoscope) }),
    },
  }
}

/** The rebuild attestation the seed ingests for a demo rebuild, and the id the server gives its one verdict. */
export function demoRebuildDocument(rebuild: DemoRebuild): DemoDocument & { rebuildId: string } {
  const keyid = rebuilderKeyId(rebuild.rebuilderId)
  const doc = document(envelopeBytes(rebuildStatement(rebuild), { algorithm: 'ed25519', label: keyid, keyid }), true)
  // The server's id of the verdict at position 0 of its document (server/documents/facts-store.ts).
  return { ...doc, rebuildId: sha256Hex(`${doc.id}:0`) }
}
