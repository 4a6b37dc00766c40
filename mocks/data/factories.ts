import { BuildDetail, BuildSummary, ProjectList } from '../../src/contract/builds'
import type { Check, Signer, VerificationStatus } from '../../src/contract/common'
import { ApiErrorBody } from '../../src/contract/common'
import { ArtifactAttestation } from '../../src/contract/artifacts'
import { SignatureRow } from '../../src/contract/signatures'
import { LogCheckpoint } from '../../src/contract/log'
import { ServerMeta } from '../../src/contract/meta'
import { Rebuild } from '../../src/contract/rebuilds'
import { Sbom } from '../../src/contract/sboms'
import { PipelineRun } from '../../src/contract/telemetry'
import { DEMO_SEED, type DemoBuild } from '../../demo/model'
import type { DemoRebuild } from '../../demo/rebuilds'
import { demoStatementFacts } from '../../demo/statement'
import { seededRandom } from '../../demo/random'
import { signingTime } from '../../domain/signing-time'

/**
 * Contract-typed API responses built from the demo model. Every factory parses its result with the contract's
 * schema, so a mock that drifts from the contract throws here, at once, not in a component test far away.
 */

/** Key ids the demo config trusts, by algorithm. */
export const demoTrustedKeys = {
  ed25519: 'demo-ed25519-2026',
  'ecdsa-p256': 'demo-ecdsa-p256-2026',
} as const

const PAYLOAD_TYPE = 'application/vnd.in-toto+json'

/** A stable 64-hex id for a demo build: the mocks cannot hash the signed document as the server does. */
export function demoBuildId(build: Pick<DemoBuild, 'index'>, seed = DEMO_SEED): string {
  return seededRandom((seed ^ Math.imul(build.index + 1, 0x9e3779b1)) >>> 0).hex(64)
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

/** What verifying the demo build's signature finds, by how the demo signed it. */
function verificationFor(build: DemoBuild, statement: Record<string, unknown>) {
  const random = seededRandom(DEMO_SEED + build.index * 31 + 7)
  const trustedKey = demoTrustedKeys[build.keyAlgorithm]
  const unknownKey = `unknown-${random.hex(16)}`
  const keyId = build.signing === 'unknown-key' ? unknownKey : trustedKey
  const statementType = String(statement._type)
  const predicateType = String(statement.predicateType)

  const payloadCheck: Check = { name: 'payload-type', ok: true, expected: PAYLOAD_TYPE, actual: PAYLOAD_TYPE }
  const signatureCheck: Check =
    build.signing === 'broken-signature'
      ? {
          name: 'envelope-signature',
          ok: false,
          expected: `a valid ${build.keyAlgorithm} signature by ${keyId} over the DSSE pre-authentication encoding`,
          actual: 'the signature does not verify: the signed bytes or the signature were altered',
          detail: 'The envelope was changed after signing. Its content cannot be attributed to the key.',
        }
      : {
          name: 'envelope-signature',
          ok: true,
          expected: `a valid ${build.keyAlgorithm} signature over the DSSE pre-authentication encoding`,
          actual: `valid signature by ${keyId}`,
        }
  const trustCheck: Check | null =
    build.signing === 'broken-signature'
      ? // No valid signature, so there is no signer whose trust could be checked.
        null
      : build.signing === 'unknown-key'
        ? {
            name: 'signer-trusted',
            ok: false,
            expected: `one of the configured trusted keys (${Object.values(demoTrustedKeys).join(', ')})`,
            actual: keyId,
            detail: 'The signature is valid, but no configured trusted key matches the key that made it.',
          }
        : { name: 'signer-trusted', ok: true, expected: 'a configured trusted key', actual: keyId }
  const checks: Check[] = [
    payloadCheck,
    signatureCheck,
    ...(trustCheck ? [trustCheck] : []),
    {
      name: 'statement-type',
      ok: true,
      expected: 'https://in-toto.io/Statement/v1 or https://in-toto.io/Statement/v0.1',
      actual: statementType,
    },
    {
      name: 'predicate-type',
      ok: true,
      expected: 'https://slsa.dev/provenance/v1 or https://slsa.dev/provenance/v0.2',
      actual: predicateType,
    },
  ]
  const status: VerificationStatus =
    build.signing === 'broken-signature' ? 'failed' : build.signing === 'unknown-key' ? 'untrusted' : 'verified'
  const signers: Signer[] = [
    {
      keyId,
      trustedKeyId: build.signing === 'trusted' ? trustedKey : null,
      algorithm: build.keyAlgorithm,
    },
  ]
  return {
    status,
    failedCheck: status === 'failed' ? 'envelope-signature' : null,
    checks,
    signers,
  }
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text)
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** Everything the API records about one demo build. */
export function demoBuildDetail(build: DemoBuild, seed = DEMO_SEED): BuildDetail {
  const id = demoBuildId(build, seed)
  const { statement, externalParameters, internalParameters, resolvedDependencies } = demoStatementFacts(build)
  const text = JSON.stringify(statement, null, 2)
  const verification = verificationFor(build, statement)
  const envelope = JSON.stringify({
    payloadType: PAYLOAD_TYPE,
    payload: base64(JSON.stringify(statement)),
    signatures: [{ keyid: verification.signers[0]?.keyId ?? '', sig: base64('x'.repeat(64)) }],
  })
  const ingestedAt = iso(build.finishedAt + 20_000 + (build.index % 40) * 1000)
  return BuildDetail.parse({
    id,
    project: build.project,
    sourceRepo: build.sourceRepo,
    sourceCommit: build.commit,
    builderId: build.builderId,
    buildType: build.buildType,
    subjects: build.artifacts.map((artifact) => ({ name: artifact.name, digest: { sha256: artifact.sha256 } })),
    status: verification.status,
    failedCheck: verification.failedCheck,
    startedAt: iso(build.startedAt),
    finishedAt: iso(build.finishedAt),
    ingestedAt,
    time: iso(build.finishedAt),
    invocationId: build.invocationId,
    predicateType: String(statement.predicateType),
    statementType: String(statement._type),
    slsaVersion: build.slsaVersion,
    externalParameters,
    internalParameters,
    resolvedDependencies,
    verification,
    document: {
      id,
      // The document's id is the SHA-256 of its bytes, so the two are equal by definition.
      sha256: id,
      format: 'dsse',
      payloadType: PAYLOAD_TYPE,
      size: new TextEncoder().encode(envelope).length,
      ingestedAt,
    },
    statement: text,
    pipeline: demoPipeline(build),
  })
}

/** The list view of a build: the detail without the heavy fields. */
export function toSummary(detail: BuildDetail): BuildSummary {
  return BuildSummary.parse({
    id: detail.id,
    project: detail.project,
    sourceRepo: detail.sourceRepo,
    sourceCommit: detail.sourceCommit,
    builderId: detail.builderId,
    buildType: detail.buildType,
    subjects: detail.subjects,
    status: detail.status,
    failedCheck: detail.failedCheck,
    startedAt: detail.startedAt,
    finishedAt: detail.finishedAt,
    ingestedAt: detail.ingestedAt,
    time: detail.time,
  })
}

export function projectList(summaries: readonly BuildSummary[]): ProjectList {
  const byName = new Map<string, { name: string; sourceRepo: string | null; builds: number; lastBuildAt: string | null }>()
  for (const build of summaries) {
    const entry = byName.get(build.project) ?? { name: build.project, sourceRepo: build.sourceRepo, builds: 0, lastBuildAt: null }
    entry.builds += 1
    if (entry.lastBuildAt === null || build.time > entry.lastBuildAt) entry.lastBuildAt = build.time
    byName.set(build.project, entry)
  }
  return ProjectList.parse({ items: [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)) })
}

export function serverMeta(overrides: Partial<ServerMeta> = {}): ServerMeta {
  return ServerMeta.parse({ version: '0.1.0-mock', readRequiresToken: false, demo: true, store: 'sqlite', ...overrides })
}

export function apiErrorBody(code: string, message: string, path?: string): ApiErrorBody {
  return ApiErrorBody.parse({ error: { code, message, ...(path === undefined ? {} : { path }) } })
}

/**
 * The log checkpoint the mocks serve. The root and signature are random bytes from the seed: the SPA shows them
 * and never checks them, and nothing here pretends they verify.
 */
export function logCheckpoint(size: number, seed = DEMO_SEED): LogCheckpoint {
  const random = seededRandom(seed ^ 0x10c)
  const rootHash = random.hex(64)
  const origin = 'provenance-dashboard/mock0000000000'
  const root = btoa(String.fromCharCode(...(rootHash.match(/../g) ?? []).map((pair) => parseInt(pair, 16))))
  return LogCheckpoint.parse({
    origin,
    size,
    rootHash,
    note: `${origin}\n${size}\n${root}\n\n\u2014 ${origin} ${btoa(random.hex(68))}\n`,
    publicKeyPem: `-----BEGIN PUBLIC KEY-----\n${btoa(random.hex(33))}\n-----END PUBLIC KEY-----\n`,
  })
}

/** A stable 32-bit seed from a text key (FNV-1a), for facts that are named rather than numbered. */
function seedOf(key: string): number {
  let hash = 0x811c9dc5
  for (let index = 0; index < key.length; index++) hash = Math.imul(hash ^ key.charCodeAt(index), 0x01000193)
  return hash >>> 0
}

/** Hosts the demo's build step fetches from, by its primary tool; the server's demo telemetry uses the same. */
const dependencyHosts: Record<string, string[]> = {
  node: ['registry.npmjs.org'],
  go: ['proxy.golang.org'],
  rustc: ['static.crates.io'],
  java: ['repo.maven.apache.org'],
  buildah: ['deb.debian.org'],
  python: ['pypi.org', 'files.pythonhosted.org'],
}

/** Hosts no demo policy allows; a few builds contact one. */
export const DEMO_UNEXPECTED_HOST = 'pkg-cache.unvetted-mirror.example'

/**
 * The CI run of a demo build as the telemetry endpoints report it: one `build` job of five steps, tools named
 * by the toolchain step, hosts by the steps that contacted them (a close copy of the server's demo traces).
 */
export function demoPipeline(build: DemoBuild): PipelineRun {
  const random = seededRandom(seedOf(`pipeline:${build.invocationId}`))
  const runId = /\/actions\/runs\/(\d+)/.exec(build.invocationId)?.[1] ?? String(build.index)
  const queued = random.int(2, 9) * 1000
  const jobStart = build.startedAt + queued
  const shares = [0.04, 0.12, 0.5, 0.26, 0.08]
  const names = ['checkout', 'setup toolchain', 'build', 'test', 'attest']
  const primary = build.tools[0]?.name ?? ''
  const hosts = [['github.com'], ['objects.githubusercontent.com'], [...(dependencyHosts[primary] ?? []), ...(random.chance(0.03) ? [DEMO_UNEXPECTED_HOST] : [])], [], ['token.actions.githubusercontent.com']]
  const tagged = build.ref.startsWith('refs/tags/')
  let cursor = jobStart
  const steps = names.map((name, index) => {
    const start = cursor
    const end = index === names.length - 1 ? build.finishedAt : Math.round(cursor + (build.finishedAt - jobStart) * (shares[index] ?? 0))
    cursor = end
    return {
      name,
      number: null,
      status: 'completed' as const,
      result: name === 'test' && tagged ? ('skip' as const) : ('success' as const),
      startedAt: iso(start),
      finishedAt: iso(end),
      durationMs: end - start,
      tools: name === 'setup toolchain' ? build.tools.map((tool) => ({ name: tool.name, version: tool.version })) : [],
      hosts: [...(hosts[index] ?? [])].sort(),
    }
  })
  const jobId = String(20_000_000_000 + build.index * 3)
  return PipelineRun.parse({
    id: `otlp:${random.hex(32)}`,
    source: 'otlp',
    name: 'release',
    url: build.invocationId,
    repo: build.sourceRepo,
    commit: build.commit,
    ref: build.ref,
    runId,
    attempt: null,
    traceId: random.hex(32),
    status: 'completed',
    result: 'success',
    startedAt: iso(build.startedAt),
    finishedAt: iso(build.finishedAt),
    durationMs: build.finishedAt - build.startedAt,
    tasks: [
      {
        id: `span:${random.hex(16)}`,
        name: 'build',
        url: `${build.sourceRepo}/actions/runs/${runId}/job/${jobId}`,
        taskRunId: jobId,
        type: 'build',
        status: 'completed',
        result: 'success',
        startedAt: iso(jobStart),
        finishedAt: iso(build.finishedAt),
        durationMs: build.finishedAt - jobStart,
        queuedMs: queued,
        worker: { id: String(random.int(1, 40)), name: 'GitHub Actions', group: null, labels: [] },
        steps,
        tools: build.tools.map((tool) => ({ name: tool.name, version: tool.version })),
        hosts: [...new Set(steps.flatMap((step) => step.hosts))].sort(),
      },
    ],
    updatedAt: iso(build.finishedAt + 5000),
  })
}

/** A rebuild verdict as the API reports it. Ids are seeded from the rebuild's key: the mocks hash no documents. */
export function demoRebuild(rebuild: DemoRebuild): Rebuild {
  const random = seededRandom(seedOf(`rebuild:${rebuild.key}`))
  return Rebuild.parse({
    id: random.hex(64),
    documentId: random.hex(64),
    rebuilderId: rebuild.rebuilderId,
    project: rebuild.project,
    artifact: { name: rebuild.artifact.name, digest: { sha256: rebuild.artifact.sha256 } },
    rebuiltDigest: { sha256: rebuild.rebuiltSha256 },
    verdict: rebuild.verdict,
    source: 'rebuild-statement',
    status: 'verified',
    startedAt: iso(rebuild.startedAt),
    finishedAt: iso(rebuild.finishedAt),
    time: iso(rebuild.finishedAt),
    diffoscope: rebuild.diffoscope,
  })
}

/** Projects whose artifacts the demo ships with an SBOM (CycloneDX), so the artifact page shows both cases. */
const sbomProjects = new Set(['acme/web', 'acme/api', 'platform/base-image'])

export function demoSbom(build: DemoBuild, artifact: { name: string; sha256: string }): Sbom | null {
  if (!sbomProjects.has(build.project)) return null
  const random = seededRandom(seedOf(`sbom:${artifact.sha256}`))
  return Sbom.parse({
    documentId: random.hex(64),
    format: 'cyclonedx-json',
    standard: 'cyclonedx',
    specVersion: '1.6',
    serial: `urn:uuid:${random.hex(8)}-${random.hex(4)}-4${random.hex(3)}-a${random.hex(3)}-${random.hex(12)}`,
    subject: { name: artifact.name, version: null, purl: null, digest: { sha256: artifact.sha256 } },
    statementSubjects: [],
    componentCount: 40 + random.int(0, 600),
    tools: [
      { name: 'syft', version: '1.18.1' },
      { name: 'cyclonedx-gomod', version: build.project === 'acme/api' ? '1.8.0' : null },
    ].filter((tool) => build.project === 'acme/api' || tool.name === 'syft'),
    formulation: null,
    status: 'verified',
    ingestedAt: iso(build.finishedAt + 60_000),
  })
}

/** The provenance document of a build, as one of its artifacts' attestations. */
export function buildAttestation(detail: BuildDetail): ArtifactAttestation {
  return ArtifactAttestation.parse({
    documentId: detail.document.id,
    format: detail.document.format,
    predicateType: detail.predicateType,
    buildId: detail.id,
    ingestedAt: detail.ingestedAt,
    verification: detail.verification,
  })
}

/**
 * The Sigstore bundle the demo's `acme/cli` releases also carry (as `gh attestation` would fetch it): signed with
 * a Fulcio certificate for the release workflow and logged in Rekor.
 */
export function sigstoreAttestation(detail: BuildDetail): ArtifactAttestation {
  const random = seededRandom(seedOf(`sigstore:${detail.id}`))
  const identity = `${detail.sourceRepo ?? 'https://github.com/acme/cli'}/.github/workflows/release.yml@refs/heads/main`
  const signedAt = Date.parse(detail.finishedAt ?? detail.time)
  return ArtifactAttestation.parse({
    documentId: random.hex(64),
    format: 'sigstore-bundle',
    predicateType: 'https://slsa.dev/provenance/v1',
    buildId: detail.id,
    ingestedAt: detail.ingestedAt,
    verification: {
      status: 'verified',
      failedCheck: null,
      checks: [
        { name: 'certificate-chain', ok: true, expected: 'a chain to a trusted Fulcio root', actual: 'chains to sigstore.dev Fulcio intermediate' },
        { name: 'bundle-signature', ok: true, expected: 'a valid signature by the certificate key', actual: 'valid ecdsa-p256 signature' },
        { name: 'transparency-log', ok: true, expected: 'an entry in a trusted Rekor log with a verified inclusion proof', actual: 'entry found; inclusion proof verified' },
        { name: 'certificate-identity', ok: true, expected: identity, actual: identity },
      ],
      signers: [{ keyId: null, trustedKeyId: null, algorithm: 'ecdsa-p256' }],
      certificate: {
        subjectAlternativeName: identity,
        issuer: 'https://token.actions.githubusercontent.com',
        repository: 'acme/cli',
        workflowRef: 'acme/cli/.github/workflows/release.yml@refs/heads/main',
        ref: 'refs/heads/main',
        sha: detail.sourceCommit,
        notBefore: iso(signedAt - 60_000),
        notAfter: iso(signedAt + 9 * 60_000),
        serial: random.hex(40),
        issuerCN: 'sigstore-intermediate',
      },
      transparencyLog: [
        {
          logIndex: String(150_000_000 + random.int(0, 9_999_999)),
          logId: 'c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d',
          integratedTime: String(Math.floor(signedAt / 1000) + 3),
          kind: 'dsse',
          version: '0.0.1',
          inclusionProof: true,
          inclusionPromise: true,
          checkpoint: null,
        },
      ],
    },
  })
}

/** One verification result of the signatures list: a build's provenance document. */
export function signatureRow(detail: BuildDetail): SignatureRow {
  const signer = detail.verification.signers[0]
  return SignatureRow.parse({
    documentId: detail.document.id,
    format: detail.document.format,
    status: detail.status,
    failedCheck: detail.failedCheck,
    signer: signer ? (signer.trustedKeyId ?? signer.keyId) : null,
    project: detail.project,
    buildId: detail.id,
    subjects: detail.subjects,
    ingestedAt: detail.ingestedAt,
    ...signatureTimes(detail.ingestedAt, buildSigningTime(detail)),
  })
}

/** When a build's document was signed, by the rule the server stores (domain/signing-time.ts). */
export const buildSigningTime = (detail: BuildDetail): number | null =>
  signingTime({
    verification: detail.verification,
    builds: [{ started_at: detail.startedAt === null ? null : Date.parse(detail.startedAt), finished_at: detail.finishedAt === null ? null : Date.parse(detail.finishedAt) }],
    rebuilds: [],
    verifiedAt: null,
  })

const signatureTimes = (ingestedAt: string, signedAt: number | null) => ({
  signedAt: signedAt === null ? null : new Date(signedAt).toISOString(),
  time: signedAt === null ? ingestedAt : new Date(signedAt).toISOString(),
})
