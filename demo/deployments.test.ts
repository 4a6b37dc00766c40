import { describe, expect, it } from 'vitest'
import { DeploymentInput } from '../src/contract/deployments'
import { DEMO_UNPROVEN_DIGEST, demoDeploymentId, demoDeployments, demoServices } from './deployments'
import { DEMO_END, demoBuilds } from './model'
import { demoRebuilds } from './rebuilds'

describe('demoDeployments', () => {
  const builds = demoBuilds()
  const rebuilds = demoRebuilds(builds)
  const deployments = demoDeployments(builds, rebuilds)
  const byIndex = new Map(builds.flatMap((build) => build.artifacts.map((artifact) => [artifact.sha256, build] as const)))
  const buildOf = (digest: string | undefined) => byIndex.get((digest ?? '').replace(/^sha256:/, ''))

  it('promotes every service from staging to production, oldest first, before the demo ends, each a valid deployment', () => {
    for (const { service } of demoServices) {
      for (const environment of ['staging', 'production']) {
        expect(deployments.filter((entry) => entry.input.service === service && entry.input.environment.name === environment).length, `${service} in ${environment}`).toBeGreaterThan(2)
      }
    }
    const times = deployments.map((entry) => entry.input.deployedAt)
    expect([...times].sort()).toEqual(times)
    expect(times.every((time) => Date.parse(time) < DEMO_END)).toBe(true)
    for (const entry of deployments) expect(DeploymentInput.safeParse(entry.input).success).toBe(true)
    // Every production web deployment is signed by its pipeline; nothing else is.
    expect(deployments.filter((entry) => entry.signed).every((entry) => entry.input.service === 'web' && entry.input.environment.name === 'production')).toBe(true)
    expect(deployments.some((entry) => entry.signed)).toBe(true)
  })

  it('holds deployments without verified provenance and one whose rebuild disagrees', () => {
    const unproven = deployments.filter((entry) => entry.input.artifacts.some((artifact) => buildOf(artifact.digest)?.signing !== 'trusted'))
    expect(unproven.length).toBeGreaterThanOrEqual(3)
    expect(deployments.some((entry) => entry.input.artifacts[0]?.digest === DEMO_UNPROVEN_DIGEST && buildOf(DEMO_UNPROVEN_DIGEST) === undefined)).toBe(true)
    // What production runs last for the ledger is a build no trusted key signed.
    const ledger = deployments.filter((entry) => entry.input.service === 'ledger' && entry.input.environment.name === 'production').at(-1)
    expect(buildOf(ledger?.input.artifacts[0]?.digest)?.signing).not.toBe('trusted')
    const mismatched = new Set(rebuilds.filter((rebuild) => rebuild.verdict === 'mismatch').map((rebuild) => `sha256:${rebuild.artifact.sha256}`))
    const disputed = deployments.filter((entry) => entry.input.artifacts.some((artifact) => mismatched.has(artifact.digest)))
    expect(disputed).toHaveLength(1)
    expect(disputed[0]?.input).toMatchObject({ service: 'api', environment: { name: 'staging' } })
  })

  it('corrects a wrong record by replacing it, and is the same list every time', () => {
    const corrections = deployments.filter((entry) => entry.input.replaces !== undefined)
    expect(corrections).toHaveLength(1)
    const replaced = deployments.find((entry) => demoDeploymentId(entry.input) === corrections[0]?.input.replaces)
    expect(replaced?.input.environment.name).toBe('staging')
    expect(demoDeployments(builds, rebuilds)).toEqual(deployments)
  })
})
