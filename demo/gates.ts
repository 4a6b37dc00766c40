import type { Policy } from '../src/contract/policy'
import type { DemoDeployment } from './deployments'
import { demoProjects, type DemoBuild } from './model'
import type { DemoRebuild } from './rebuilds'
import { demoSbomStatement } from './sboms'

/**
 * The demo's release gate (POST /api/v1/gate with policy `release`) and the pair of artifacts that shows it: one
 * it allows to production and one it denies because one of its three rebuilders got other bytes. Pure: the same
 * builds give the same pair, so the seeded server, the e2e test and a reader of the demo agree.
 */

export const DEMO_RELEASE_POLICY = 'release'

/**
 * Every demo project's repository and builder, with the gate. Listed after the projects' own policies, so ingest
 * (which judges a document by the first policy naming its repository) never judges by this one.
 */
export function demoReleasePolicy(): Policy {
  return {
    name: DEMO_RELEASE_POLICY,
    repositories: demoProjects.map((project) => project.sourceRepo),
    signers: [],
    requiredChecks: [],
    builders: [...new Set(demoProjects.map((project) => project.builderId))],
    buildTypes: [],
    toolchain: {},
    allowedHosts: [],
    gate: { minRebuildersAgree: 2, requiredAttestations: ['slsa-provenance', 'sbom'], promotion: { production: ['staging'] } },
  }
}

export type DemoGateArtifact = { digest: string; name: string; project: string; buildIndex: number }

/**
 * The newest trusted artifact with an SBOM that all three rebuilders reproduced and that ran in staging (allowed
 * to production), and the newest with an SBOM of which exactly one of three rebuilders disagrees (denied).
 */
export function demoGatePair(builds: readonly DemoBuild[], rebuilds: readonly DemoRebuild[], deployments: readonly DemoDeployment[]): { allowed: DemoGateArtifact; denied: DemoGateArtifact } {
  const staged = new Set(deployments.filter((deployment) => deployment.input.environment.name === 'staging').flatMap((deployment) => deployment.input.artifacts.map((artifact) => artifact.digest)))
  const verdicts = new Map<string, { match: number; mismatch: number }>()
  for (const rebuild of rebuilds) {
    const counts = verdicts.get(rebuild.artifact.sha256) ?? { match: 0, mismatch: 0 }
    counts[rebuild.verdict] += 1
    verdicts.set(rebuild.artifact.sha256, counts)
  }
  let allowed: DemoGateArtifact | undefined
  let denied: DemoGateArtifact | undefined
  for (const build of [...builds].reverse()) {
    if (build.signing !== 'trusted') continue
    const sbom = demoSbomStatement(build) as { subject: { digest: { sha256: string } }[] } | null
    const described = sbom?.subject[0]?.digest.sha256
    for (const artifact of build.artifacts) {
      if (artifact.sha256 !== described) continue
      const counts = verdicts.get(artifact.sha256) ?? { match: 0, mismatch: 0 }
      const found = { digest: `sha256:${artifact.sha256}`, name: artifact.name, project: build.project, buildIndex: build.index }
      if (allowed === undefined && counts.match === 3 && counts.mismatch === 0 && staged.has(found.digest)) allowed = found
      if (denied === undefined && counts.match === 2 && counts.mismatch === 1) denied = found
    }
    if (allowed !== undefined && denied !== undefined) return { allowed, denied }
  }
  throw new Error('the demo has no artifact pair for the release gate: demo/gates.ts needs other criteria')
}
