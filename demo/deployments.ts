import { DEPLOYMENT_PREDICATE_TYPE, DeploymentInput, type DeploymentInputJson } from '../src/contract/deployments'
import { deploymentId } from '../domain/deployment-id'
import { DEMO_END, type DemoBuild } from './model'
import type { DemoRebuild } from './rebuilds'

/**
 * The demo's deployments as plain facts: three services promoted from staging to production over the last four
 * weeks. The server's demo seed posts them (production deployments of the web service signed by its deploy
 * pipeline, as deployment attestations); the mocks answer from the same list. Pure: the same builds give the
 * same deployments.
 *
 * What a reviewer should find in it: production running a ledger build whose provenance was signed by a key
 * nobody trusts (flagged), an api hotfix that was deployed with no provenance at all (flagged, since replaced in
 * the record by the release that followed it), a web deployment recorded against the wrong digest and corrected
 * (`replaces`), and api in staging running a build whose rebuild disagrees.
 */

export type DemoDeployment = {
  input: DeploymentInputJson
  /** Recorded by a signed deployment attestation rather than posted as JSON. */
  signed: boolean
  /** Why it is in the demo, when it is one of the cases above. */
  story?: string
}

export type DemoService = { service: string; project: string; artifact: string; cluster: string; system: string; signedInProduction: boolean }

export const demoServices: readonly DemoService[] = [
  { service: 'web', project: 'acme/web', artifact: 'web-dist.tar.gz', cluster: 'edge-eu', system: 'flux', signedInProduction: true },
  { service: 'api', project: 'acme/api', artifact: 'api-linux-amd64', cluster: 'core-eu', system: 'argo-cd', signedInProduction: false },
  { service: 'ledger', project: 'payments/ledger', artifact: 'ledger.jar', cluster: 'payments', system: 'argo-cd', signedInProduction: false },
]

export const DEMO_ENVIRONMENTS = ['staging', 'production'] as const

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
/** How far back the promotion history goes. */
const WINDOW = 28 * DAY

const iso = (ms: number) => new Date(ms).toISOString()

/** The statement a deploy pipeline signs for a deployment (docs/deployment-predicate.md), key for key as the seed signs it. */
export function demoDeploymentStatement(input: DeploymentInputJson): Record<string, unknown> {
  const { artifacts, ...predicate } = input
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: artifacts.map((artifact) => ({ name: artifact.name ?? '', digest: { sha256: artifact.digest.replace(/^sha256:/, '') } })),
    predicateType: DEPLOYMENT_PREDICATE_TYPE,
    predicate,
  }
}

/** The id the server gives a deployment posted as JSON. */
export const demoDeploymentId = (input: DeploymentInputJson): string => deploymentId(DeploymentInput.parse(input))

/** A digest no build lists: the hotfix built on someone's machine. Fixed, so the server and the mocks agree. */
export const DEMO_UNPROVEN_DIGEST = `sha256:${'0badc0de'.repeat(8)}`

export function demoDeployments(builds: readonly DemoBuild[], rebuilds: readonly DemoRebuild[]): DemoDeployment[] {
  const out: DemoDeployment[] = []
  let run = 41_000
  const deploy = (service: DemoService, environment: 'staging' | 'production', sha256: string, at: number, extra: Partial<DeploymentInputJson> = {}, story?: string): DemoDeployment => {
    const signed = environment === 'production' && service.signedInProduction && extra.replaces === undefined
    const deployment: DemoDeployment = {
      input: {
        artifacts: [{ digest: sha256.startsWith('sha256:') ? sha256 : `sha256:${sha256}`, name: service.artifact }],
        environment: { name: environment, cluster: `${service.cluster}-${environment === 'staging' ? 'stg' : 'prd'}`, namespace: service.service },
        service: service.service,
        deployedAt: iso(at),
        system: { name: service.system, runUrl: `https://deploy.acme.example/${service.system}/runs/${run++}` },
        ...extra,
      },
      signed,
      ...(story === undefined ? {} : { story }),
    }
    out.push(deployment)
    return deployment
  }
  const artifactOf = (build: DemoBuild, name: string) => build.artifacts.find((artifact) => artifact.name === name)?.sha256
  const mismatched = new Set(rebuilds.filter((rebuild) => rebuild.verdict === 'mismatch').map((rebuild) => rebuild.artifact.sha256))

  for (const service of demoServices) {
    const own = builds.filter((build) => build.project === service.project && build.finishedAt >= DEMO_END - WINDOW && build.finishedAt < DEMO_END - 6 * HOUR)
    const releases = own.filter((build) => build.signing === 'trusted' && !mismatched.has(artifactOf(build, service.artifact) ?? ''))
    // Every fourth good build goes to staging twenty minutes after it finished; every other one of those is promoted a day later.
    releases.forEach((build, position) => {
      if (position % 4 !== 0) return
      const sha256 = artifactOf(build, service.artifact)
      if (sha256 === undefined) return
      const staged = build.finishedAt + 20 * MINUTE
      deploy(service, 'staging', sha256, staged)
      const promoted = staged + 26 * HOUR
      if ((position / 4) % 2 === 0 && promoted < DEMO_END - HOUR) deploy(service, 'production', sha256, promoted)
    })
  }

  const [web, api, ledger] = demoServices
  const inWindow = (build: DemoBuild) => build.finishedAt >= DEMO_END - WINDOW && build.finishedAt < DEMO_END - 6 * HOUR

  // Production runs a ledger build whose provenance no trusted key signed: deployed last, so it is what runs now.
  if (ledger !== undefined) {
    const unproven = builds.filter((build) => build.project === ledger.project && build.signing !== 'trusted').at(-1)
    const sha256 = unproven === undefined ? undefined : artifactOf(unproven, ledger.artifact)
    if (unproven !== undefined && sha256 !== undefined) {
      deploy(ledger, 'staging', sha256, DEMO_END - 9 * HOUR, {}, 'staged although its provenance does not verify')
      deploy(ledger, 'production', sha256, DEMO_END - 3 * HOUR, {}, 'running in production although its provenance does not verify')
    }
  }

  if (api !== undefined) {
    // A hotfix deployed with no provenance at all, then the next release in the record.
    deploy(api, 'production', DEMO_UNPROVEN_DIGEST, DEMO_END - 5 * DAY, { system: { name: 'kubectl' } }, 'a hotfix deployed by hand, with no provenance')
    const next = builds.filter((build) => build.project === api.project && build.signing === 'trusted' && build.finishedAt < DEMO_END - 4 * DAY).at(-1)
    const nextSha = next === undefined ? undefined : artifactOf(next, api.artifact)
    if (nextSha !== undefined) deploy(api, 'production', nextSha, DEMO_END - 4 * DAY + 2 * HOUR)
    // Staging runs the newest api build a rebuilder could not reproduce.
    const disputed = builds.filter((build) => build.project === api.project && build.signing === 'trusted' && inWindow(build) && mismatched.has(artifactOf(build, api.artifact) ?? '')).at(-1)
      ?? builds.filter((build) => build.project === api.project && build.signing === 'trusted' && mismatched.has(artifactOf(build, api.artifact) ?? '')).at(-1)
    const disputedSha = disputed === undefined ? undefined : artifactOf(disputed, api.artifact)
    if (disputedSha !== undefined) deploy(api, 'staging', disputedSha, DEMO_END - 2 * HOUR, {}, 'a rebuild of this digest produced a different one')
  }

  if (web !== undefined) {
    // Recorded against the wrong digest, then corrected by a record that replaces it.
    const good = builds.filter((build) => build.project === web.project && build.signing === 'trusted' && inWindow(build)).at(-2)
    const wrong = builds.filter((build) => build.project === web.project && build.signing === 'unknown-key').at(-1)
    const goodSha = good === undefined ? undefined : artifactOf(good, web.artifact)
    const wrongSha = wrong === undefined ? undefined : artifactOf(wrong, web.artifact)
    if (goodSha !== undefined && wrongSha !== undefined) {
      const at = DEMO_END - 7 * HOUR
      const mistaken = deploy(web, 'staging', wrongSha, at, {}, 'recorded against the wrong digest')
      deploy(web, 'staging', goodSha, at + 5 * MINUTE, { replaces: demoDeploymentId(mistaken.input) }, 'corrects the record it replaces')
    }
  }

  return out.sort((a, b) => (a.input.deployedAt < b.input.deployedAt ? -1 : a.input.deployedAt > b.input.deployedAt ? 1 : 0))
}
