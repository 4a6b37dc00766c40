import type { LineError } from '../../src/contract/attestations'
import { DeploymentInput } from '../../src/contract/deployments'
import { zodProblem } from '../../src/contract/route-spec'
import { deploymentId } from '../../domain/deployment-id'
import { IngestError } from '../ingest/errors'
import { splitBody } from '../ingest/ingest'
import { parseJson } from '../ingest/json'

/*
 * A POST /api/v1/deployments body read into deployments: one JSON deployment, or JSONL with one per line. Each
 * line stands alone (the good ones are stored, the bad ones listed with the field at fault), and a deployment
 * that replaces another must name one stored already or earlier in the same body.
 */

export type ReadDeployment = { id: string; input: DeploymentInput; line?: number }

export type ReadBody = { deployments: ReadDeployment[]; errors: LineError[]; lines: number }

/** Reads every line; `known` says which `replaces` ids are stored. Throws nothing for a user's input. */
export async function readDeploymentBody(body: Buffer, contentType: string, known: (ids: string[]) => Promise<Set<string>>): Promise<ReadBody> {
  const documents = splitBody(body, contentType)
  const deployments: ReadDeployment[] = []
  const errors: LineError[] = []
  const where = (line: number | undefined, path: string) => (line === undefined ? path : `line ${line}: ${path}`)
  for (const document of documents) {
    const line = document.line
    const lineOf = line === undefined ? {} : { line }
    let value: unknown
    try {
      value = parseJson(document.raw)
    } catch (error) {
      if (!(error instanceof IngestError)) throw error
      errors.push({ ...lineOf, code: error.code, message: error.message, path: where(line, error.path ?? '$') })
      continue
    }
    const parsed = DeploymentInput.safeParse(value)
    if (!parsed.success) {
      const problem = zodProblem(parsed.error, '$')
      errors.push({ ...lineOf, code: 'invalid-deployment', message: problem.message, path: where(line, problem.path) })
      continue
    }
    deployments.push({ id: deploymentId(parsed.data), input: parsed.data, ...lineOf })
  }
  const replaced = [...new Set(deployments.flatMap((deployment) => (deployment.input.replaces === undefined ? [] : [deployment.input.replaces])))]
  const stored = replaced.length === 0 ? new Set<string>() : await known(replaced)
  const seen = new Set<string>()
  const kept: ReadDeployment[] = []
  for (const deployment of deployments) {
    const replaces = deployment.input.replaces
    if (replaces !== undefined && !stored.has(replaces) && !seen.has(replaces)) {
      const lineOf = deployment.line === undefined ? {} : { line: deployment.line }
      errors.push({
        ...lineOf,
        code: 'unknown-replaces',
        message: `$.replaces: no deployment ${replaces} is stored (nor earlier in this body); GET /api/v1/deployments lists them`,
        path: where(deployment.line, '$.replaces'),
      })
      continue
    }
    seen.add(deployment.id)
    kept.push(deployment)
  }
  errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
  return { deployments: kept, errors, lines: documents.length }
}
