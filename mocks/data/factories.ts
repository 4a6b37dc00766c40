import { BuildDetail, BuildSummary, ProjectList } from '../../src/contract/builds'
import type { Check, Verification } from '../../src/contract/common'
import { ApiErrorBody } from '../../src/contract/common'
import { ArtifactAttestation } from '../../src/contract/artifacts'
import { SignatureRow } from '../../src/contract/signatures'
import { LogCheckpoint } from '../../src/contract/log'
import { ServerMeta } from '../../src/contract/meta'
import { Rebuild, REBUILD_PREDICATE_TYPE } from '../../src/contract/rebuilds'
import { Sbom } from '../../src/contract/sboms'
import { PipelineRun } from '../../src/contract/telemetry'
import { demoDependencyHosts, demoSourceHost, demoTokenHost, demoToolchainHost, demoUnexpectedHosts } from '../../demo/hosts'
import { DEMO_SEED, demoProjects, type DemoBuild } from '../../demo/model'
import type { DemoRebuild } from '../../demo/rebuilds'
import { demoSbomFacts } from '../../demo/sboms'
import { demoStatementFacts } from '../../demo/statement'
import { seededRandom } from '../../demo/random'
import { signerIdentity } from '../../domain/signer'
import { signingTime } from '../../domain/signing-time'
import { demoBuildDocument, demoRebuildDocument, demoReleaseKeyIds, demoSbomDocument, demoTrustedKeyIds, DEMO_ROGUE_KEY_ID, rebuilderKeyId, sha256Hex } from './documents'

/**
 * Contract-typed API responses built from the demo model. Every factory parses its result with the contract's
 * schema, so a mock that drifts from the contract throws here, at once, not in a component test far away.
 */

const PAYLOAD_TYPE = 'application/vnd.in-toto+json'

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * What the server's verifier and the demo config's policy for the build's project (server/demo/seed.ts: the
 * project's release key, builder and build type, `envelope-signature` required) report for a demo build, by how
 * the seed signed it: failing checks first, as the server lists them.
 */
function verificationFor(build: DemoBuild): Verification {
  const policy = `(policy ${build.project})`
  // The policy is the project's (its builder and release key), which a build may stray from (demo/alerts-scenarios.ts).
  const project = demoProjects.find((candidate) => candidate.name === build.project)
  const releaseKey = demoReleaseKeyIds[project?.keyAlgorithm ?? build.keyAlgorithm]
  const signingKey = demoReleaseKeyIds[build.keyAlgorithm]
  const builder = project?.builderId ?? build.builderId
  const passing: Check[] = [
    { name: 'payload-type', ok: true, expected: PAYLOAD_TYPE, actual: PAYLOAD_TYPE },
    { name: 'builder-id', ok: build.builderId === builder, expected: `one of ${builder} ${policy}`, actual: build.builderId },
    { name: 'build-type', ok: true, expected: `one of ${build.buildType} ${policy}`, actual: build.buildType },
  ]
  const required = (ok: boolean, actual: string): Check => ({ name: 'required:envelope-signature', ok, expected: `check envelope-signature present and passing ${policy}`, actual })
  const identity = (keyId: string, ok: boolean): Check => ({ name: 'signer-identity', ok, expected: `signed by keyId ${releaseKey} ${policy}`, actual: `key ${keyId}` })
  // Without a signature that verified with a trusted key, the server does not judge who signed (server/policy/policy.ts).
  const identityNotJudged = (because: string): Check => ({
    name: 'signer-identity',
    ok: false,
    expected: `signed by keyId ${releaseKey} ${policy}`,
    actual: `not judged: ${because}`,
    notJudged: because,
  })
  if (build.signing === 'unknown-key') {
    const unchecked = `no key this server has is named ${DEMO_ROGUE_KEY_ID} or verifies the signature, so it could not be checked`
    return {
      status: 'untrusted',
      failedCheck: null,
      checks: [
        {
          name: 'signer-trusted',
          ok: false,
          expected: `a signature by one of: ${demoTrustedKeyIds.join(', ')}`,
          actual: `keyid ${DEMO_ROGUE_KEY_ID}: no trusted key verifies it`,
          detail: 'The signature was made by a key that is not in trust.keys (or it was altered and names no key).',
        },
        required(false, `not judged: ${unchecked}`),
        { name: 'envelope-signature', ok: false, expected: 'a signature over the DSSE pre-authentication encoding', actual: `not judged: ${unchecked}`, notJudged: unchecked },
        identityNotJudged('the envelope-signature check could not be judged, so who signed is not established'),
        ...passing,
      ],
      signers: [{ keyId: DEMO_ROGUE_KEY_ID, trustedKeyId: null, algorithm: null }],
    }
  }
  if (build.signing === 'broken-signature') {
    return {
      status: 'failed',
      failedCheck: 'envelope-signature',
      checks: [
        {
          name: 'envelope-signature',
          ok: false,
          expected: `a valid ${build.keyAlgorithm} signature by trusted key ${releaseKey}`,
          actual: `the signature for keyid ${releaseKey} does not verify`,
          detail: 'The envelope names a trusted key, but its signature does not match the payload: the payload or the signature was altered after signing.',
        },
        required(false, 'failed'),
        identityNotJudged('the envelope-signature check failed, so who signed is not established'),
        ...passing,
      ],
      signers: [{ keyId: releaseKey, trustedKeyId: null, algorithm: build.keyAlgorithm }],
    }
  }
  const [payloadType, ...policyChecks] = passing
  const checks: Check[] = [
    ...(payloadType ? [payloadType] : []),
    { name: 'envelope-signature', ok: true, expected: 'a signature over the DSSE pre-authentication encoding', actual: `verifies with ${build.keyAlgorithm} key ${signingKey}` },
    { name: 'signer-trusted', ok: true, expected: 'a key listed in trust.keys', actual: `trusted key ${signingKey}` },
    identity(signingKey, signingKey === releaseKey),
    ...policyChecks,
    required(true, 'passed'),
  ]
  // A policy check that fails makes the document failed, and is read first (server/policy/policy.ts).
  const failing = checks.filter((check) => !check.ok)
  return {
    status: failing.length > 0 ? 'failed' : 'verified',
    failedCheck: failing[0]?.name ?? null,
    checks: [...failing, ...checks.filter((check) => check.ok)],
    signers: [{ keyId: signingKey, trustedKeyId: signingKey, algorithm: build.keyAlgorithm }],
  }
}

/** Everything the API records about one demo build. */
export function demoBuildDetail(build: DemoBuild): BuildDetail {
  const document = demoBuildDocument(build)
  const id = document.id
  const { statement, externalParameters, internalParameters, resolvedDependencies } = demoStatementFacts(build)
  const text = JSON.stringify(statement, null, 2)
  const verification = verificationFor(build)
  // The server stamps the wall-clock time of its seed; the mocks say "shortly after the build", as a live
  // deployment would. Nothing compares the two.
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
      size: document.size,
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
  // By name in code-unit order, as the server's ORDER BY sorts them.
  return ProjectList.parse({ items: [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) })
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

/**
 * The CI run of a demo build as the server reports it after its seed sent the build's OTLP trace
 * (demo/traces.ts) through POST /v1/traces: one `build` job of five steps, tools named by the toolchain step,
 * hosts by the steps that contacted them. demo/traces.ts derives its ids with node:crypto, which the browser
 * has not, so the same facts are derived here with the same seeds; the parity test keeps the two equal.
 */
export function demoPipeline(build: DemoBuild): PipelineRun {
  const hash = (text: string, length: number) => sha256Hex(text).slice(0, length)
  const random = seededRandom(Number.parseInt(hash(`${build.invocationId}:${build.index}`, 8), 16))
  const traceId = hash(`trace:${build.invocationId}`, 32)
  const spanId = (name: string) => hash(`${traceId}:${name}`, 16)
  const runId = /\/actions\/runs\/(\d+)/.exec(build.invocationId)?.[1] ?? String(build.index)
  const attempt = /\/attempts\/(\d+)/.exec(build.invocationId)?.[1]
  const jobId = String(20_000_000_000 + build.index * 3)
  const queued = random.int(2, 9) * 1000
  const jobStart = build.startedAt + queued
  const shares = [0.04, 0.12, 0.5, 0.26, 0.08]
  const names = ['checkout', 'setup toolchain', 'build', 'test', 'attest']
  const primary = build.tools[0]?.name ?? ''
  const hosts: string[][] = [
    [demoSourceHost],
    [demoToolchainHost],
    [...(demoDependencyHosts[primary] ?? []), ...(random.chance(0.03) ? [random.pick(demoUnexpectedHosts)] : [])],
    [],
    [demoTokenHost],
  ]
  const tagged = build.ref.startsWith('refs/tags/')
  const tools = build.tools.map((tool) => ({ name: tool.name, version: tool.version }))
  let cursor = jobStart
  const steps = names.map((name, index) => {
    const start = cursor
    const end = index === names.length - 1 ? build.finishedAt : cursor + (build.finishedAt - build.startedAt - queued) * (shares[index] ?? 0)
    cursor = end
    // The trace carries whole milliseconds (demo/traces.ts rounds each span's start and end).
    const [startMs, endMs] = [Math.round(start), Math.round(end)]
    return {
      name,
      number: null,
      status: 'completed' as const,
      result: name === 'test' && tagged ? ('skip' as const) : ('success' as const),
      startedAt: iso(startMs),
      finishedAt: iso(endMs),
      durationMs: endMs - startMs,
      tools: name === 'setup toolchain' ? tools : [],
      hosts: [...new Set(hosts[index] ?? [])].sort(),
    }
  })
  const worker = random.int(1, 40)
  return PipelineRun.parse({
    id: `otlp:${traceId}`,
    source: 'otlp',
    name: 'release',
    url: build.invocationId,
    repo: build.sourceRepo,
    commit: build.commit,
    ref: build.ref,
    runId,
    attempt: attempt === undefined ? null : Number(attempt),
    traceId,
    status: 'completed',
    result: 'success',
    startedAt: iso(build.startedAt),
    finishedAt: iso(build.finishedAt),
    durationMs: build.finishedAt - build.startedAt,
    tasks: [
      {
        id: `span:${spanId('job')}`,
        name: 'build',
        url: `${build.sourceRepo}/actions/runs/${runId}/job/${jobId}`,
        taskRunId: jobId,
        type: 'build',
        status: 'completed',
        result: 'success',
        startedAt: iso(jobStart),
        finishedAt: iso(build.finishedAt),
        durationMs: build.finishedAt - jobStart,
        // The trace has no queue span, so the server knows no queue time.
        queuedMs: null,
        worker: { id: String(worker), name: `GitHub Actions ${worker}`, group: null, labels: [] },
        steps,
        tools,
        hosts: [...new Set(steps.flatMap((step) => step.hosts))].sort(),
      },
    ],
    // The server stamps the wall-clock time it received the trace; the mocks say "just after the run".
    updatedAt: iso(build.finishedAt + 5000),
  })
}

/**
 * A rebuild verdict as the API reports it, with the server's ids (its document is signed, hashed and its verdict
 * id derived as the server does: one Ed25519 signature, so callers ask only for the verdicts they serve).
 * `project` is the one the server files it under: that of the newest build listing the artifact.
 */
export function demoRebuild(rebuild: DemoRebuild, project: string): Rebuild {
  const document = demoRebuildDocument(rebuild)
  return Rebuild.parse({
    id: document.rebuildId,
    documentId: document.id,
    rebuilderId: rebuild.rebuilderId,
    project,
    artifact: { name: rebuild.artifact.name, digest: { sha256: rebuild.artifact.sha256 } },
    rebuiltDigest: { sha256: rebuild.rebuiltSha256 },
    verdict: rebuild.verdict,
    source: 'rebuild-statement',
    // Signed by the rebuilder's own key, which the demo config trusts.
    status: 'verified',
    startedAt: iso(rebuild.startedAt),
    finishedAt: iso(rebuild.finishedAt),
    time: iso(rebuild.finishedAt),
    diffoscope: rebuild.diffoscope,
  })
}

/** When the mocks say a build's SBOM attestation was ingested: a minute after the build finished. */
export const sbomIngestedAt = (build: DemoBuild): number => build.finishedAt + 60_000

/**
 * The SBOM a demo build wrote (demo/sboms.ts) as the server reports it for the artifact its Statement names, with
 * the server's document id (signed as the seed signs it); null when the build wrote none. The Statement names the
 * artifact, so the link is the SBOM's own (not through its build).
 */
export function demoSbom(build: DemoBuild): Sbom | null {
  const facts = demoSbomFacts(build)
  const document = demoSbomDocument(build)
  if (facts === null || document === null) return null
  return Sbom.parse({
    documentId: document.id,
    format: 'dsse',
    standard: facts.standard,
    specVersion: facts.specVersion,
    serial: facts.serial,
    subject: facts.subject,
    statementSubjects: facts.statementSubjects,
    componentCount: facts.componentCount,
    tools: facts.tools,
    formulation: facts.formulation,
    status: 'verified',
    ingestedAt: iso(sbomIngestedAt(build)),
    createdAt: iso(facts.createdAt),
    viaBuild: null,
  })
}

/** The verdict on a build's SBOM attestation: signed by its project's release key, which the demo trusts; no policy names an SBOM's checks. */
function sbomVerification(build: DemoBuild): Verification {
  const keyId = demoReleaseKeyIds[build.keyAlgorithm]
  return {
    status: 'verified',
    failedCheck: null,
    checks: [
      { name: 'payload-type', ok: true, expected: PAYLOAD_TYPE, actual: PAYLOAD_TYPE },
      { name: 'envelope-signature', ok: true, expected: 'a signature over the DSSE pre-authentication encoding', actual: `verifies with ${build.keyAlgorithm} key ${keyId}` },
      { name: 'signer-trusted', ok: true, expected: 'a key listed in trust.keys', actual: `trusted key ${keyId}` },
    ],
    signers: [{ keyId, trustedKeyId: keyId, algorithm: build.keyAlgorithm }],
  }
}

/** A build's SBOM attestation as one of the attestations of the artifact it describes; null when it wrote none. */
export function sbomAttestation(build: DemoBuild): ArtifactAttestation | null {
  const document = demoSbomDocument(build)
  if (document === null) return null
  // The server keeps no predicate type for an SBOM (the attestation is found through its SBOM facts).
  return ArtifactAttestation.parse({ documentId: document.id, format: 'dsse', predicateType: null, buildId: null, ingestedAt: iso(sbomIngestedAt(build)), verification: sbomVerification(build) })
}

/** When a build's SBOM attestation was signed, by the server's rule: the time the SBOM says it was made. */
export const sbomSigningTime = (build: DemoBuild): number | null =>
  signingTime({ verification: null, builds: [], rebuilds: [], verifiedAt: null, sbomCreatedAt: demoSbomFacts(build)?.createdAt ?? null })

/** One verification result of the signatures list: a build's SBOM attestation, filed under `project`. */
export function sbomSignatureRow(build: DemoBuild, project: string): SignatureRow | null {
  const facts = demoSbomFacts(build)
  const document = demoSbomDocument(build)
  if (facts === null || document === null) return null
  return SignatureRow.parse({
    documentId: document.id,
    format: 'dsse',
    kind: 'sbom',
    status: 'verified',
    failedCheck: null,
    signer: demoReleaseKeyIds[build.keyAlgorithm],
    project,
    buildId: null,
    subjects: facts.statementSubjects,
    ingestedAt: iso(sbomIngestedAt(build)),
    ...signatureTimes(iso(sbomIngestedAt(build)), sbomSigningTime(build)),
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

/** A rebuild attestation as one of its artifact's attestations: signed by the rebuilder's key, which the demo trusts. */
export function rebuildAttestation(rebuild: DemoRebuild): ArtifactAttestation {
  const keyId = rebuilderKeyId(rebuild.rebuilderId)
  return ArtifactAttestation.parse({
    documentId: demoRebuildDocument(rebuild).id,
    format: 'dsse',
    predicateType: REBUILD_PREDICATE_TYPE,
    buildId: null,
    ingestedAt: iso(rebuildIngestedAt(rebuild)),
    // No demo policy names a rebuilder's repository, so only the envelope's own checks are reported.
    verification: {
      status: 'verified',
      failedCheck: null,
      checks: [
        { name: 'payload-type', ok: true, expected: PAYLOAD_TYPE, actual: PAYLOAD_TYPE },
        { name: 'envelope-signature', ok: true, expected: 'a signature over the DSSE pre-authentication encoding', actual: `verifies with ed25519 key ${keyId}` },
        { name: 'signer-trusted', ok: true, expected: 'a key listed in trust.keys', actual: `trusted key ${keyId}` },
      ],
      signers: [{ keyId, trustedKeyId: keyId, algorithm: 'ed25519' }],
    },
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
  return SignatureRow.parse({
    documentId: detail.document.id,
    format: detail.document.format,
    kind: 'provenance',
    status: detail.status,
    failedCheck: detail.failedCheck,
    signer: signerIdentity(detail.verification),
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

/** When a rebuild's document was signed: its rebuild's finish time, as the server reads a DSSE rebuild attestation. */
export const rebuildSigningTime = (rebuild: DemoRebuild): number | null =>
  signingTime({ verification: null, builds: [], rebuilds: [{ started_at: rebuild.startedAt, finished_at: rebuild.finishedAt }], verifiedAt: null })

const signatureTimes = (ingestedAt: string, signedAt: number | null) => ({
  signedAt: signedAt === null ? null : iso(signedAt),
  time: signedAt === null ? ingestedAt : iso(signedAt),
})

/** When the mocks say a rebuild's document was ingested: shortly after the rebuild finished (see demoBuildDetail). */
export const rebuildIngestedAt = (rebuild: DemoRebuild): number => rebuild.finishedAt + 30_000 + (rebuild.index % 40) * 1000

/** One verification result of the signatures list: a rebuild attestation, signed by its rebuilder's key. */
export function rebuildSignatureRow(rebuild: DemoRebuild, project: string): SignatureRow {
  const document = demoRebuildDocument(rebuild)
  return SignatureRow.parse({
    documentId: document.id,
    format: 'dsse',
    kind: 'rebuild',
    status: 'verified',
    failedCheck: null,
    signer: rebuilderKeyId(rebuild.rebuilderId),
    project,
    buildId: null,
    subjects: [{ name: rebuild.artifact.name, digest: { sha256: rebuild.artifact.sha256 } }],
    ingestedAt: iso(rebuildIngestedAt(rebuild)),
    ...signatureTimes(iso(rebuildIngestedAt(rebuild)), rebuildSigningTime(rebuild)),
  })
}
