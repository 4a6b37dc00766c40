import { DeploymentIngestResponse } from '../../src/contract/deployments'
import { canonicalDeployment } from '../../domain/deployment-id'
import { serviceOf } from '../../domain/deployment-provenance'
import type { Store } from '../store/types'
import { readDeploymentBody } from './read-body'
import type { DeploymentRecord } from './store'

export type DeploymentIngestResult =
  | { ok: true; status: 200 | 201; body: DeploymentIngestResponse }
  | { ok: false; status: 400 | 422; error: { code: string; message: string; path?: string } }

/** Reads and stores every deployment of a body in one transaction: the path of POST /api/v1/deployments and of the demo seed. */
export async function ingestDeployments(store: Store, body: Buffer, contentType: string, now: () => number): Promise<DeploymentIngestResult> {
  const read = await readDeploymentBody(body, contentType, (ids) => store.deployments.existing(ids))
  if (read.lines === 0) return { ok: false, status: 400, error: { code: 'empty-body', message: 'the request body is empty' } }
  if (read.deployments.length === 0) {
    const first = read.errors[0]
    if (read.lines === 1 && first !== undefined) {
      return { ok: false, status: first.code === 'invalid-json' ? 400 : 422, error: { code: first.code, message: first.message, ...(first.path ? { path: first.path } : {}) } }
    }
    const summary = read.errors.slice(0, 5).map((error) => `line ${error.line}: ${error.message}`).join('; ')
    return { ok: false, status: 422, error: { code: 'no-valid-deployments', message: `none of the ${read.lines} lines could be read: ${summary}`, ...(first?.path ? { path: first.path } : {}) } }
  }
  const ingestedAt = now()
  const records: DeploymentRecord[] = []
  for (const { id, input } of read.deployments) {
    const first = input.artifacts[0]
    const project = input.project ?? (first === undefined ? null : await store.deployments.projectOf(first.digest))
    records.push({ id, input, canonical: canonicalDeployment(input), service: serviceOf(input, project), project, recordedBy: 'api', documentId: null, ingestedAt })
  }
  const outcomes = await store.deployments.ingest(records)
  const deployments = []
  for (const [index, outcome] of outcomes.entries()) {
    const deployment = await store.deployments.get(outcome.id)
    const line = read.deployments[index]?.line
    deployments.push({ id: outcome.id, ...(line === undefined ? {} : { line }), created: outcome.created, deployment })
  }
  return { ok: true, status: outcomes.some((outcome) => outcome.created) ? 201 : 200, body: DeploymentIngestResponse.parse({ deployments, errors: read.errors }) }
}
