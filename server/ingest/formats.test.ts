import { describe, expect, it } from 'vitest'
import { signEnvelope } from '../demo/seed'
import { newKey, slsaV1Statement } from '../testing/documents'
import {
  cyclonedx16,
  diffoscopeReport,
  linkSigned,
  newLinkKey,
  REBUILD_TYPE,
  rebuildPredicate,
  SHA_A,
  SHA_B,
  signLink,
  spdx23,
  spdx3,
  statement,
  vsaV02Predicate,
} from '../testing/format-documents'
import { IngestError, isRecord } from './errors'
import { prepareDocument } from './ingest'
import { loadPublicKey } from './keys'
import { inTotoKeyIds } from './link'
import { MAX_DIFFERENCES } from './rebuild'

const ed = newKey('release-ed25519', 'ed25519')
const context = { keys: [loadPublicKey(ed.id, ed.publicKeyPem)], now: () => Date.UTC(2026, 10, 1) }
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value))
const prepare = (value: unknown, ctx = context) => prepareDocument(bytes(value), ctx)

function thrown(run: () => unknown): IngestError {
  try {
    run()
  } catch (error) {
    if (error instanceof IngestError) return error
    throw error
  }
  throw new Error('expected an IngestError')
}

describe('bare in-toto Statements', () => {
  it('still make a build from SLSA provenance, marked unsigned with one check saying so', () => {
    const { item, subjects } = prepare(slsaV1Statement())
    expect(item.document).toMatchObject({ format: 'in-toto-statement', payloadType: null })
    expect(item.document.verification).toMatchObject({ status: 'unsigned', failedCheck: null, signers: [] })
    expect(item.document.verification.checks).toEqual([expect.objectContaining({ name: 'signature', ok: false, actual: 'none: a bare in-toto Statement carries no signature' })])
    expect(item.build).toMatchObject({ project: 'example/app', status: 'unsigned', slsaVersion: 'v1' })
    expect(subjects).toEqual([{ name: 'app-linux-amd64', digest: { sha256: SHA_A } }])
  })

  it('reads v0.1 Statements too', () => {
    expect(prepare({ ...slsaV1Statement(), _type: 'https://in-toto.io/Statement/v0.1' }).item.build?.statementType).toBe('https://in-toto.io/Statement/v0.1')
  })

  it('names the problem with a path into the bare document', () => {
    expect(thrown(() => prepare({ ...slsaV1Statement(), _type: 'https://in-toto.io/Statement/v9' }))).toMatchObject({ code: 'invalid-statement', path: '$._type' })
    expect(thrown(() => prepare({ ...slsaV1Statement(), subject: [{ name: 'x', digest: { sha256: 5 } }] }))).toMatchObject({ code: 'invalid-statement', path: '$.subject[0].digest.sha256' })
  })
})

describe('in-toto v0.9 links', () => {
  it.each(['rsa-pss', 'rsa-pkcs1', 'ecdsa', 'ed25519'] as const)('verifies a %s signature over canonical JSON with a trusted key', (scheme) => {
    const key = newLinkKey(`functionary-${scheme}`, scheme)
    const trusted = loadPublicKey(key.id, key.publicKeyPem)
    const { item } = prepare(signLink(linkSigned(), key, 'some-other-keyid'), { ...context, keys: [trusted] })
    expect(item.document.verification).toMatchObject({ status: 'verified', signers: [{ trustedKeyId: key.id }] })
    expect(item.document.verification.checks.map((check) => [check.name, check.ok])).toEqual([
      ['link-signature', true],
      ['signer-trusted', true],
    ])
  })

  it('recognises the securesystemslib keyid of a trusted key, so a bad signature by it fails', () => {
    const key = newLinkKey('carl', 'rsa-pss')
    const trusted = loadPublicKey(key.id, key.publicKeyPem)
    const keyid = inTotoKeyIds(trusted)[0]!
    const link = signLink(linkSigned(), key, keyid) as { signed: Record<string, unknown> }
    link.signed.name = 'tampered'
    expect(prepare(link, { ...context, keys: [trusted] }).item.document.verification).toMatchObject({ status: 'failed', failedCheck: 'link-signature' })
  })

  it('calls a link with no signatures unsigned', () => {
    expect(prepare({ signed: linkSigned(), signatures: [] }).item.document.verification).toMatchObject({ status: 'unsigned', checks: [{ name: 'link-signature', ok: false }] })
  })

  it('reads a link carried as a DSSE payload, verified by the envelope', () => {
    const { item } = prepare(signEnvelope(linkSigned({ name: 'rebuild app_1.0_amd64.deb', products: { 'app_1.0_amd64.deb': { sha256: SHA_B } } }), ed))
    expect(item.document).toMatchObject({ format: 'dsse', verification: { status: 'verified' } })
    expect(item.extras?.link).toMatchObject({ name: 'rebuild app_1.0_amd64.deb', keyids: [ed.id] })
    expect(item.extras?.rebuilds).toEqual([expect.objectContaining({ rebuilderId: ed.id, artifact: { name: 'app_1.0_amd64.deb', digest: { sha256: SHA_B } }, verdict: 'match' })])
    expect(item.build).toBeNull()
  })

  it('names the problem and where for malformed links', () => {
    const key = newLinkKey('k', 'ed25519')
    const good = signLink(linkSigned(), key) as { signed: Record<string, unknown>; signatures: { keyid: string; sig: string }[] }
    expect(thrown(() => prepare({ ...good, signatures: [{ keyid: 'k', sig: 'not hex!' }] }))).toMatchObject({ code: 'invalid-link', path: '$.signatures[0].sig' })
    expect(thrown(() => prepare({ ...good, signed: { ...good.signed, products: { 'a.tgz': { sha256: 1 } } } }))).toMatchObject({ code: 'invalid-link', path: '$.signed.products["a.tgz"].sha256' })
    const float = thrown(() => prepare({ ...good, signed: { ...good.signed, byproducts: { 'return-value': 0.5 } } }))
    expect(float).toMatchObject({ code: 'invalid-link', path: '$.signed.byproducts["return-value"]' })
    expect(float.message).toMatch(/^read as an in-toto link: /)
    expect(thrown(() => prepare({ ...good, signed: { ...good.signed, name: 7 } }))).toMatchObject({ code: 'invalid-link', path: '$.signed.name' })
  })
})

describe('SBOMs', () => {
  it('reads a bare CycloneDX 1.6 BOM: tools.components, hashes, nested components and formulation', () => {
    const { item } = prepare(cyclonedx16())
    expect(item.document.format).toBe('cyclonedx-json')
    expect(item.extras?.sbom).toEqual({
      standard: 'cyclonedx',
      specVersion: '1.6',
      serial: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
      subject: { name: 'app', version: '1.4.2', purl: 'pkg:npm/app@1.4.2', digest: { sha256: SHA_A } },
      statementSubjects: [],
      componentCount: 3,
      tools: [{ name: '@cyclonedx/cdxgen', version: '11.0.0' }],
      formulation: cyclonedx16().formulation,
      createdAt: Date.parse('2026-11-01T10:05:00Z'),
    })
  })

  it.each(['https://cyclonedx.org/bom', 'https://cyclonedx.org/bom/v1.6'])('reads a CycloneDX predicate (%s) in a signed envelope, keeping the subjects', (predicateType) => {
    const { item } = prepare(signEnvelope(statement(predicateType, cyclonedx16()), ed))
    expect(item.document).toMatchObject({ format: 'dsse', verification: { status: 'verified' } })
    expect(item.extras?.sbom).toMatchObject({ specVersion: '1.6', statementSubjects: [{ name: 'app.tar.gz', digest: { sha256: SHA_A } }], createdAt: Date.parse('2026-11-01T10:05:00Z') })
    expect(item.build).toBeNull()
  })

  it('keeps no creation time from a CycloneDX timestamp that is not one, and still reads the SBOM', () => {
    const { item } = prepare(cyclonedx16({ metadata: { timestamp: 'yesterday' } }))
    expect(item.document.verification.status).toBe('unsigned')
    expect(item.extras?.sbom?.createdAt).toBeNull()
  })

  it('reads SPDX 2.3, bare and as a predicate (also through cosign\'s { Data } wrapping)', () => {
    const bare = prepare(spdx23()).item
    expect(bare.document.format).toBe('spdx-json')
    const expected = {
      standard: 'spdx',
      specVersion: '2.3',
      serial: 'https://example.com/spdx/app-1.4.2',
      subject: { name: 'app', version: '1.4.2', purl: 'pkg:npm/app@1.4.2', digest: { sha256: SHA_A } },
      componentCount: 2,
      tools: [{ name: 'syft', version: '1.5.0' }],
      createdAt: Date.parse('2026-11-01T10:05:00Z'),
    }
    expect(bare.extras?.sbom).toMatchObject(expected)
    expect(prepare(statement('https://spdx.dev/Document/v2.3', spdx23())).item.extras?.sbom).toMatchObject(expected)
    expect(prepare(statement('https://spdx.dev/Document', { Data: JSON.stringify(spdx23()) })).item.extras?.sbom).toMatchObject(expected)
  })

  it('reads SPDX 3.0 JSON-LD: SpdxDocument → software_Sbom → the package, its hash, purl and tools', () => {
    const { item } = prepare(spdx3())
    expect(item.document.format).toBe('spdx3-jsonld')
    expect(item.extras?.sbom).toEqual({
      standard: 'spdx',
      specVersion: '3.0.1',
      serial: 'urn:example:doc',
      subject: { name: 'app', version: '1.4.2', purl: 'pkg:npm/app@1.4.2', digest: { sha256: SHA_A } },
      statementSubjects: [],
      componentCount: 2,
      tools: [{ name: 'syft', version: '1.18.0' }],
      formulation: null,
      // The CreationInfo's `created`: the time the signatures list gives an SBOM.
      createdAt: Date.parse('2026-11-01T10:05:00Z'),
    })
    expect(prepare(statement('https://spdx.dev/Document/v3.0', spdx3())).item.extras?.sbom?.specVersion).toBe('3.0.1')
  })

  it('names the format and the first problem with a path', () => {
    const cdx = thrown(() => prepare(cyclonedx16({ components: { name: 'x' } })))
    expect(cdx).toMatchObject({ code: 'invalid-cyclonedx', path: '$.components' })
    expect(cdx.message).toBe('read as a CycloneDX SBOM: expected an array, found an object')
    expect(thrown(() => prepare(cyclonedx16({ specVersion: 1.6 })))).toMatchObject({ code: 'invalid-cyclonedx', path: '$.specVersion' })
    expect(thrown(() => prepare(spdx23({ spdxVersion: 'SPDX-9.0' })))).toMatchObject({ code: 'invalid-spdx', path: '$.spdxVersion' })
    expect(thrown(() => prepare(spdx3({ '@graph': {} })))).toMatchObject({ code: 'invalid-spdx', path: '$["@graph"]' })
    const wrapped = thrown(() => prepare(signEnvelope(statement('https://cyclonedx.org/bom', cyclonedx16({ metadata: { tools: 'syft' } })), ed)))
    expect(wrapped).toMatchObject({ code: 'invalid-cyclonedx', path: '$.payload.predicate.metadata.tools' })
  })
})

describe('verification summaries', () => {
  it('reads a v0.2 VSA: its single policyLevel becomes the verified levels', () => {
    const { item } = prepare(signEnvelope(statement('https://slsa.dev/verification_summary/v0.2', vsaV02Predicate()), ed))
    expect(item.extras?.vsa).toEqual({
      vsaVersion: 'v0.2',
      verifierId: 'https://github.com/slsa-framework/slsa-verifier',
      timeVerified: Date.parse('2026-11-01T11:00:00Z'),
      resourceUri: 'pkg:npm/app@1.4.2',
      policy: { uri: 'https://example.com/policy.json', digest: { sha256: SHA_B } },
      verificationResult: 'FAILED',
      verifiedLevels: ['SLSA_LEVEL_3'],
      inputAttestations: [{ uri: 'https://example.com/app.intoto.jsonl', digest: { sha256: SHA_B } }],
      subjects: [{ name: 'app.tar.gz', digest: { sha256: SHA_A } }],
    })
  })

  it('refuses a result that is neither PASSED nor FAILED', () => {
    expect(thrown(() => prepare(statement('https://slsa.dev/verification_summary/v1', { ...vsaV02Predicate({ verificationResult: 'OK' }), verifiedLevels: [] })))).toMatchObject({
      code: 'invalid-vsa',
      path: '$.predicate.verificationResult',
    })
  })
})

describe('rebuild attestations', () => {
  it('is a match when the rebuilt digest equals the artifact digest', () => {
    const { item } = prepare(signEnvelope(statement(REBUILD_TYPE, rebuildPredicate()), ed))
    expect(item.extras?.rebuilds).toEqual([
      {
        rebuilderId: 'https://rebuilder.example.com',
        artifact: { name: 'app.tar.gz', digest: { sha256: SHA_A } },
        rebuiltDigest: { sha256: SHA_A },
        verdict: 'match',
        source: 'rebuild-statement',
        startedAt: Date.parse('2026-11-02T09:00:00Z'),
        finishedAt: Date.parse('2026-11-02T09:30:00Z'),
        diffoscope: null,
      },
    ])
  })

  it('is a mismatch otherwise, with the embedded diffoscope summary, nested details included', () => {
    const { item } = prepare(statement(REBUILD_TYPE, rebuildPredicate({ rebuiltDigest: { sha256: SHA_B }, diffoscope: diffoscopeReport() })))
    const [rebuild] = item.extras?.rebuilds ?? []
    expect(rebuild?.verdict).toBe('mismatch')
    expect(rebuild?.diffoscope).toEqual({
      source1: 'app.tar.gz',
      source2: 'rebuilt/app.tar.gz',
      differences: [
        { source1: 'app.tar', source2: 'app.tar', depth: 0, comments: [] },
        { source1: 'app/build-info.txt', source2: 'app/build-info.txt', depth: 1, comments: ['timestamps differ'] },
        { source1: 'file list', source2: 'file list', depth: 0, comments: [] },
      ],
      total: 3,
      truncated: false,
    })
  })

  it('takes the artifact from the only subject when the predicate leaves it out', () => {
    const predicate = rebuildPredicate()
    delete predicate.artifact
    expect(prepare(statement(REBUILD_TYPE, predicate)).item.extras?.rebuilds?.[0]).toMatchObject({ artifact: { name: 'app.tar.gz', digest: { sha256: SHA_A } }, verdict: 'match' })
  })

  it('bounds the diffoscope summary', () => {
    const details = Array.from({ length: MAX_DIFFERENCES + 50 }, (_, index) => ({ source1: `f${index}`, source2: `f${index}` }))
    const { item } = prepare(diffoscopeReport({ details }))
    expect(item.extras?.rebuilds?.[0]?.diffoscope).toMatchObject({ total: MAX_DIFFERENCES + 50, truncated: true })
    expect(item.extras?.rebuilds?.[0]?.diffoscope?.differences).toHaveLength(MAX_DIFFERENCES)
  })

  it('names the problem and where', () => {
    expect(thrown(() => prepare(statement(REBUILD_TYPE, rebuildPredicate({ rebuiltDigest: { sha512: SHA_A } }))))).toMatchObject({ code: 'invalid-rebuild', path: '$.predicate.rebuiltDigest' })
    expect(thrown(() => prepare(statement(REBUILD_TYPE, rebuildPredicate({ rebuilder: {} }))))).toMatchObject({ code: 'invalid-rebuild', path: '$.predicate.rebuilder.id' })
    expect(thrown(() => prepare(statement(REBUILD_TYPE, rebuildPredicate({ finishedOn: 'yesterday' }))))).toMatchObject({ code: 'invalid-rebuild', path: '$.predicate.finishedOn' })
    expect(thrown(() => prepare(diffoscopeReport({ 'diffoscope-json-version': 2 })))).toMatchObject({ code: 'invalid-diffoscope', path: '$["diffoscope-json-version"]' })
    expect(thrown(() => prepare(diffoscopeReport({ details: [{ source1: 'a', source2: 'b', details: [{ source1: 'c' }] }] })))).toMatchObject({
      code: 'invalid-diffoscope',
      path: '$.details[0].details[0].source2',
    })
  })
})

describe('lenient readers list what they let pass, verdict unchanged', () => {
  it('a DSSE signature\'s certificate hint that is not a string', () => {
    const envelope = signEnvelope(slsaV1Statement(), ed)
    const signatures = Array.isArray(envelope.signatures) ? envelope.signatures.map((signature: unknown) => (isRecord(signature) ? { ...signature, cert: 12 } : signature)) : []
    const { verification } = prepare({ ...envelope, signatures }).item.document
    expect(verification.status).toBe('verified')
    expect(verification.checks.find((check) => check.name === 'fields-ignored')?.detail).toMatch(/^\$\.signatures\[0\]\.cert: expected a string, found a number/)
  })

  it('an SBOM purl reference whose locator is not a string, in an envelope', () => {
    const sbom = spdx23({ packages: [{ name: 'app', SPDXID: 'SPDXRef-Package-app', externalRefs: [{ referenceType: 'purl', referenceLocator: 5 }] }] })
    const { item } = prepare(signEnvelope(statement('https://spdx.dev/Document/v2.3', sbom), ed))
    expect(item.extras?.sbom?.subject).toMatchObject({ name: 'app', purl: null })
    expect(item.document.verification.status).toBe('verified')
    expect(item.document.verification.checks.find((check) => check.name === 'fields-ignored')?.detail).toMatch(
      /^\$\.payload\.predicate\.packages\[0\]\.externalRefs\[0\]\.referenceLocator: expected a string, found a number/,
    )
  })

  it('an SPDX 3 element id that is not a string, in a bare SBOM', () => {
    const document = spdx3()
    const graph = Array.isArray(document['@graph']) ? [...document['@graph'], { type: 'software_File', spdxId: 7 }] : []
    const { verification } = prepare({ ...document, '@graph': graph }).item.document
    expect(verification).toMatchObject({ status: 'unsigned' })
    expect(verification.checks.map((check) => [check.name, check.ok])).toEqual([
      ['signature', false],
      ['fields-ignored', true],
    ])
  })
})
