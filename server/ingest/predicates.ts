import type { DocumentExtras } from '../documents/records'
import { isDeploymentPredicate, readDeploymentStatement } from './deployment'
import type { Tolerance } from './read'
import { isRebuildPredicate, readRebuildStatement } from './rebuild'
import { CYCLONEDX_PREDICATE, readSbomPredicate, SPDX_PREDICATE } from './sbom'
import type { Statement } from './statement'
import { isTestResult, readTestResult } from './test-result'
import { isVsa, readVsa } from './vsa'

/**
 * Facts a Statement's predicate carries beyond SLSA provenance (which makes a build elsewhere): an SBOM, a
 * verification summary, a rebuild verdict; with the malformed fields read as not given, for the verification
 * to list. `base` is where the Statement sits in the submitted document, so paths point into what was sent.
 * `extras` is undefined for predicates with nothing more to keep.
 */
export function readStatementExtras(statement: Statement, base: string): { extras: DocumentExtras | undefined; tolerated: Tolerance[] } {
  const type = statement.predicateType
  if (type === null) return { extras: undefined, tolerated: [] }
  if (CYCLONEDX_PREDICATE.test(type) || SPDX_PREDICATE.test(type)) {
    const { sbom, tolerated } = readSbomPredicate(type, statement.predicate, `${base}.predicate`, statement.subjects)
    return { extras: { sbom }, tolerated }
  }
  if (isVsa(type)) return { extras: { vsa: readVsa(statement, base) }, tolerated: [] }
  if (isTestResult(type)) return { extras: { testResult: readTestResult(statement, base) }, tolerated: [] }
  if (isRebuildPredicate(type)) return { extras: { rebuilds: [readRebuildStatement(statement, base)] }, tolerated: [] }
  if (isDeploymentPredicate(type)) return { extras: { deployment: readDeploymentStatement(statement, base) }, tolerated: [] }
  return { extras: undefined, tolerated: [] }
}

/**
 * The facts alone, for a format that does not yet list tolerated fields in its verification (Sigstore bundles);
 * readStatementExtras is the one to use.
 */
export function statementExtras(statement: Statement, base: string): DocumentExtras | undefined {
  return readStatementExtras(statement, base).extras
}
