import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signEnvelope } from '../demo/seed'
import { prepareDocument } from '../ingest/ingest'
import { loadPublicKey } from '../ingest/keys'
import { newKey, slsaV1Statement } from '../testing/documents'
import { cyclonedx16, diffoscopeReport, linkSigned, REBUILD_TYPE, rebuildPredicate, SHA_A, SHA_B, spdx3, statement } from '../testing/format-documents'
import { SignatureQuery } from '../../src/contract/signatures'
import { engineStores } from '../store/testing/engines'
import type { Store } from '../store/types'
import type { IngestItem } from './records'

const ed = newKey('facts-ed25519', 'ed25519')
const T0 = Date.UTC(2026, 10, 1)
const prepare = (value: unknown, now = T0): IngestItem => prepareDocument(Buffer.from(JSON.stringify(value)), { keys: [loadPublicKey(ed.id, ed.publicKeyPem)], now: () => now }).item

const { fresh: freshStore } = engineStores('provenance-facts')

describe.each(['sqlite', 'postgres'] as const)('format facts on %s', (kind) => {
  let store: Store
  beforeAll(async () => {
    store = await freshStore(kind)
  }, 60_000)
  afterAll(async () => store?.close())

  it('stores rebuild verdicts and lists them by artifact digest and by project, newest first, page by page', async () => {
    // The build that produced the artifact, so its verdicts file under the build's project.
    const build = prepare(signEnvelope(slsaV1Statement({ subjectName: 'app.tar.gz', sha256: SHA_A }), ed))
    const rebuilt = (n: number, digest: string, extra: Record<string, unknown> = {}) =>
      prepare(statement(REBUILD_TYPE, rebuildPredicate({ rebuilder: { id: `https://rebuilder-${n}.example` }, rebuiltDigest: { sha256: digest }, finishedOn: new Date(T0 + n * 60_000).toISOString(), ...extra })))
    const items = [build, rebuilt(1, SHA_A), rebuilt(2, SHA_B, { diffoscope: diffoscopeReport() }), rebuilt(3, SHA_A), prepare(diffoscopeReport())]
    const outcomes = await store.documents.ingest(items)
    expect(outcomes.every((outcome) => outcome.created)).toBe(true)

    const all = await store.rebuilds.list({ artifactDigest: `sha256:${SHA_A}`, limit: 10 })
    expect(all.items.map((rebuild) => [rebuild.rebuilderId, rebuild.verdict])).toEqual([
      ['https://rebuilder-3.example', 'match'],
      ['https://rebuilder-2.example', 'mismatch'],
      ['https://rebuilder-1.example', 'match'],
    ])
    expect(all.items[0]).toMatchObject({ project: 'example/app', status: 'unsigned', source: 'rebuild-statement', artifact: { name: 'app.tar.gz', digest: { sha256: SHA_A } } })
    expect(all.items[1]?.diffoscope?.differences.map((difference) => difference.source1)).toEqual(['app.tar', 'app/build-info.txt', 'file list'])
    expect(all.nextCursor).toBeNull()

    const first = await store.rebuilds.list({ project: 'example/app', limit: 2 })
    expect(first.items).toHaveLength(2)
    expect(first.nextCursor).not.toBeNull()
    const second = await store.rebuilds.list({ project: 'example/app', limit: 2, cursor: first.nextCursor ?? undefined })
    expect(second.items.map((rebuild) => rebuild.rebuilderId)).toEqual(['https://rebuilder-1.example'])
    expect(second.nextCursor).toBeNull()

    // A bare diffoscope report has no digest: it files under its artifact's name.
    expect((await store.rebuilds.list({ project: 'app.tar.gz', limit: 10 })).items).toEqual([
      expect.objectContaining({ source: 'diffoscope', verdict: 'mismatch', rebuilderId: null, artifact: { name: 'app.tar.gz', digest: {} } }),
    ])
    expect((await store.rebuilds.list({ artifactDigest: SHA_A, limit: 10 })).items).toHaveLength(3)
    expect((await store.rebuilds.list({ artifactDigest: `sha512:${SHA_A}`, limit: 10 })).items).toEqual([])
  })

  it('stores a rebuild link once, however often it is sent', async () => {
    const link = prepare(signEnvelope(linkSigned({ name: 'rebuild tool_1.0_amd64.deb', products: { 'tool_1.0_amd64.deb': { sha256: 'c'.repeat(64) } } }), ed))
    await store.documents.ingest([link, link])
    await store.documents.ingest([link])
    const page = await store.rebuilds.list({ artifactDigest: 'c'.repeat(64), limit: 10 })
    expect(page.items).toEqual([expect.objectContaining({ rebuilderId: ed.id, verdict: 'match', status: 'verified', source: 'in-toto-link', project: 'tool_1.0_amd64.deb', time: new Date(T0).toISOString() })])
  })

  it('finds the latest SBOM of an artifact by its component digest or its attestation subject', async () => {
    const older = prepare(cyclonedx16(), T0)
    const newer = prepare(signEnvelope(statement('https://cyclonedx.org/bom/v1.6', cyclonedx16({ serialNumber: 'urn:uuid:newer' }), [{ name: 'app.tar.gz', digest: { sha256: SHA_B } }]), ed), T0 + 1000)
    await store.documents.ingest([older, newer])
    expect(await store.artifacts.sbomFor(`sha256:${SHA_A}`)).toMatchObject({ serial: 'urn:uuid:newer', format: 'dsse', status: 'verified', componentCount: 3 })
    const byComponentOnly = await store.artifacts.sbomFor(SHA_B)
    expect(byComponentOnly).toMatchObject({ serial: 'urn:uuid:newer', statementSubjects: [{ name: 'app.tar.gz', digest: { sha256: SHA_B } }] })
    expect(byComponentOnly?.formulation).toEqual(cyclonedx16().formulation)
    expect(await store.artifacts.sbomFor('sha256:' + 'f'.repeat(64))).toBeNull()
  })

  /** A build that wrote `tool.tar.gz` and the SBOM file whose bytes are `bom`'s, as its provenance lists them. */
  function writtenBy(bom: Record<string, unknown>, repo: string, artifact: string) {
    const built = slsaV1Statement({ repo })
    built.subject = [
      { name: 'tool.tar.gz', digest: { sha256: artifact } },
      { name: 'tool-sbom.cdx.json', digest: { sha256: createHash('sha256').update(JSON.stringify(bom)).digest('hex') } },
    ]
    return { build: prepare(signEnvelope(built, ed)) }
  }

  // cyclonedx-npm's way: the package described by name and purl, with no hash of the archive made from it.
  const packageBom = (name: string) => cyclonedx16({ serialNumber: `urn:uuid:${name}`, metadata: { timestamp: '2026-11-01T10:04:00Z', component: { type: 'application', name: 'tool', purl: `pkg:npm/tool@${name}` } } })

  it.each(['sbom first', 'build first'])('links a bare SBOM to the artifact the build that wrote it lists beside it (%s)', async (order) => {
    const bom = packageBom(order.replace(' ', '-'))
    const artifact = (order === 'sbom first' ? 'd' : 'e').repeat(64)
    const { build } = writtenBy(bom, `https://github.com/example/${order.replace(' ', '-')}`, artifact)
    const sbom = prepare(bom)
    expect(sbom.document.id).toBe(createHash('sha256').update(JSON.stringify(bom)).digest('hex'))
    for (const item of order === 'sbom first' ? [sbom, build] : [build, sbom]) await store.documents.ingest([item])

    const found = await store.artifacts.get(`sha256:${artifact}`)
    if (found.kind !== 'found') throw new Error('the artifact is stored')
    expect(found.artifact.sbom).toMatchObject({ documentId: sbom.document.id, viaBuild: build.document.id, subject: { name: 'tool', digest: {} }, createdAt: '2026-11-01T10:04:00.000Z' })
    expect(found.artifact.attestations.map((attestation) => attestation.documentId)).toEqual([build.document.id, sbom.document.id])
    // The SBOM file itself is an artifact of the build, but the SBOM does not describe itself.
    expect(await store.artifacts.sbomFor(build.build?.subjects[1]?.digest.sha256 ?? '')).toBeNull()

    // Filed under the build's project, its count moved with it, and timed when it was made.
    const project = build.build?.project ?? ''
    const signatures = await store.signatures.list(SignatureQuery.parse({ project, limit: 10 }))
    expect(signatures.items.find((row) => row.documentId === sbom.document.id)).toMatchObject({ project, signedAt: '2026-11-01T10:04:00.000Z' })
    expect(signatures.counts.unsigned).toBe(1)
  })

  it('does not link a bare SBOM through a build when what it describes is ambiguous', async () => {
    const bom = packageBom('ambiguous')
    const built = slsaV1Statement({ repo: 'https://github.com/example/ambiguous' })
    built.subject = [
      { name: 'server-linux-amd64', digest: { sha256: '1'.repeat(64) } },
      { name: 'server-linux-arm64', digest: { sha256: '2'.repeat(64) } },
      { name: 'bom.json', digest: { sha256: createHash('sha256').update(JSON.stringify(bom)).digest('hex') } },
    ]
    await store.documents.ingest([prepare(bom), prepare(signEnvelope(built, ed))])
    expect(await store.artifacts.sbomFor('1'.repeat(64))).toBeNull()
    expect(await store.artifacts.sbomFor('2'.repeat(64))).toBeNull()
  })

  it('stores SPDX 3 SBOMs, VSAs and plain links beside their documents', async () => {
    const sbom = prepare(spdx3({ '@graph': [...(spdx3()['@graph'] as unknown[]), { type: 'Tool', name: 'other' }] }), T0 + 5000)
    const vsa = prepare(signEnvelope(statement('https://slsa.dev/verification_summary/v1', { verifier: { id: 'v' }, verificationResult: 'PASSED', verifiedLevels: [] }), ed))
    const link = prepare(signEnvelope(linkSigned(), ed))
    const outcomes = await store.documents.ingest([sbom, vsa, link])
    expect(outcomes.map((outcome) => outcome.created)).toEqual([true, true, true])
    expect(await store.artifacts.sbomFor(SHA_A)).toMatchObject({ standard: 'spdx', specVersion: '3.0.1', tools: [{ name: 'syft', version: '1.18.0' }, { name: 'other', version: null }] })
    expect((await store.documents.get(vsa.document.id))?.format).toBe('dsse')
  })
})
