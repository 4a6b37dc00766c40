import type { Policy } from '../src/contract/policy'
import { demoAllowedHosts } from './hosts'
import type { DemoProject } from './model'

/**
 * The demo config's policy for one project: who may sign, which builder and build type, the pinned toolchain and
 * the hosts allowed. The server's demo config is made of these, and the mocks evaluate the anomaly rules against
 * the same, so both raise the same alerts.
 */
export function demoPolicy(project: DemoProject): Policy {
  return {
    name: project.name,
    repositories: [project.sourceRepo],
    signers: [{ keyId: project.keyAlgorithm === 'ecdsa-p256' ? 'demo-release-p256' : 'demo-release-ed25519' }],
    requiredChecks: ['envelope-signature'],
    builders: [project.builderId],
    buildTypes: [project.buildType],
    toolchain: Object.fromEntries(project.tools.map((tool) => [tool.name, tool.version])),
    allowedHosts: [...demoAllowedHosts],
  }
}
