import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { IngestResponse } from '../../src/contract/attestations'
import { DocumentVerification } from '../../src/contract/documents'
import { createApp } from '../app'
import { buildConfig, ingestContext } from '../config'
import { prepareDocument } from '../ingest/ingest'
import { readEnvelope } from '../ingest/dsse'
import type { Store } from '../store/types'
import { tempStore } from '../testing/documents'
import { digests, FIXTURE_INGESTED_AT, keys, seedResources } from '../testing/resource-fixture'
import { documentFile } from './archive'
import { produceReport } from './produce'
import { readTar, writeTar } from './tar'
import { verifyArchive } from './verify'
import { POLICY_FILE, REPORT_POLICY_URI, vsaFile } from './vsa'

/* The VSAs of a report: their fields against the SLSA VSA v1 spec, their check in verify-report, and ingest. */

let store: Store
let dispose: () => Promise<void>
const AS_OF = FIXTURE_INGESTED_AT + 1000
const sha = (hex: string) => `sha256:${hex}`
const scope = { kind: 'release' as const, digests: [sha(digests.d1), sha(digests.d3), sha(digests.sbomOnly)] }
const policy = { trustedKeys: [{ id: 'ci-key', fingerprint: 'a'.repeat(64) }], trustFiles: [], policies: [] }

beforeAll(async () => {
  ;({ store, dispose } = await tempStore())
  await seedResources(store)
})
afterAll(async () => dispose())

const statementOf = (bytes: Uint8Array) => {
  const { envelope } = readEnvelope(JSON.parse(Buffer.from(bytes).toString('utf8')))
  return { envelope, statement: JSON.parse(envelope.payload.toString('utf8')) as Record<string, unknown> }
}

describe('VSAs in a report', () => {
  it('holds one VSA v1 per artifact with every required field of the spec, naming the policy by digest', async () => {
    const { archive, report } = await produceReport(store, scope, AS_OF, undefined, policy)
    const files = new Map(readTar(archive).map((file) => [file.name, file.bytes]))
    const policyBytes = files.get(POLICY_FILE)!
    expect(JSON.parse(Buffer.from(policyBytes).toString('utf8'))).toMatchObject({ uri: REPORT_POLICY_URI, trustedKeys: [{ id: 'ci-key', sha256: 'a'.repeat(64) }] })
    expect(report.artifacts).toHaveLength(3)
    for (const artifact of report.artifacts) {
      const { envelope, statement } = statementOf(files.get(vsaFile(artifact.digest))!)
      expect(envelope.payloadType).toBe('application/vnd.in-toto+json')
      const passed = artifact.provenance === 'verified'
      expect(statement).toEqual({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: artifact.names[0], digest: { sha256: artifact.digest.slice(7) } }],
        predicateType: 'https://slsa.dev/verification_summary/v1',
        predicate: {
          verifier: { id: `https://provenance-dashboard.dev/verifier/${store.reports.signingKey.name}` },
          timeVerified: new Date(AS_OF).toISOString(),
          resourceUri: expect.stringMatching(/^pkg:generic\/.+\?checksum=sha256:[0-9a-f]{64}$/),
          policy: { uri: REPORT_POLICY_URI, digest: { sha256: createHash('sha256').update(policyBytes).digest('hex') } },
          inputAttestations: artifact.attestations.map((attestation) => ({ uri: documentFile(attestation.documentId), digest: { sha256: attestation.documentId } })),
          verificationResult: passed ? 'PASSED' : 'FAILED',
          verifiedLevels: passed ? ['SLSA_BUILD_LEVEL_2'] : ['FAILED'],
          slsaVersion: '1.0',
        },
      })
      // Every document a VSA relies on is in the archive.
      for (const input of artifact.attestations) expect(files.has(documentFile(input.documentId))).toBe(true)
    }
    expect(report.artifacts.map((artifact) => artifact.provenance).sort()).toEqual(['none', 'unverified', 'verified'])
  })

  it('fails verify-report naming the VSA whose verdict was changed, or whose policy was', async () => {
    const { archive } = await produceReport(store, scope, AS_OF, undefined, policy)
    expect(verifyArchive(archive).problems).toEqual([])
    const target = vsaFile(sha(digests.d3))
    const changed = readTar(archive).map((file) => {
      if (file.name !== target) return file
      const { envelope } = statementOf(file.bytes)
      const payload = envelope.payload.toString('utf8').replace('"FAILED"', '"PASSED"')
      return { name: file.name, bytes: Buffer.from(JSON.stringify({ payloadType: envelope.payloadType, payload: Buffer.from(payload).toString('base64'), signatures: envelope.signatures.map((s) => ({ keyid: s.keyid, sig: s.sig.toString('base64') })) })) }
    })
    const verdict = verifyArchive(writeTar(changed, 0))
    expect(verdict.ok).toBe(false)
    expect(verdict.problems.map((problem) => problem.file)).toEqual([target, target])
    expect(verdict.problems.map((problem) => problem.message).join('\n')).toContain('no signature verifies')

    const otherPolicy = readTar(archive).map((file) => (file.name === POLICY_FILE ? { name: file.name, bytes: Buffer.from(Buffer.from(file.bytes).toString('utf8').replace('ci-key', 'cj-key')) } : file))
    const policyVerdict = verifyArchive(writeTar(otherPolicy, 0))
    expect(policyVerdict.ok).toBe(false)
    expect(policyVerdict.problems).toHaveLength(3)
    expect(policyVerdict.problems.every((problem) => problem.message.includes('says something other than report.json and policy.json do'))).toBe(true)
  })

  it("round trip: a report's VSA posted to this server's ingest verifies with the server's key in trust", async () => {
    const { archive } = await produceReport(store, scope, AS_OF, undefined, policy)
    const vsa = readTar(archive).find((file) => file.name === vsaFile(sha(digests.d1)))!.bytes
    const key = store.reports.signingKey
    const config = buildConfig(
      {
        trust: { keys: [{ id: keys.ci.id, publicKeyPem: keys.ci.publicKeyPem }, { id: 'dashboard-reports', publicKeyPem: key.publicKeyPem }] },
        tokens: [{ name: 'ci', sha256: createHash('sha256').update('ingest-secret').digest('hex'), scopes: ['ingest'] }],
      },
      'vsa round trip config',
    )
    const app = createApp({ store, config, version: 't', demo: false, now: () => AS_OF + 5000 })
    const response = await app.request('/api/v1/attestations', { method: 'POST', body: Buffer.from(vsa), headers: { authorization: 'Bearer ingest-secret', 'content-type': 'application/json' } })
    expect(response.status).toBe(201)
    const [stored] = IngestResponse.parse(await response.json()).documents
    expect(stored?.verification.status).toBe('verified')
    expect(stored?.verification.signers).toEqual([expect.objectContaining({ trustedKeyId: 'dashboard-reports' })])
    expect(stored?.subjects).toEqual([expect.objectContaining({ digest: { sha256: digests.d1 } })])

    // Stored with its verdict, and read by ingest's own VSA reader into the fields the spec names.
    const verdict = await app.request(`/api/v1/documents/${stored?.id}/verification`)
    expect(DocumentVerification.parse(await verdict.json()).verification.status).toBe('verified')
    const { item } = prepareDocument(Buffer.from(vsa), ingestContext(config, () => AS_OF))
    const d1 = (await produceReport(store, { kind: 'artifact', digest: sha(digests.d1) }, AS_OF, undefined, policy)).report.artifacts[0]!
    expect(item.extras?.vsa).toEqual({
      vsaVersion: 'v1',
      verifierId: `https://provenance-dashboard.dev/verifier/${key.name}`,
      timeVerified: AS_OF,
      resourceUri: expect.stringContaining(digests.d1),
      policy: { uri: REPORT_POLICY_URI, digest: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } },
      verificationResult: 'PASSED',
      verifiedLevels: ['SLSA_BUILD_LEVEL_2'],
      inputAttestations: d1.attestations.map((attestation) => ({ uri: documentFile(attestation.documentId), digest: { sha256: attestation.documentId } })),
      subjects: [expect.objectContaining({ digest: { sha256: digests.d1 } })],
    })

    // Without the server's key in trust, another of its VSAs is stored but does not verify.
    const other = readTar(archive).find((file) => file.name === vsaFile(sha(digests.d3)))!.bytes
    const untrusting = createApp({ store, config: buildConfig({ tokens: [{ name: 'ci', sha256: createHash('sha256').update('ingest-secret').digest('hex'), scopes: ['ingest'] }] }, 'no trust'), version: 't', demo: false })
    const again = await untrusting.request('/api/v1/attestations', { method: 'POST', body: Buffer.from(other), headers: { authorization: 'Bearer ingest-secret', 'content-type': 'application/json' } })
    expect(IngestResponse.parse(await again.json()).documents[0]?.verification.status).not.toBe('verified')
  })
})
