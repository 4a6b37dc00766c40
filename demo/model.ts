import { DEMO_LAST_DAY } from '../src/contract/overview'
import { seededRandom } from './random'
import { demoBomFileSha256, demoSbomProject } from './sboms'

/**
 * The demo's builds as plain facts, before any document is written. The server's demo seed turns each into a
 * signed DSSE envelope and ingests it through the API's code path; the MSW mocks turn the same facts into API
 * responses. Both therefore show the same projects, commits and artifact digests for the same seed.
 */

export type DemoSigning =
  /** Signed by a key the demo config trusts. */
  | 'trusted'
  /** Correctly signed by a key nobody configured. */
  | 'unknown-key'
  /** Signature bytes altered after signing. */
  | 'broken-signature'

export type DemoTool = { name: string; version: string }

export type DemoBuild = {
  /** Position in the demo, 0-based, oldest first. */
  index: number
  project: string
  sourceRepo: string
  commit: string
  ref: string
  workflow: string
  builderId: string
  buildType: string
  slsaVersion: 'v1' | 'v0.2'
  invocationId: string
  startedAt: number
  finishedAt: number
  artifacts: { name: string; sha256: string }[]
  tools: DemoTool[]
  signing: DemoSigning
  /** Which of the demo's trusted keys signs it (`ed25519` for most, `ecdsa-p256` for one project). */
  keyAlgorithm: 'ed25519' | 'ecdsa-p256'
}

export type DemoProject = {
  name: string
  sourceRepo: string
  builderId: string
  buildType: string
  slsaVersion: 'v1' | 'v0.2'
  keyAlgorithm: 'ed25519' | 'ecdsa-p256'
  artifacts: string[]
  tools: DemoTool[]
  /** Relative number of builds. */
  weight: number
}

export const demoProjects: readonly DemoProject[] = [
  {
    name: 'acme/web',
    sourceRepo: 'https://github.com/acme/web',
    builderId: 'https://github.com/actions/runner/github-hosted',
    buildType: 'https://actions.github.io/buildtypes/workflow/v1',
    slsaVersion: 'v1',
    keyAlgorithm: 'ed25519',
    artifacts: ['web-dist.tar.gz', 'web-sbom.cdx.json'],
    tools: [
      { name: 'node', version: '20.19.0' },
      { name: 'npm', version: '10.8.2' },
    ],
    weight: 5,
  },
  {
    name: 'acme/api',
    sourceRepo: 'https://github.com/acme/api',
    builderId: 'https://github.com/actions/runner/github-hosted',
    buildType: 'https://actions.github.io/buildtypes/workflow/v1',
    slsaVersion: 'v1',
    keyAlgorithm: 'ecdsa-p256',
    artifacts: ['api-linux-amd64', 'api-linux-arm64', 'api.oci.tar'],
    tools: [
      { name: 'go', version: '1.23.4' },
      { name: 'ko', version: '0.17.1' },
    ],
    weight: 4,
  },
  {
    name: 'acme/cli',
    sourceRepo: 'https://github.com/acme/cli',
    builderId: 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.0.0',
    buildType: 'https://github.com/slsa-framework/slsa-github-generator/generic@v1',
    slsaVersion: 'v0.2',
    keyAlgorithm: 'ed25519',
    artifacts: ['cli-darwin-arm64', 'cli-linux-amd64', 'cli-windows-amd64.exe'],
    tools: [
      { name: 'rustc', version: '1.83.0' },
      { name: 'cargo', version: '1.83.0' },
    ],
    weight: 3,
  },
  {
    name: 'payments/ledger',
    sourceRepo: 'https://gitlab.com/payments/ledger',
    builderId: 'https://gitlab.com/gitlab-org/gitlab-runner',
    buildType: 'https://gitlab.com/gitlab-org/gitlab-runner/-/blob/v17.6.0/PROVENANCE.md',
    slsaVersion: 'v1',
    keyAlgorithm: 'ed25519',
    artifacts: ['ledger.jar', 'ledger-sources.jar'],
    tools: [
      { name: 'java', version: '21.0.5' },
      { name: 'maven', version: '3.9.9' },
    ],
    weight: 3,
  },
  {
    name: 'platform/base-image',
    sourceRepo: 'https://github.com/platform/base-image',
    builderId: 'https://tekton.dev/chains/v2',
    buildType: 'tekton.dev/v1beta1/TaskRun',
    slsaVersion: 'v0.2',
    keyAlgorithm: 'ed25519',
    artifacts: ['base-image.oci.tar'],
    tools: [
      { name: 'buildah', version: '1.38.0' },
      { name: 'debian', version: '12.8' },
    ],
    weight: 2,
  },
  {
    name: 'data/etl',
    sourceRepo: 'https://github.com/data/etl',
    builderId: 'https://cloudbuild.googleapis.com/GoogleHostedWorker',
    buildType: 'https://cloudbuild.googleapis.com/CloudBuildYaml@v0.1',
    slsaVersion: 'v1',
    keyAlgorithm: 'ed25519',
    artifacts: ['etl-wheel-py3-none-any.whl'],
    tools: [
      { name: 'python', version: '3.12.8' },
      { name: 'pip', version: '24.3.1' },
    ],
    weight: 2,
  },
]

export const DEMO_SEED = 20261127
export const DEMO_BUILD_COUNT = 1600
export const DEMO_DAYS = 120
/** The demo's "now": fixed so that the same seed gives the same documents on every machine (noon of its last day). */
export const DEMO_END = Date.parse(`${DEMO_LAST_DAY}T12:00:00.000Z`)

const DAY = 86_400_000

/** The demo's builds, oldest first. Pure: the same arguments always give the same list. */
export function demoBuilds(count = DEMO_BUILD_COUNT, seed = DEMO_SEED): DemoBuild[] {
  const random = seededRandom(seed)
  const totalWeight = demoProjects.reduce((sum, project) => sum + project.weight, 0)
  const start = DEMO_END - DEMO_DAYS * DAY
  const step = (DEMO_END - start) / count
  const commits = new Map<string, string>()
  const builds: DemoBuild[] = []
  for (let index = 0; index < count; index++) {
    let roll = random.next() * totalWeight
    let project = demoProjects[0]!
    for (const candidate of demoProjects) {
      roll -= candidate.weight
      if (roll <= 0) {
        project = candidate
        break
      }
    }
    // Several builds share a commit (re-runs, release and nightly jobs), as in real histories.
    const commit = random.chance(0.7) || !commits.has(project.name) ? random.hex(40) : commits.get(project.name)!
    commits.set(project.name, commit)
    const startedAt = Math.round(start + index * step + random.next() * step * 0.5)
    const finishedAt = startedAt + random.int(45, 1500) * 1000
    // Every so often a project's toolchain moves on, which the comparison view should show.
    const tools = project.tools.map((tool, toolIndex) =>
      toolIndex === 0 && random.chance(0.08) ? { ...tool, version: bumpPatch(tool.version, random.int(1, 3)) } : tool,
    )
    const roll2 = random.next()
    const signing: DemoSigning = roll2 < 0.03 ? 'broken-signature' : roll2 < 0.07 ? 'unknown-key' : 'trusted'
    const build: DemoBuild = {
      index,
      project: project.name,
      sourceRepo: project.sourceRepo,
      commit,
      ref: random.chance(0.85) ? 'refs/heads/main' : `refs/tags/v1.${random.int(0, 40)}.${random.int(0, 9)}`,
      workflow: '.github/workflows/release.yml',
      builderId: project.builderId,
      buildType: project.buildType,
      slsaVersion: project.slsaVersion,
      invocationId: `${project.sourceRepo}/actions/runs/${9_000_000_000 + index * 7 + random.int(0, 6)}/attempts/1`,
      startedAt,
      finishedAt,
      artifacts: project.artifacts.map((name) => ({ name, sha256: random.hex(64) })),
      tools,
      signing,
      keyAlgorithm: project.keyAlgorithm,
    }
    // A BOM file the build writes is listed with the digest of its real bytes (demo/sboms.ts), after the random
    // draws above so that every other digest stays as it was.
    const bomFile = demoSbomProject(project.name)?.file
    const bomSha256 = bomFile === undefined ? null : demoBomFileSha256(build)
    if (bomSha256 !== null) build.artifacts = build.artifacts.map((artifact) => (artifact.name === bomFile ? { ...artifact, sha256: bomSha256 } : artifact))
    builds.push(build)
  }
  return builds
}

function bumpPatch(version: string, by: number): string {
  const parts = version.split('.')
  const last = Number(parts.at(-1))
  return [...parts.slice(0, -1), String((Number.isFinite(last) ? last : 0) + by)].join('.')
}
