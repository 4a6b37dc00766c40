import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import type { DeploymentInput } from '../src/contract/deployments'

/*
 * A deployment's id is the SHA-256 of its input in one fixed form, so posting the same deployment again (a
 * retried pipeline step) finds the stored one instead of recording it twice, and the mocks name the demo's
 * deployments as the server does.
 */

/** The input with every field in a fixed order and absent fields left out: the bytes the id is the hash of. */
export function canonicalDeployment(input: DeploymentInput): string {
  const defined = <T extends Record<string, unknown>>(value: T) => Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined))
  return JSON.stringify({
    artifacts: input.artifacts.map((artifact) => defined({ digest: artifact.digest, name: artifact.name })),
    deployedAt: new Date(Date.parse(input.deployedAt)).toISOString(),
    environment: defined({ cluster: input.environment.cluster, name: input.environment.name, namespace: input.environment.namespace, region: input.environment.region }),
    project: input.project,
    replaces: input.replaces,
    service: input.service,
    system: defined({ name: input.system.name, runUrl: input.system.runUrl }),
  })
}

export function deploymentId(input: DeploymentInput): string {
  return bytesToHex(sha256(new TextEncoder().encode(canonicalDeployment(input))))
}
