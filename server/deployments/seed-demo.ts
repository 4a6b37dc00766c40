import { demoDeployments, demoDeploymentStatement } from '../../demo/deployments'
import type { DemoBuild } from '../../demo/model'
import type { DemoRebuild } from '../../demo/rebuilds'
import { ingestContext, type Config } from '../config'
import { ingestBody } from '../ingest/ingest'
import type { Store } from '../store/types'
import { ingestDeployments } from './ingest'

/**
 * The demo's promotion history (demo/deployments.ts), recorded as a deploy pipeline would: posted through the code
 * path of POST /api/v1/deployments, and the signed ones as deployment attestations through POST /api/v1/attestations,
 * signed by `sign` (the seed passes the demo's Ed25519 release key: deterministic, so the mocks know their ids).
 * Answers how many deployments were recorded, and how many of them brought a document (their attestations).
 */
export async function seedDemoDeployments(
  store: Store,
  config: Config,
  demo: { builds: readonly DemoBuild[]; rebuilds: readonly DemoRebuild[] },
  sign: (statement: Record<string, unknown>) => Record<string, unknown>,
): Promise<{ deployments: number; documents: number }> {
  const deployments = demoDeployments(demo.builds, demo.rebuilds)
  const posted = deployments.filter((deployment) => !deployment.signed).map((deployment) => JSON.stringify(deployment.input))
  const signed = deployments.filter((deployment) => deployment.signed).map((deployment) => ({ line: JSON.stringify(sign(demoDeploymentStatement(deployment.input))), at: Date.parse(deployment.input.deployedAt) }))
  const result = await ingestDeployments(store, Buffer.from(posted.join('\n')), 'application/x-ndjson', Date.now)
  if (!result.ok || result.body.errors.length > 0) throw new Error(`demo seed could not record the deployments: ${JSON.stringify(result.ok ? result.body.errors[0] : result.error)}`)
  // Each attestation is ingested at its deployment time, so its place in the signatures list is the demo's, not the wall clock's.
  let documents = 0
  for (const { line, at } of signed) {
    const attested = await ingestBody(store, Buffer.from(line), 'application/json', ingestContext(config, () => at))
    if (!attested.ok || attested.body.errors.length > 0) throw new Error('demo seed could not ingest a deployment attestation')
    documents += attested.body.documents.filter((document) => document.created).length
  }
  return { deployments: deployments.length, documents }
}
