import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { corpusDir, describeWithCorpus } from '../testing/corpus'
import { prepareDocument } from './ingest'
import { loadPublicKey, type TrustedKey } from './keys'

// Real documents from ../shared/corpus, read in place; a checkout without the corpus skips these.
const reproducible = join(corpusDir, '6-reproducible-builds')
const intoto = join(corpusDir, '7-intoto-vsa-witness-tekton')
const sbom = join(corpusDir, '9-sbom')

const read = (path: string) => Buffer.from(readFileSync(path, 'utf8').trim())
const key = (id: string, path: string) => loadPublicKey(id, readFileSync(path, 'utf8'))
const prepare = (path: string, keys: TrustedKey[] = []) => prepareDocument(read(path), { keys, now: () => Date.UTC(2026, 10, 1) })

describeWithCorpus('in-toto v0.9 demo links (in-toto/in-toto tests/demo_files)', () => {
  const demo = join(intoto, 'in-toto-demo')
  const bob = () => key('bob', join(demo, 'bob.pub'))
  const carl = () => key('carl', join(demo, 'carl.pub'))

  it('bob.pub and carl.pub are PEM RSA public keys', () => {
    expect(bob().algorithm).toBe('rsa')
    expect(carl().algorithm).toBe('rsa')
  })

  it('verifies write-code (signed by bob, RSASSA-PSS over canonical JSON) and keeps its facts', () => {
    const { item } = prepare(join(demo, 'write-code.776a00e2.link'), [carl(), bob()])
    expect(item.document.format).toBe('in-toto-link')
    expect(item.document.verification).toMatchObject({ status: 'verified', failedCheck: null, signers: [{ keyId: '776a00e29f3559e0141b3b096f696abc6cfb0c657ab40f441132b345b08453f5', trustedKeyId: 'bob', algorithm: 'rsa' }] })
    expect(item.extras?.link).toMatchObject({
      name: 'write-code',
      command: [],
      materials: {},
      products: { 'foo.py': { sha256: '74dc3727c6e89308b39e4dfedf787e37841198b1fa165a27c013544a60502549' } },
    })
    expect(item.extras?.rebuilds).toBeUndefined()
    expect(item.build).toBeNull()
  })

  it('verifies package (signed by carl) and keeps its command, materials and byproducts', () => {
    const { item } = prepare(join(demo, 'package.2f89b927.link'), [bob(), carl()])
    expect(item.document.verification.status).toBe('verified')
    expect(item.document.verification.signers[0]?.trustedKeyId).toBe('carl')
    expect(item.extras?.link).toMatchObject({
      name: 'package',
      command: ['tar', 'zcvf', 'foo.tar.gz', 'foo.py'],
      byproducts: { 'return-value': 0, stderr: 'a foo.py\n', stdout: '' },
      keyids: ['2f89b9272acfc8f4a0a0f094d789fdb0ba798b0fe41f2f5f417c12f0085ff498'],
    })
  })

  it('calls a link signed by a key we do not trust untrusted, not verified', () => {
    expect(prepare(join(demo, 'package.2f89b927.link'), [bob()]).item.document.verification).toMatchObject({ status: 'untrusted', failedCheck: null })
  })

  it('fails a link altered after signing, since its keyid names the trusted key', () => {
    const link: unknown = JSON.parse(readFileSync(join(demo, 'package.2f89b927.link'), 'utf8'))
    const altered = JSON.stringify(link).replace('foo.tar.gz', 'evil.tar.gz')
    const { item } = prepareDocument(Buffer.from(altered), { keys: [carl()], now: Date.now })
    expect(item.document.verification).toMatchObject({ status: 'failed', failedCheck: 'link-signature' })
    expect(item.document.verification.checks[0]).toMatchObject({ ok: false, expected: 'a valid rsa signature by trusted key carl' })
  })
}, { needs: join(intoto, 'in-toto-demo') })

describeWithCorpus('rebuilderd attestation (kpcyrd/rebuilderd)', () => {
  it('reads the "rebuild <package>" link as a match verdict for the rebuilt .deb, by its signer', () => {
    const { item } = prepare(join(reproducible, 'rebuilderd/rebuild-spytrap-adb_0.3.5-1_amd64.link.json'))
    expect(item.document.format).toBe('in-toto-link')
    // The signing key is not published with the test vector: correctly signed, by no key we trust.
    expect(item.document.verification.status).toBe('untrusted')
    const sha256 = '58a7d451d5d59fda6284a05418b99e34fab32d07e63d0b164404eaaed1317edd'
    expect(item.extras?.rebuilds).toEqual([
      {
        rebuilderId: 'c25d24c04760b6982de77736776edc6600d5f8e1e84d0bba2a7299959ce7d47f',
        artifact: { name: 'spytrap-adb_0.3.5-1_amd64.deb', digest: expect.objectContaining({ sha256 }) },
        rebuiltDigest: expect.objectContaining({ sha256 }),
        verdict: 'match',
        source: 'in-toto-link',
        startedAt: null,
        finishedAt: null,
        diffoscope: null,
      },
    ])
    expect(item.extras?.link?.environment).toBeNull()
  })
}, { needs: join(reproducible, 'rebuilderd') })

describeWithCorpus('diffoscope --json report (diffoscope tests/data/output.json)', () => {
  it('is a mismatch verdict listing which files differ', () => {
    const { item } = prepare(join(reproducible, 'diffoscope/output.json'))
    expect(item.document.format).toBe('diffoscope-json')
    expect(item.document.verification).toMatchObject({ status: 'unsigned', checks: [{ name: 'signature', ok: false }] })
    expect(item.extras?.rebuilds?.[0]).toMatchObject({
      verdict: 'mismatch',
      source: 'diffoscope',
      artifact: { name: 'test1.tar', digest: {} },
      diffoscope: {
        source1: 'test1.tar',
        source2: 'test2.tar',
        total: 3,
        truncated: false,
        differences: [
          { source1: 'file list', source2: 'file list', depth: 0, comments: [] },
          { source1: 'dir/text', source2: 'dir/text', depth: 0, comments: [] },
          { source1: 'dir/link', source2: 'dir/link', depth: 0, comments: ['symlink'] },
        ],
      },
    })
  })
}, { needs: join(reproducible, 'diffoscope') })

describeWithCorpus('SBOMs (CycloneDX bom-examples, syft via go-witness)', () => {
  it('reads a CycloneDX 1.2 BOM with array-form tools', () => {
    const { item } = prepare(join(sbom, 'cyclonedx-bom-examples/bom.json'))
    expect(item.document.format).toBe('cyclonedx-json')
    expect(item.document.verification.status).toBe('unsigned')
    expect(item.extras?.sbom).toEqual({
      standard: 'cyclonedx',
      specVersion: '1.2',
      serial: 'urn:uuid:699b6458-60da-4f52-b1b3-34915dc01eb6',
      subject: { name: 'lhc-vdm-editor', version: '0.0.1', purl: 'pkg:npm/lhc-vdm-editor@0.0.1', digest: {} },
      statementSubjects: [],
      componentCount: 43,
      tools: [{ name: 'Node.js module', version: '2.0.0' }],
      formulation: null,
      createdAt: Date.parse('2020-08-03T01:28:52.765Z'),
    })
  })

  it('reads syft 1.5.0 CycloneDX 1.5 (tools.components) with the image digest as the subject digest', () => {
    const { item } = prepare(join(sbom, 'syft-real/alpine.cyclonedx.json'))
    expect(item.extras?.sbom).toMatchObject({
      specVersion: '1.5',
      subject: { name: 'alpine', digest: { sha256: '1c3b93ed450e26eac89b471d6d140e2f99488f489739b8b8ea5e8202dd086f82' } },
      componentCount: 15,
      tools: [{ name: 'syft', version: '1.5.0' }],
    })
  })

  it('reads syft 1.5.0 SPDX 2.3: creators "Tool: syft-1.5.0", the DESCRIBES package with checksum and purl', () => {
    const { item } = prepare(join(sbom, 'syft-real/alpine.spdx-2-3.json'))
    expect(item.document.format).toBe('spdx-json')
    expect(item.extras?.sbom).toMatchObject({
      standard: 'spdx',
      specVersion: '2.3',
      serial: 'https://anchore.com/syft/image/alpine-1a9e5a71-09eb-48ea-9072-abb724d4e8e9',
      subject: {
        name: 'alpine',
        purl: expect.stringMatching(/^pkg:oci\/alpine@sha256:1c3b93ed/),
        digest: { sha256: '1c3b93ed450e26eac89b471d6d140e2f99488f489739b8b8ea5e8202dd086f82' },
      },
      componentCount: 15,
      tools: [{ name: 'syft', version: '1.5.0' }],
    })
  })
}, { needs: sbom })

describeWithCorpus('Google BCID VSA (slsa-verifier testdata)', () => {
  it('verifies with its key and keeps the verification summary', () => {
    const { item } = prepare(join(intoto, 'vsa/gke-gce-pre.bcid-vsa.jsonl'), [key('bcid-vsa', join(intoto, 'vsa/vsa_signing_public_key.pem'))])
    expect(item.document).toMatchObject({ format: 'dsse', verification: { status: 'verified' } })
    expect(item.extras?.vsa).toEqual({
      vsaVersion: 'v1',
      verifierId: 'https://bcid.corp.google.com/verifier/bcid_package_enforcer/v0.1',
      timeVerified: Date.parse('2024-06-12T07:24:34.351Z'),
      resourceUri: 'gce_image://gke-node-images:gke-12615-gke1418000-cos-101-17162-463-29-c-cgpv1-pre',
      policy: { uri: expect.stringContaining('vm_images.sw_policy.textproto') },
      verificationResult: 'PASSED',
      verifiedLevels: ['BCID_L1', 'SLSA_BUILD_LEVEL_2'],
      inputAttestations: [],
      subjects: [{ name: '_', digest: { gce_image_id: '8970095005306000053' } }],
    })
  })
}, { needs: join(intoto, 'vsa') })
