import { DEPLOYMENT_PREDICATE_TYPE, DeploymentInput } from '../../src/contract/deployments'
import { childPath } from './canonical-json'
import { readAs, readError, type DocumentFormat } from './read'
import type { Statement } from './statement'

/*
 * The deployment predicate (docs/deployment-predicate.md): a deploy pipeline signs what it deployed, where and
 * when. The Statement's subjects are the deployed artifacts; the predicate carries the rest of a deployment as
 * POST /api/v1/deployments takes it. The document goes through the same verification as any attestation, and
 * the deployment it records carries that verdict.
 */

export { DEPLOYMENT_PREDICATE_TYPE }

const DEPLOYMENT: DocumentFormat = { code: 'invalid-deployment', label: `a deployment attestation (${DEPLOYMENT_PREDICATE_TYPE})` }

const DeploymentPredicate = DeploymentInput.omit({ artifacts: true })

export function isDeploymentPredicate(predicateType: string | null): boolean {
  return predicateType === DEPLOYMENT_PREDICATE_TYPE
}

/** Reads the deployment a Statement records; `base` is where the Statement sits in the submitted document. */
export function readDeploymentStatement(statement: Statement, base: string): DeploymentInput {
  const path = childPath(base, 'predicate')
  const predicate = readAs(DEPLOYMENT, DeploymentPredicate, statement.predicate, path)
  if (statement.subjects.length === 0) throw readError(DEPLOYMENT, childPath(base, 'subject'), 'a deployment attestation names the deployed artifacts as its subjects; found none')
  const artifacts = statement.subjects.map((subject, index) => {
    const hex = subject.digest.sha256
    if (hex === undefined) throw readError(DEPLOYMENT, childPath(childPath(childPath(base, 'subject'), index), 'digest'), 'a deployed artifact needs a sha256 digest')
    return { digest: `sha256:${hex}`, ...(subject.name === '' ? {} : { name: subject.name }) }
  })
  return readAs(DEPLOYMENT, DeploymentInput, { ...predicate, artifacts }, path)
}
