import { BuildDetail, BuildSummary, ProjectList } from '../../src/contract/builds'
import type { Check, Signer, VerificationStatus } from '../../src/contract/common'
import { ApiErrorBody } from '../../src/contract/common'
import { LogCheckpoint } from '../../src/contract/log'
import { ServerMeta } from '../../src/contract/meta'
import { DEMO_SEED, type DemoBuild } from './demo-model'
import { seededRandom } from './random'

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

function statementFor(build: DemoBuild): { statement: Record<string, unknown>; external: unknown; dependencies: BuildDetail['resolvedDependencies'] } {
  const subject = build.artifacts.map((artifact) => ({ name: artifact.name, digest: { sha256: artifact.sha256 } }))
  const source = { uri: `git+${build.sourceRepo}@${build.ref}`, name: null, digest: { gitCommit: build.commit } }
  const toolDeps = build.tools.map((tool) => ({
    uri: `pkg:generic/${tool.name}@${tool.version}`,
    name: tool.name,
    digest: {},
  }))
  if (build.slsaVersion === 'v1') {
    const external = {
      workflow: { ref: build.ref, repository: build.sourceRepo, path: build.workflow },
    }
    return {
      external,
      dependencies: [source, ...toolDeps],
      statement: {
        _type: 'https://in-toto.io/Statement/v1',
        subject,
        predicateType: 'https://slsa.dev/provenance/v1',
        predicate: {
          buildDefinition: {
            buildType: build.buildType,
            externalParameters: external,
            resolvedDependencies: [
              { uri: source.uri, digest: source.digest },
              ...toolDeps.map((dep) => ({ uri: dep.uri, name: dep.name })),
            ],
          },
          runDetails: {
            builder: { id: build.builderId },
            metadata: {
              invocationId: build.invocationId,
              startedOn: iso(build.startedAt),
              finishedOn: iso(build.finishedAt),
            },
          },
        },
      },
    }
  }
  const external = {
    configSource: { uri: source.uri, digest: { sha1: build.commit }, entryPoint: build.workflow },
    parameters: {},
  }
  return {
    external,
    dependencies: [{ ...source, digest: { sha1: build.commit } }, ...toolDeps],
    statement: {
      _type: 'https://in-toto.io/Statement/v0.1',
      subject,
      predicateType: 'https://slsa.dev/provenance/v0.2',
      predicate: {
        builder: { id: build.builderId },
        buildType: build.buildType,
        invocation: { ...external, environment: {} },
        metadata: {
          buildInvocationId: build.invocationId,
          buildStartedOn: iso(build.startedAt),
          buildFinishedOn: iso(build.finishedAt),
          completeness: { parameters: true, environment: false, materials: false },
          reproducible: false,
        },
        materials: [{ uri: source.uri, digest: { sha1: build.commit } }, ...toolDeps.map((dep) => ({ uri: dep.uri }))],
      },
    },
  }
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
  const { statement, external, dependencies } = statementFor(build)
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
    externalParameters: external,
    internalParameters: null,
    resolvedDependencies: dependencies,
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
