import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { REBUILD_PREDICATE_TYPE } from '../../src/contract/rebuilds'
import { canonicalJson } from '../ingest/canonical-json'

/*
 * Synthetic documents of every non-DSSE format, shaped like what the real producers write (syft, cdxgen,
 * rebuilderd, in-toto-run, diffoscope, slsa-verifier), with fields a test can override.
 */

export const SHA_A = 'a'.repeat(64)
export const SHA_B = 'b'.repeat(64)

export type LinkKey = { id: string; privateKey: KeyObject; publicKeyPem: string; scheme: 'rsa-pss' | 'rsa-pkcs1' | 'ecdsa' | 'ed25519' }

export function newLinkKey(id: string, scheme: LinkKey['scheme']): LinkKey {
  const pair =
    scheme === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : scheme === 'ecdsa'
        ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 })
  return { id, scheme, privateKey: pair.privateKey, publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() }
}

export function linkSigned(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    _type: 'link',
    name: 'package',
    command: ['tar', 'zcvf', 'app.tar.gz', 'app'],
    materials: { app: { sha256: SHA_A } },
    products: { 'app.tar.gz': { sha256: SHA_B } },
    byproducts: { 'return-value': 0, stderr: '', stdout: 'a app\n' },
    environment: {},
    ...overrides,
  }
}

/** A v0.9 link signed the way securesystemslib signs: over the canonical JSON of `signed`, hex-encoded. */
export function signLink(signed: Record<string, unknown>, key: LinkKey, keyid = key.id): Record<string, unknown> {
  const data = Buffer.from(canonicalJson(signed), 'utf8')
  const sig =
    key.scheme === 'ed25519'
      ? sign(null, data, key.privateKey)
      : key.scheme === 'rsa-pss'
        ? sign('sha256', data, { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
        : sign('sha256', data, key.privateKey)
  return { signed, signatures: [{ keyid, sig: sig.toString('hex') }] }
}

export function cyclonedx16(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    version: 1,
    metadata: {
      timestamp: '2026-11-01T10:05:00Z',
      tools: { components: [{ type: 'application', group: '@cyclonedx', name: 'cdxgen', version: '11.0.0' }], services: [] },
      component: {
        type: 'application',
        name: 'app',
        version: '1.4.2',
        purl: 'pkg:npm/app@1.4.2',
        hashes: [{ alg: 'SHA-256', content: SHA_A.toUpperCase() }],
      },
    },
    components: [
      { type: 'library', name: 'left-pad', version: '1.3.0', components: [{ type: 'file', name: 'index.js' }] },
      { type: 'library', name: 'zod', version: '4.0.0' },
    ],
    formulation: [{ 'bom-ref': 'formula-1', workflows: [{ 'bom-ref': 'wf', uid: 'release', taskTypes: ['build'] }] }],
    ...overrides,
  }
}

export function spdx23(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: 'app',
    documentNamespace: 'https://example.com/spdx/app-1.4.2',
    creationInfo: { created: '2026-11-01T10:05:00Z', creators: ['Organization: Example', 'Tool: syft-1.5.0'] },
    packages: [
      {
        name: 'app',
        SPDXID: 'SPDXRef-Package-app',
        versionInfo: '1.4.2',
        downloadLocation: 'NOASSERTION',
        checksums: [{ algorithm: 'SHA256', checksumValue: SHA_A }],
        externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:npm/app@1.4.2' }],
      },
      { name: 'left-pad', SPDXID: 'SPDXRef-Package-left-pad', versionInfo: '1.3.0', downloadLocation: 'NOASSERTION' },
    ],
    relationships: [{ spdxElementId: 'SPDXRef-DOCUMENT', relatedSpdxElement: 'SPDXRef-Package-app', relationshipType: 'DESCRIBES' }],
    ...overrides,
  }
}

/** SPDX 3.0.1 JSON-LD as the spec's serialisation examples and syft/Yocto write it. */
export function spdx3(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld',
    '@graph': [
      { type: 'CreationInfo', '@id': '_:creationinfo', specVersion: '3.0.1', created: '2026-11-01T10:05:00Z', createdBy: ['urn:example:org'], createdUsing: ['urn:example:tool'] },
      { type: 'Tool', spdxId: 'urn:example:tool', creationInfo: '_:creationinfo', name: 'syft 1.18.0' },
      { type: 'SpdxDocument', spdxId: 'urn:example:doc', creationInfo: '_:creationinfo', rootElement: ['urn:example:sbom'] },
      { type: 'software_Sbom', spdxId: 'urn:example:sbom', creationInfo: '_:creationinfo', rootElement: ['urn:example:app'], software_sbomType: ['build'] },
      {
        type: 'software_Package',
        spdxId: 'urn:example:app',
        creationInfo: '_:creationinfo',
        name: 'app',
        software_packageVersion: '1.4.2',
        externalIdentifier: [{ type: 'ExternalIdentifier', externalIdentifierType: 'packageUrl', identifier: 'pkg:npm/app@1.4.2' }],
        verifiedUsing: [{ type: 'Hash', algorithm: 'sha256', hashValue: SHA_A }],
      },
      { type: 'software_Package', spdxId: 'urn:example:left-pad', creationInfo: '_:creationinfo', name: 'left-pad', software_packageVersion: '1.3.0' },
    ],
    ...overrides,
  }
}

export function statement(predicateType: string, predicate: unknown, subject: unknown = [{ name: 'app.tar.gz', digest: { sha256: SHA_A } }]): Record<string, unknown> {
  return { _type: 'https://in-toto.io/Statement/v1', subject, predicateType, predicate }
}

export function vsaV02Predicate(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    verifier: { id: 'https://github.com/slsa-framework/slsa-verifier' },
    timeVerified: '2026-11-01T11:00:00Z',
    resourceUri: 'pkg:npm/app@1.4.2',
    policy: { uri: 'https://example.com/policy.json', digest: { sha256: SHA_B } },
    inputAttestations: [{ uri: 'https://example.com/app.intoto.jsonl', digest: { sha256: SHA_B } }],
    verificationResult: 'FAILED',
    policyLevel: 'SLSA_LEVEL_3',
    dependencyLevels: {},
    ...overrides,
  }
}

export function rebuildPredicate(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    rebuilder: { id: 'https://rebuilder.example.com' },
    artifact: { name: 'app.tar.gz', digest: { sha256: SHA_A } },
    rebuiltDigest: { sha256: SHA_A },
    startedOn: '2026-11-02T09:00:00Z',
    finishedOn: '2026-11-02T09:30:00Z',
    ...overrides,
  }
}

export const REBUILD_TYPE = REBUILD_PREDICATE_TYPE

/** A diffoscope --json report: archive → member → nested file, as diffoscope nests them. */
export function diffoscopeReport(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'diffoscope-json-version': 1,
    source1: 'app.tar.gz',
    source2: 'rebuilt/app.tar.gz',
    unified_diff: null,
    details: [
      {
        source1: 'app.tar',
        source2: 'app.tar',
        unified_diff: null,
        details: [{ source1: 'app/build-info.txt', source2: 'app/build-info.txt', comments: ['timestamps differ'], unified_diff: '@@ -1 +1 @@\n-1\n+2\n' }],
      },
      { source1: 'file list', source2: 'file list', unified_diff: '@@ -1 +1 @@\n' },
    ],
    ...overrides,
  }
}
