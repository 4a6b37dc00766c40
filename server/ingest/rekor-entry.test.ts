import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { verdictSummary } from '../../src/lib/verdict'
import { corpusDir, describeWithCorpus } from '../testing/corpus'
import { prepareDocument } from './ingest'
import { loadSigstoreTrust } from './sigstore/trust-material'

const read = (path: string) => readFileSync(join(corpusDir, path))
const STAGING = '2-dsse-sigstore-bundles/sigstore-conformance/rekor2-happy-path/trusted_root.json'
const PUBLIC_GOOD = '2-dsse-sigstore-bundles/sigstore-go/trusted-root-public-good.json'
const ENTRY = '4-rekor/sigstore-java/rekor-response/valid/entry.json'
const CHECKPOINT = '4-rekor/sigstore-java/checkpoints/valid.txt'

const verify = (raw: Buffer, root: string) => {
  const prepared = prepareDocument(raw, { keys: [], now: () => 0, sigstore: loadSigstoreTrust([JSON.parse(read(root).toString('utf8'))], []) })
  return { ...prepared.item.document, subjects: prepared.subjects }
}
type EntryJson = Record<string, { body: string; verification: { signedEntryTimestamp: string; inclusionProof: { checkpoint: string } } }>
const entryJson = (): EntryJson => JSON.parse(read(ENTRY).toString('utf8')) as EntryJson
const only = (entries: EntryJson) => {
  const [[uuid, entry] = []] = Object.entries(entries)
  if (!uuid || !entry) throw new Error('no entry')
  return { uuid, entry }
}
const check = (document: ReturnType<typeof verify>, name: string) => document.verification.checks.find((item) => item.name === name)

describeWithCorpus('Rekor entry responses and signed checkpoints as log evidence', () => {
  it("verifies sigstore-java's staging entry: uuid, signed entry timestamp and inclusion proof; the logged digest is its subject", () => {
    const document = verify(read(ENTRY), STAGING)
    expect(document.format).toBe('rekor-entry')
    expect(document.verification).toMatchObject({ status: 'verified', failedCheck: null })
    expect(check(document, 'transparency-log')?.actual).toBe('entry 1688 in https://rekor.sigstage.dev: inclusion proof verified against the signed checkpoint, signed entry timestamp verified')
    expect(check(document, 'log-evidence')?.actual).toMatch(/^hashedrekord\/0\.0\.1: signature [0-9a-f]{16}… \(sha256\) over sha256:47c1db9fb5fe7ff6…$/)
    expect(document.subjects).toEqual([{ name: '', digest: { sha256: '47c1db9fb5fe7ff66e3d7c15b2ca5d3a046ee8f4aa043dedd317e46b321c4390' } }])
  })

  it('fails log-entry-id when the entry is filed under another uuid', () => {
    const { uuid, entry } = only(entryJson())
    const moved = { [`${uuid.slice(0, -1)}${uuid.endsWith('0') ? '1' : '0'}`]: entry }
    expect(verify(Buffer.from(JSON.stringify(moved)), STAGING).verification).toMatchObject({ status: 'failed', failedCheck: 'log-entry-id' })
  })

  it('fails transparency-log when the signed entry timestamp was altered', () => {
    const entries = entryJson()
    const { entry } = only(entries)
    const set = Buffer.from(entry.verification.signedEntryTimestamp, 'base64')
    set[set.length - 2] = (set[set.length - 2] ?? 0) ^ 1
    entry.verification.signedEntryTimestamp = set.toString('base64')
    const document = verify(Buffer.from(JSON.stringify(entries)), STAGING)
    expect(document.verification).toMatchObject({ status: 'failed', failedCheck: 'transparency-log' })
  })

  it('is unverifiable against a trusted root without its log', () => {
    const document = verify(read(ENTRY), PUBLIC_GOOD)
    expect(document.verification.status).toBe('unverifiable')
    expect(check(document, 'transparency-log')?.actual).toMatch(/^no trusted root contains a Rekor log with id d32f30a3/)
  })

  it("verifies the public-good checkpoint with the log's key, and fails it once altered", () => {
    const document = verify(read(CHECKPOINT), PUBLIC_GOOD)
    expect(document).toMatchObject({ format: 'signed-checkpoint', verification: { status: 'verified' } })
    expect(check(document, 'checkpoint-signature')?.actual).toBe('signed by https://rekor.sigstore.dev: tree size 37795272, root eb4965ee27562358…')
    const altered = verify(Buffer.from(read(CHECKPOINT).toString('utf8').replace('37795272', '37795273')), PUBLIC_GOOD)
    expect(altered.verification).toMatchObject({ status: 'failed', failedCheck: 'checkpoint-signature' })
    expect(verify(read(CHECKPOINT), STAGING).verification.status).toBe('unverifiable')
  })

  it("is summed up as the log's record on the dashboard: the log signed it, no person or build", () => {
    const summary = (raw: Buffer, root: string) => verdictSummary(verify(raw, root).verification)
    expect(summary(read(ENTRY), STAGING)).toBe(
      'Signed by a transparency log this server trusts, not by a person or a build; the log’s signature verifies, and all 3 checks passed.',
    )
    expect(summary(read(CHECKPOINT), PUBLIC_GOOD)).toBe(
      'Signed by a transparency log this server trusts, not by a person or a build; the log’s signature verifies, and all 2 checks passed.',
    )
    expect(summary(read(ENTRY), PUBLIC_GOOD)).toMatch(
      /^Signed by a transparency log, but what is needed to check it is missing \(transparency-log: no trusted root contains a Rekor log with id d32f30a3.*\); the log’s signature could not be checked\.$/,
    )
    expect(summary(Buffer.from(read(CHECKPOINT).toString('utf8').replace('37795272', '37795273')), PUBLIC_GOOD)).toBe(
      'The checkpoint-signature check failed: the log’s signature does not verify over the checkpoint, so the checkpoint was altered after signing. Do not rely on this document until the cause is understood.',
    )
  })
})
