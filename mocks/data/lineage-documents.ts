import { SignatureRow } from '../../src/contract/signatures'
import { demoDeployments, demoDeploymentStatement, type DemoDeployment } from '../../demo/deployments'
import { DEMO_BUILD_COUNT, type DemoBuild } from '../../demo/model'
import { demoRebuilds } from '../../demo/rebuilds'
import { demoReleaseKeyIds, envelopeBytes, sha256Hex } from './documents'

/*
 * The demo's deployments with the ids the server gives them, and the signed ones as the documents the server
 * stores (deployment attestations, ingested at their deployment time by the seed, so their times are known here).
 */

export type DemoDeploymentRecord = DemoDeployment & {
  /** The id of the deployment: the attestation's document id when signed. */
  documentId: string | null
}

const iso = (ms: number) => new Date(ms).toISOString()

let remembered: { key: string; records: DemoDeploymentRecord[] } | null = null

/**
 * The seed records the deployments of the history only (not the builds after it), with that history's rebuilds.
 * The index and the deployments both ask for the same history; it is made once (its rebuilds take a moment).
 */
export function demoDeploymentRecords(builds: readonly DemoBuild[]): DemoDeploymentRecord[] {
  const history = builds.filter((build) => build.index < DEMO_BUILD_COUNT).sort((a, b) => a.index - b.index)
  const key = `${history.length}:${history[0]?.invocationId ?? ''}:${history.at(-1)?.invocationId ?? ''}:${history.at(-1)?.artifacts[0]?.sha256 ?? ''}`
  if (remembered?.key === key) return remembered.records
  const keyid = demoReleaseKeyIds.ed25519
  const records = demoDeployments(history, demoRebuilds(history)).map((deployment) => ({
    ...deployment,
    documentId: deployment.signed ? sha256Hex(envelopeBytes(demoDeploymentStatement(deployment.input), { algorithm: 'ed25519', label: keyid, keyid })) : null,
  }))
  remembered = { key, records }
  return records
}

/** A signed deployment's row in the signatures list: no build, no project, signed when it was deployed. */
export function deploymentSignatureRow(record: DemoDeploymentRecord): SignatureRow | null {
  if (record.documentId === null) return null
  const at = iso(Date.parse(record.input.deployedAt))
  return SignatureRow.parse({
    documentId: record.documentId,
    format: 'dsse',
    kind: 'deployment',
    status: 'verified',
    failedCheck: null,
    signer: demoReleaseKeyIds.ed25519,
    project: null,
    buildId: null,
    subjects: record.input.artifacts.map((artifact) => ({ name: artifact.name ?? '', digest: { sha256: artifact.digest.replace(/^sha256:/, '') } })),
    ingestedAt: at,
    signedAt: null,
    time: at,
  })
}
