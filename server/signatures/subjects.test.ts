import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SignatureQuery } from '../../src/contract/signatures'
import { buildConfig, ingestContext } from '../config'
import { signEnvelope } from '../demo/seed'
import { ingestBody } from '../ingest/ingest'
import { engineStores } from '../store/testing/engines'
import { newKey } from '../testing/documents'
import type { Store } from '../store/types'

/*
 * The signatures list says what each document is about. A document that describes no build, SBOM, VSA, link,
 * rebuild or deployment (here a Statement of a predicate this server does not read, with two subjects, one with
 * two digests) lists the digests its artifact pages find it by, on both engines.
 */

const { fresh } = engineStores('signature-subjects')
const key = newKey('subjects-key', 'ed25519')
const config = buildConfig({ trust: { keys: [{ id: key.id, publicKeyPem: key.publicKeyPem }] } }, 'signature subjects test')
const statement = {
  _type: 'https://in-toto.io/Statement/v1',
  subject: [
    { name: 'app.tgz', digest: { sha256: 'a'.repeat(64), sha512: 'b'.repeat(128) } },
    { name: 'app.sig', digest: { sha256: 'c'.repeat(64) } },
  ],
  predicateType: 'https://example.com/code-review/v1',
  predicate: { reviewers: 2 },
}

describe.each(['sqlite', 'postgres'] as const)('signatures list subjects on %s', (kind) => {
  let store: Store
  let id: string
  beforeAll(async () => {
    store = await fresh(kind)
    const result = await ingestBody(store, Buffer.from(JSON.stringify(signEnvelope(statement, key))), 'application/json', ingestContext(config))
    if (!result.ok) throw new Error(result.error.message)
    const [document] = result.body.documents
    if (!document) throw new Error('nothing stored')
    expect(document).toMatchObject({ buildId: null, verification: { status: 'verified' } })
    id = document.id
  }, 60_000)
  afterAll(async () => store?.close())

  it('lists the digests of a document that describes no build, and says it is none of the kinds it reads', async () => {
    const page = await store.signatures.list(SignatureQuery.parse({}))
    expect(page.items.find((item) => item.documentId === id)?.kind).toBeNull()
    expect(page.items.find((item) => item.documentId === id)?.subjects).toEqual([
      { name: '', digest: { sha256: 'a'.repeat(64) } },
      { name: '', digest: { sha256: 'c'.repeat(64) } },
      { name: '', digest: { sha512: 'b'.repeat(128) } },
    ])
  })
})
