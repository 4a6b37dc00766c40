import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { expect, it } from 'vitest'
import { IngestError } from '../errors'
import { loadNpmRegistryKeys, looksLikeNpmAttestations, readNpmAttestations } from '../npm-attestations'
import { looksLikeBundle } from './bundle-json'
import type { IdentityPolicy } from './certificate'
import { prepareBundle, type PrepareBundleOptions } from './prepare-bundle'
import { loadSigstoreTrust, type SigstoreTrust } from './trust-material'
import { corpusDir, describeWithCorpus } from '../../testing/corpus'
import { jsonMutation } from '../../testing/mutation'

// The corpus sits beside the checkout (../shared/corpus) and is read in place; a clone without it skips. Every
// read below happens in a test or in the suite's body, which describeWithCorpus runs only when the corpus is there.
const read = (path: string) => readFileSync(`${corpusDir}/${path}`, 'utf8')
const json = (path: string): unknown => JSON.parse(read(path))
const sha256 = (path: string) => ({ algorithm: 'sha256', hex: createHash('sha256').update(readFileSync(`${corpusDir}/${path}`)).digest('hex') })

/** Every bundle in a file: the whole file, each JSONL line, or each attestation of an npm registry response. */
function bundlesIn(path: string): { where: string; bundle: unknown }[] {
  const text = read(path)
  let values: { where: string; value: unknown }[]
  try {
    values = [{ where: path, value: JSON.parse(text) }]
  } catch {
    values = text
      .split('\n')
      .map((line, index) => ({ line, index }))
      .filter(({ line }) => line.trim() !== '')
      .map(({ line, index }) => ({ where: `${path} line ${index + 1}`, value: JSON.parse(line) as unknown }))
  }
  return values.flatMap(({ where, value }) => {
    if (looksLikeNpmAttestations(value)) return readNpmAttestations(value).map((attestation) => ({ where: `${where} ${attestation.predicateType}`, bundle: attestation.bundle }))
    return looksLikeBundle(value) ? [{ where, bundle: value }] : []
  })
}

const BUNDLE_FILES = [
  '1-slsa-provenance/slsa-verifier/bcr/MODULE.bazel.intoto.jsonl',
  '1-slsa-provenance/slsa-verifier/gha_bundle/mismatch-tlog.intoto.sigstore',
  '1-slsa-provenance/slsa-verifier/gha_bundle/valid-v0.3.intoto.sigstore',
  '2-dsse-sigstore-bundles/sigstore-conformance/dsse-invalid-sig_fail/bundle.sigstore.json',
  '2-dsse-sigstore-bundles/sigstore-conformance/happy-path-v0.3/bundle.sigstore.json',
  '2-dsse-sigstore-bundles/sigstore-js/bundleV01-dsse-with-proof.sigstore',
  '2-dsse-sigstore-bundles/sigstore-js/bundleV02-dsse.sigstore',
  '2-dsse-sigstore-bundles/sigstore-js/bundleV03-dsse.sigstore',
  '3-npm-github-attestations/github-gh-cli/sigstore-js-2.1.0_with_2_bundles.jsonl',
  '3-npm-github-attestations/npm-registry/npm-attestations.intoto.sigstore',
  '3-npm-github-attestations/npm-registry/provenance-npm-test-cli-v1-prega-invalidsigprov.tgz.json',
  '3-npm-github-attestations/npm-registry/provenance-npm-test-cli-v1-prega.tgz.json',
]

const PUBLISH = 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1'
const conformanceIdentity: IdentityPolicy = {
  subjectAlternativeName: 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
  issuer: 'https://token.actions.githubusercontent.com',
}

/** Messages of JavaScript's own errors: a check whose finding is one of these reports a crash. */
const RUNTIME_ERROR = /Cannot read properties of|is not a function|is not iterable|is not defined|Maximum call stack|Invalid array length/

type Expectation = { trust: 'public-good' | 'gh-cli'; status: 'verified' | 'failed'; failedCheck?: string; options?: () => PrepareBundleOptions; why: string }

/** What SOURCES.md (and the upstream tests it cites) says each bundle must give. */
function expectationFor(where: string): Expectation | undefined {
  if (where.includes('bcr/MODULE.bazel.intoto.jsonl')) {
    return {
      trust: 'public-good',
      status: 'verified',
      options: () => ({ artifactDigest: sha256('1-slsa-provenance/slsa-verifier/bcr/MODULE.bazel'), identity: { issuer: 'https://token.actions.githubusercontent.com', repository: 'aspect-build/rules_lint' } }),
      why: 'EXPECT PASS: GitHub Artifact Attestation for MODULE.bazel',
    }
  }
  if (where.includes('mismatch-tlog')) return { trust: 'public-good', status: 'failed', failedCheck: 'transparency-log', why: 'EXPECT FAIL: slsa-verifier "mismatch rekor entry" (ErrorMismatchSignature)' }
  if (where.includes('valid-v0.3.intoto')) return { trust: 'public-good', status: 'verified', why: 'EXPECT PASS: slsa-verifier "valid bundle: v0.3"' }
  if (where.includes('dsse-invalid-sig_fail')) {
    return {
      trust: 'public-good',
      status: 'failed',
      failedCheck: 'bundle-signature',
      options: () => ({ identity: conformanceIdentity, artifactDigest: sha256('2-dsse-sigstore-bundles/sigstore-conformance/a.txt') }),
      why: 'EXPECT FAIL: "The signature in the dsse envelope is incorrect"',
    }
  }
  if (where.includes('happy-path-v0.3')) {
    return {
      trust: 'public-good',
      status: 'verified',
      options: () => ({ identity: conformanceIdentity, artifactDigest: sha256('2-dsse-sigstore-bundles/sigstore-conformance/a.txt') }),
      why: 'EXPECT PASS: conformance happy path (message signature over a.txt)',
    }
  }
  if (where.includes('sigstore-js/bundleV0')) {
    return {
      trust: 'public-good',
      status: 'verified',
      options: () => {
        // The subject is an npm package, named by its sha512.
        const statement = json('2-dsse-sigstore-bundles/sigstore-js/statement.json') as { subject: { digest: Record<string, string> }[] }
        const [algorithm = '', hex = ''] = Object.entries(statement.subject[0]?.digest ?? {})[0] ?? []
        return { identity: { subjectAlternativeName: 'brian@dehamer.com', issuer: 'https://github.com/login/oauth' }, artifactDigest: { algorithm, hex } }
      },
      why: "sigstore-js's own test bundles (its tests verify them)",
    }
  }
  if (where.includes('github-gh-cli')) {
    return {
      trust: 'gh-cli',
      status: 'verified',
      options: () => ({ identity: { repository: 'https://github.com/sigstore/sigstore-js', workflow: '.github/workflows/release.yml', ref: 'refs/heads/main' } }),
      why: 'gh attestation download output for sigstore@2.1.0 (public-good, verifies with gh-cli trusted_root.json)',
    }
  }
  if (where.includes('invalidsigprov')) {
    return where.endsWith(PUBLISH)
      ? { trust: 'public-good', status: 'verified', why: 'checked: the publish signature is intact' }
      : { trust: 'public-good', status: 'failed', failedCheck: 'bundle-signature', why: 'EXPECT FAIL: provenance DSSE signature tampered' }
  }
  if (where.includes('provenance-npm-test-cli-v1-prega.tgz.json') || where.includes('npm-attestations.intoto.sigstore')) {
    return { trust: 'public-good', status: 'verified', why: 'EXPECT PASS: real npm attestations response (publish by registry key + SLSA provenance by Fulcio)' }
  }
  return undefined
}

describeWithCorpus('real Sigstore bundles from ../shared/corpus', () => {
  const npmKeys = () => loadNpmRegistryKeys(json('3-npm-github-attestations/npm-registry/npm-sigstore-tuf-keys.json'))
  const trusts: Record<Expectation['trust'], () => SigstoreTrust> = {
    'public-good': () => loadSigstoreTrust([json('2-dsse-sigstore-bundles/sigstore-go/trusted-root-public-good.json')], npmKeys()),
    'gh-cli': () => loadSigstoreTrust([json('3-npm-github-attestations/github-gh-cli/trusted_root.json')], npmKeys()),
  }
  const bundles = BUNDLE_FILES.flatMap(bundlesIn)

  it('finds every bundle, and knows what each must give', () => {
    expect(bundles).toHaveLength(16)
    expect(bundles.filter(({ where }) => !expectationFor(where)).map(({ where }) => where)).toEqual([])
  })

  it.each(bundles.map(({ where, bundle }) => [where, bundle] as const))('%s', (where, bundle) => {
    const expectation = expectationFor(where)!
    const { verification } = prepareBundle(bundle, trusts[expectation.trust](), expectation.options?.())
    const failing = verification.checks.filter((check) => !check.ok)
    expect({ status: verification.status, failedCheck: verification.failedCheck, failing }, expectation.why).toMatchObject({
      status: expectation.status,
      failedCheck: expectation.failedCheck ?? null,
      ...(expectation.status === 'verified' ? { failing: [] } : {}),
    })
    // The failing check a person reads first is first, and says what was expected and what was found.
    if (expectation.status === 'failed') expect(verification.checks[0]).toMatchObject({ name: expectation.failedCheck, ok: false, expected: expect.any(String), actual: expect.any(String) })
  })

  it('reads the Fulcio extensions of a GitHub Actions certificate', () => {
    const [first] = bundlesIn('1-slsa-provenance/slsa-verifier/bcr/MODULE.bazel.intoto.jsonl')
    const prepared = prepareBundle(first?.bundle, trusts['public-good']())
    expect(prepared).toMatchObject({ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', bundleVersion: '0.3', kind: 'dsse' })
    expect(prepared.certificate).toMatchObject({
      subjectAlternativeName: 'https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1',
      issuer: 'https://token.actions.githubusercontent.com',
      repository: 'https://github.com/aspect-build/rules_lint',
      workflowRef: 'https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1',
      ref: 'refs/heads/publish-to-bcr',
      sha: '8f70009fde0c94ade6ce2a054b94718c819126ec',
      buildTrigger: 'workflow_dispatch',
      runnerEnvironment: 'github-hosted',
      repositoryVisibility: 'public',
      notBefore: '2025-03-26T23:47:30.000Z',
      serial: '5324AD085EBA29BFCD870F08D7B76695C4FA20FD',
      issuerCN: 'sigstore-intermediate',
    })
    expect(prepared.tlog).toEqual([
      expect.objectContaining({ logIndex: '188622862', logId: 'wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=', kind: 'dsse', version: '0.0.1', inclusionProof: true, inclusionPromise: true }),
    ])
    expect(prepared.tlog[0]?.checkpoint).toMatch(/^rekor\.sigstore\.dev - \d+\n/)
    expect(prepared.timestamps).toEqual([{ source: 'tlog', time: '2025-03-26T23:47:30.000Z' }])
  })

  it('calls public-good bundles unverifiable without a trusted root, naming the missing Rekor log', () => {
    const [happy] = bundlesIn('2-dsse-sigstore-bundles/sigstore-conformance/happy-path-v0.3/bundle.sigstore.json')
    const { verification } = prepareBundle(happy?.bundle, loadSigstoreTrust([], []))
    expect(verification.status).toBe('unverifiable')
    expect(verification.checks.find((check) => check.name === 'transparency-log')?.actual).toBe(
      'no trusted root contains a Rekor log with id wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0= (c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d)',
    )
    expect(verification.checks.find((check) => check.name === 'certificate-chain')?.actual).toContain('no trusted root is configured')
  })

  it('names the missing Fulcio CA when the trusted root has the log but not the CA (as with GitHub’s own instance)', () => {
    const root = json('2-dsse-sigstore-bundles/sigstore-go/trusted-root-public-good.json') as Record<string, unknown>
    const withoutFulcio = loadSigstoreTrust([{ ...root, certificateAuthorities: [] }, { mediaType: root.mediaType, certificateAuthorities: [] }], [])
    const [bcr] = bundlesIn('1-slsa-provenance/slsa-verifier/bcr/MODULE.bazel.intoto.jsonl')
    const { verification } = prepareBundle(bcr?.bundle, withoutFulcio)
    expect(verification.status).toBe('unverifiable')
    expect(verification.checks[0]).toMatchObject({ name: 'certificate-chain', ok: false })
    const other = loadSigstoreTrust([{ ...root, certificateAuthorities: (root.certificateAuthorities as unknown[]).slice(0, 1) }], [])
    // The 2021-2022 CA is still trusted, but the sigstore-intermediate that issued this 2025 certificate is not.
    expect(prepareBundle(bcr?.bundle, other).verification.checks[0]?.actual).toBe('no trusted root contains the Fulcio CA "O=sigstore.dev, CN=sigstore-intermediate" that issued this certificate')
  })

  it('fails the identity policy and the subject digest at the right check, with what was found', () => {
    const [bcr] = bundlesIn('1-slsa-provenance/slsa-verifier/bcr/MODULE.bazel.intoto.jsonl')
    const trust = trusts['public-good']()
    const wrongRepo = prepareBundle(bcr?.bundle, trust, { identity: { repository: 'evil/rules_lint', issuer: '/^https:\\/\\/token\\.actions\\.githubusercontent\\.com$/' } })
    expect(wrongRepo.verification).toMatchObject({ status: 'failed', failedCheck: 'certificate-identity' })
    expect(wrongRepo.verification.checks[0]).toMatchObject({
      expected: 'issuer ~ /^https:\\/\\/token\\.actions\\.githubusercontent\\.com$/; repository = evil/rules_lint',
      actual: 'issuer = https://token.actions.githubusercontent.com; repository = https://github.com/aspect-build/rules_lint',
    })
    const wrongArtifact = prepareBundle(bcr?.bundle, trust, { artifactDigest: sha256('2-dsse-sigstore-bundles/sigstore-conformance/a.txt') })
    expect(wrongArtifact.verification).toMatchObject({ status: 'failed', failedCheck: 'subject-digest' })
    const [happy] = bundlesIn('2-dsse-sigstore-bundles/sigstore-conformance/happy-path-v0.3/bundle.sigstore.json')
    expect(prepareBundle(happy?.bundle, trust, { artifactDigest: sha256('1-slsa-provenance/slsa-verifier/bcr/MODULE.bazel') }).verification.failedCheck).toBe('subject-digest')
  })

  it('fails transparency-log when an inclusion proof hash or a log entry from another bundle is swapped in', () => {
    const trust = trusts['public-good']()
    const [bcr] = bundlesIn('1-slsa-provenance/slsa-verifier/bcr/MODULE.bazel.intoto.jsonl')
    const [v3] = bundlesIn('1-slsa-provenance/slsa-verifier/gha_bundle/valid-v0.3.intoto.sigstore')
    const tampered = structuredClone(bcr?.bundle) as { verificationMaterial: { tlogEntries: { inclusionProof: { hashes: string[] } }[] } }
    const proof = tampered.verificationMaterial.tlogEntries[0]!.inclusionProof
    proof.hashes[0] = Buffer.alloc(32, 1).toString('base64')
    const broken = prepareBundle(tampered, trust).verification
    expect(broken).toMatchObject({ status: 'failed', failedCheck: 'transparency-log' })
    // With the log entry refused there is no verified signing time: the certificate chain is not judged, not a
    // second failure, and it comes after the one cause.
    const names = broken.checks.filter((check) => !check.ok).map((check) => check.name)
    expect(names[0]).toBe('transparency-log')
    expect(broken.checks.find((check) => check.name === 'certificate-chain')?.notJudged).toMatch(/^no verified signing time: the transparency-log and timestamp checks established none/)
    const swapped = structuredClone(bcr?.bundle) as { verificationMaterial: { tlogEntries: unknown[] } }
    swapped.verificationMaterial.tlogEntries = (v3?.bundle as { verificationMaterial: { tlogEntries: unknown[] } }).verificationMaterial.tlogEntries
    const { verification } = prepareBundle(swapped, trust)
    expect(verification).toMatchObject({ status: 'failed', failedCheck: 'transparency-log' })
    expect(verification.checks[0]?.actual).toContain('belongs to a different signature')
  })

  it('calls the npm publish attestation unverifiable without the registry key, naming its hint', () => {
    const [publish] = bundlesIn('3-npm-github-attestations/npm-registry/provenance-npm-test-cli-v1-prega.tgz.json').filter(({ where }) => where.endsWith(PUBLISH))
    const root = json('2-dsse-sigstore-bundles/sigstore-go/trusted-root-public-good.json')
    const { verification } = prepareBundle(publish?.bundle, loadSigstoreTrust([root], []))
    expect(verification.status).toBe('unverifiable')
    expect(verification.checks.find((check) => check.name === 'signer-trusted')?.actual).toBe('hint SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA: no configured key')
  })

  it('gives the same verdict for the same signature in bundle v0.1, v0.2 and v0.3', () => {
    const trust = trusts['public-good']()
    const versions = ['bundleV01-dsse-with-proof', 'bundleV02-dsse', 'bundleV03-dsse'].map((name) => prepareBundle(json(`2-dsse-sigstore-bundles/sigstore-js/${name}.sigstore`), trust))
    expect(versions.map((prepared) => prepared.bundleVersion)).toEqual(['0.1', '0.2', '0.3'])
    // The checks and their outcomes agree; only how the log proved inclusion differs (v0.1: a signed entry timestamp).
    const verdict = (prepared: (typeof versions)[number]) => JSON.stringify([prepared.verification.status, prepared.verification.checks.map(({ name, ok }) => [name, ok])])
    expect(new Set(versions.map(verdict)).size).toBe(1)
    expect(versions[0]?.verification.status).toBe('verified')
    expect(versions[0]?.certificate).toMatchObject({ subjectAlternativeName: 'brian@dehamer.com', issuer: 'https://github.com/login/oauth', repository: null })
  })

  // A timeout is a guard here, not a budget: 600 verifications take seconds on a loaded 2-core machine.
  it('throws nothing but IngestError for mutated real bundles, and words no crash as a finding', { timeout: 60_000 }, () => {
    const trust = trusts['public-good']()
    const samples = [bundles[0], bundles[1], bundles.find(({ where }) => where.includes('happy-path')), bundles.find(({ where }) => where.endsWith(PUBLISH))]
    for (const sample of samples) {
      fc.assert(
        fc.property(jsonMutation(sample?.bundle), (mutated) => {
          try {
            const { verification } = prepareBundle(mutated, trust)
            expect(['verified', 'failed', 'untrusted', 'unverifiable', 'unsigned']).toContain(verification.status)
            // A crash is reported as not judged (internal error), never as what a check found.
            for (const check of verification.checks) {
              if (check.notJudged === undefined) expect([check.expected, check.actual, check.detail].join(' ')).not.toMatch(RUNTIME_ERROR)
            }
          } catch (error) {
            if (!(error instanceof IngestError)) throw error
          }
        }),
        { numRuns: 150 },
      )
    }
  })
})
